#!/usr/bin/env bash
# The offline demo: every command in a temporary config and keyring.
set -euo pipefail
hubsms --version
