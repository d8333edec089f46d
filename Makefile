# The two commands of the README: `make demo` and `make test`.
# Each creates .venv with python3 (>= 3.11) if it is missing and installs hubsms into it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv demo test bench stress clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "hubsms needs Python >= 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@# An editable install is not byte-compiled by pip: compile hubsms now, so that no call pays
	@# for it (with PYTHONDONTWRITEBYTECODE=1 every call would).
	$(BIN)/python -m compileall -q src/hubsms
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	@PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

# In parallel, one worker per CPU (PYTEST_ARGS="-n 0" for one process).
test: $(STAMP)
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

# Each case prints its measured ratio (or seconds), its goal and PASS/FAIL on one line.
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
