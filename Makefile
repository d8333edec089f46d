# The two commands of the README: `make demo` and `make test`.
# Each creates .venv with python3 (>= 3.11) if it is missing and installs hubsms into it, with
# the test extra (keyrings.alt included: the tests and the demo use a file keyring).
# `make venv` installs hubsms alone, to use it: no keyrings.alt, so no plaintext file keyring
# unless asked for with `make venv KEYRING=file`.
PYTHON  ?= python3
VENV    ?= .venv
KEYRING ?=
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PIP     := $(BIN)/python -m pip --disable-pip-version-check
NEW_VENV = $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "hubsms needs Python >= 3.11")' \
	&& (test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)) && $(PIP) install --quiet --upgrade pip
# An editable install is not byte-compiled by pip: compile hubsms at install, so that no call
# pays for it (with PYTHONDONTWRITEBYTECODE=1 every call would).
COMPILE = $(BIN)/python -m compileall -q src/hubsms

.PHONY: venv demo test bench stress clean

$(STAMP): pyproject.toml
	@$(NEW_VENV)
	$(PIP) install --quiet -e '.[test]'
	$(COMPILE)
	touch $(STAMP)

venv:
	@case '$(KEYRING)' in ''|file) ;; *) echo "KEYRING=$(KEYRING): the one choice is KEYRING=file (keyrings.alt)" >&2; exit 2;; esac
	@$(NEW_VENV)
ifeq ($(KEYRING),file)
	$(PIP) install --quiet -e '.[file]'
else
	$(PIP) install --quiet -e .
	@if $(BIN)/python -c 'import keyrings.alt' 2>/dev/null; then \
	  echo "removing keyrings.alt (make test put it there): KEYRING=file keeps it"; \
	  $(PIP) uninstall --quiet --yes keyrings.alt && rm -f $(STAMP); fi
endif
	$(COMPILE)

demo: $(STAMP)
	@PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

# In parallel, one worker per CPU (PYTEST_ARGS="-n 0" for one process).
test: $(STAMP)
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

# Each case prints its measured ratio (or seconds), its goal and PASS/FAIL on one line
# (sandbox_lists.py judges its answers, and reports its times without a goal).
# Prism (Twilio's OpenAPI mocked by Stoplight's server), the sandbox's yardstick, from npm.
PRISM := .bench/prism/node_modules/.bin/prism
$(PRISM):
	-npm install --silent --no-audit --no-fund --prefix .bench/prism @stoplight/prism-cli@5

bench: $(STAMP) $(PRISM)
	-$(BIN)/python benchmarks/startup.py
	-$(BIN)/python benchmarks/send.py
	-$(BIN)/python benchmarks/smoke.py
	-$(BIN)/python benchmarks/sandbox.py $$(test -x $(PRISM) && echo --prism $(PRISM))
	-$(BIN)/python benchmarks/sandbox_lists.py
	-$(BIN)/python benchmarks/scale.py
	-$(BIN)/python benchmarks/fleet.py
	-$(BIN)/python benchmarks/health.py

# Concurrency, kill -9, secret leaks, keyring and network faults (BENCH_ARGS=--quick for a short run).
stress: $(STAMP)
	$(BIN)/python benchmarks/reliability.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV)
