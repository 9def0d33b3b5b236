# Smart-car platform: every install step lives here, so a fresh Debian/Ubuntu machine with
# Python 3.11 needs nothing but `make up` (run the platform) and `make test` (run the tests).

PYTHON ?= python3.11
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: up down status test test-fast lint install system-deps bench clean

up: install ## install everything and start the embedded platform
	$(BIN)/smartcar up

down: ## stop every process `make up` started
	$(BIN)/smartcar down

status:
	$(BIN)/smartcar status

test: install ## lint, then the whole suite (unit + integration + browser) against real services
	scripts/run-tests.sh

test-fast: install ## unit tests only
	scripts/run-tests.sh -m "not integration and not browser"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

install: system-deps $(VENV)/.installed

system-deps: ## Debian packages: Java for Spark, PostgreSQL, Chromium for the UI test
	scripts/install-system-deps.sh

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==0.13.8

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

bench: install ## every benchmark in bench/, figures printed
	for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache test-artifacts
