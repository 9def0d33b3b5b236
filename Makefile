# Smart-car platform: every install step lives here, so a fresh Debian/Ubuntu machine with
# Python 3.11 needs nothing but `make up` (run the platform) and `make test` (run the tests).

PYTHON ?= python3.11
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
VENV   := .venv
BIN    := $(VENV)/bin
JARS   := jars
MVN    ?= mvn

.PHONY: up down status test test-fast lint install system-deps bench clean

up: install ## install everything and start the platform (PROFILE=cluster: the production topology)
	$(BIN)/smartcar up $(if $(PROFILE),--profile $(PROFILE),)

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

install: system-deps $(VENV)/.installed $(JARS)/.installed

system-deps: ## Debian packages: Java for Kafka/HBase/Spark, Maven, PostgreSQL, Chromium for the UI test
	scripts/install-system-deps.sh

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==0.13.8

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --extra production --python $(PYTHON)
	touch $@

# Kafka, HBase and Hive jars, exact versions in jars/pom.xml, resolved from Maven Central (cached in
# ~/.m2; jars/maven-settings.xml sends every repository the poms name to Central). The second call
# unpacks the Hive metastore's Derby schema scripts, which are in no jar.
MVN_ARGS := -q -B -Dstyle.color=never -s $(JARS)/maven-settings.xml
$(JARS)/.installed: $(JARS)/pom.xml $(JARS)/maven-settings.xml $(JARS)/kafka/pom.xml $(JARS)/hbase/pom.xml $(JARS)/hive/pom.xml
	rm -rf $(JARS)/kafka/lib $(JARS)/hbase/lib $(JARS)/hive/lib $(JARS)/hive/metastore $(JARS)/hive/target
	$(MVN) $(MVN_ARGS) -f $(JARS)/pom.xml dependency:copy-dependencies
	$(MVN) $(MVN_ARGS) -f $(JARS)/hive/pom.xml dependency:unpack@metastore-schema-scripts
	touch $@

bench: install ## every benchmark in bench/, figures printed
	for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache test-artifacts $(JARS)/*/lib $(JARS)/hive/metastore $(JARS)/*/target $(JARS)/.installed
