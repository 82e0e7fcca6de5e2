# Two commands: `make test` installs what the suite needs and runs it; `make run` starts the local system.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test run lint unit format deps clean infra-venv infra-test browser-deps

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (Python 3.11 is required)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

deps: $(STAMP) node_modules/.installed

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# checkov lives in its own venv (.venv-infra): its pins conflict with ours. Idempotent, instant once installed.
infra-venv:
	PYTHON=$(PYTHON) bash infra/checks/setup.sh

# Debian's Chromium for tests/browser (apt-get, as root); nothing when /usr/bin/chromium or CHROMIUM_EXECUTABLE exists.
browser-deps:
	bash scripts/install-chromium.sh

test: deps lint infra-venv browser-deps
	$(BIN)/python -m pytest

infra-test: $(STAMP) infra-venv
	$(BIN)/python -m pytest tests/infra -q

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

run: deps
	$(BIN)/python -m devhost

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .venv-infra node_modules .pytest_cache .ruff_cache
