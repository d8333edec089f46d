#!/usr/bin/env bash
# The offline demo (`make demo`): the whole story with no Twilio account and no network.
# Everything happens in a temporary folder: its own config file, a file keyring, and the
# sandbox on a free port of 127.0.0.1. Nothing of yours is read or changed.
set -euo pipefail

work=$(mktemp -d "${TMPDIR:-/tmp}/hubsms-demo.XXXXXX")
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

export HUBSMS_CONFIG="$work/connectors.toml"
export PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring   # a file keyring in $work
export XDG_DATA_HOME="$work/data"
unset HUBSMS_AUTH_TOKEN HUBSMS_SANDBOX_URL

bold=""; plain=""
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$(tput bold 2>/dev/null || true); plain=$(tput sgr0 2>/dev/null || true); fi
say()  { printf '\n%s# %s%s\n' "$bold" "$*" "$plain"; }
quote() { local a out=""; for a in "$@"; do case "$a" in *[[:space:]]*) out+=" \"$a\"";; *) out+=" $a";; esac; done; printf '%s' "${out# }"; }
show() { printf '%s$ %s%s\n' "$bold" "$(quote "$@")" "$plain"; "$@"; }

SID=AC0123456789abcdef0123456789abcdef
TOKEN=fedcba9876543210fedcba9876543210   # a demo token: never printed by hubsms

NUMBER=+14155550123   # the demo account's own SMS number

say "1. Start the sandbox, a local Twilio-compatible SMS sink, on a free port, with a declared account"
cat >"$work/accounts.toml" <<EOF
[accounts.$SID]
friendly_name = "Demo"
type = "Full"
numbers = ["$NUMBER"]
EOF
cat "$work/accounts.toml"
hubsms sandbox serve --port 0 --status-delay 0.3 --accounts "$work/accounts.toml" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$work/sandbox.log" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/sandbox.log" | head -n 1)
[ -n "$url" ] || { echo "the sandbox did not start:"; cat "$work/sandbox.log"; exit 1; }
export HUBSMS_SANDBOX_URL="$url"
echo "sandbox at $url"

say "2. Add a connector pointing at it (the token goes to the keyring through stdin)"
printf '%s\n' "$TOKEN" | show hubsms connector add "My Twilio" --account-sid "$SID" \
  --from 0015005550006 --server-address "$url/2010-04-01/Accounts" --auth-token-stdin
show hubsms connector add "Backup" --account-sid "$SID" \
  --from HubSMS --server-address "$url/2010-04-01/Accounts" --inactive   # same account: its stored token

say "3. What is there"
show hubsms connector list
show hubsms connector show "My Twilio"
echo "The config file holds no token:"
cat "$HUBSMS_CONFIG"

say "4. Global Settings: the default SMS gateway (an inactive connector is refused)"
show hubsms settings set-default-sms Backup || echo "(exit $?: refused, as it should be)"
show hubsms settings set-default-sms "My Twilio"

say "4b. Service plans, and the config as a desired-state file (hubsms apply takes it back)"
show hubsms plan set Enterprise --sms-connector "My Twilio"
show hubsms plan list
show hubsms export

say "5. Check what Twilio will check, without sending: this From is not the account's"
show hubsms connector test "My Twilio" || echo "(exit $?: the sender check failed, as it should)"
show hubsms connector edit "My Twilio" --from "$NUMBER"
show hubsms connector test "My Twilio"

say "5b. A health sweep of every connector at once, as monitoring would run it"
show hubsms connector test --all

say "6. Send a one-time password and wait for delivery"
show hubsms otp send --to +14155552671 --wait --json | tee "$work/sent.json"
sent_code=$(sed -n 's/.*"code": "\([0-9]*\)".*/\1/p' "$work/sent.json")

say "7. Read the code back from the sandbox, as a CI smoke test would"
got=$(hubsms sandbox otp --to +14155552671 --wait 5)
echo "\$ hubsms sandbox otp --to +14155552671 --wait 5"
echo "$got"
[ "$got" = "$sent_code" ] && echo "The code sent and the code received match: $got"
show hubsms sandbox messages

say "8. A number that Twilio refuses, and a dry run"
show hubsms otp send --to +15005550001 || echo "(exit $?: Twilio's error 21211, as it should be)"
show hubsms otp send --to +4915112345678 --code 123456 --dry-run

say "9. Rename, deactivate and remove"
show hubsms connector edit Backup --name "Backup SMS"
show hubsms connector deactivate "My Twilio" || echo "(exit $?: it is the default SMS connector)"
show hubsms connector remove "Backup SMS" --yes
show hubsms connector list --json

say "Done. The sandbox stops now; everything above was in $work, which is removed."
