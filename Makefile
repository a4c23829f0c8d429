# Everything a fresh machine with only python3 and make needs is installed from here.
SHELL := /bin/bash
TOOLS := .tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
MAILMAN_VENV := $(TOOLS)/mailman
MAILMAN_VERSION := 3.3.10
VENV_STAMP := .venv/.synced

.PHONY: demo test test-fast lint format sync mailman postgres clean help

help:
	@echo "make demo   - run the embedded stack and one request of each kind (Ctrl-C to stop);"
	@echo "              KINDS='objection portability' runs only those"
	@echo "make test   - lint, then the whole test suite"
	@echo "make test-fast - the tests that need no server process (the edit-test loop)"

$(TOOLS)/bin/uv:
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv

# Bytecode is compiled once here: with PYTHONDONTWRITEBYTECODE set, every `dsr` command would
# otherwise compile its libraries anew and take seconds to start.
$(VENV_STAMP): pyproject.toml uv.lock Makefile | $(UV)
	$(UV) sync --locked --quiet --compile-bytecode
	@touch $@

sync: $(VENV_STAMP)

# Mailman 3 core runs from a virtual environment of its own: its pins clash with ours.
$(MAILMAN_VENV)/bin/mailman:
	python3 -m venv $(MAILMAN_VENV)
	# Mailman 3.3.10 answers 500 on listing endpoints with SQLAlchemy 2.1.
	$(MAILMAN_VENV)/bin/pip install --quiet --disable-pip-version-check "mailman==$(MAILMAN_VERSION)" "sqlalchemy<2.1"

mailman: $(MAILMAN_VENV)/bin/mailman

# Debian's PostgreSQL server binaries, for the store tests (installed only when missing).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

lint: $(VENV_STAMP)
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .
	$(UV) run --locked mypy .

format: $(VENV_STAMP)
	$(UV) run --locked ruff format .
	$(UV) run --locked ruff check --fix .

test: lint mailman postgres
	DSR_MAILMAN_BIN=$(abspath $(MAILMAN_VENV))/bin/mailman $(UV) run --locked pytest

# The edit-test loop: no Temporal, PostgreSQL, S3, Mailman, SMTP or simulator (tests/conftest.py).
test-fast: $(VENV_STAMP)
	@start=$$(date +%s); \
	DSR_TEST_TIER=fast $(UV) run --locked pytest -q -m "not server"; status=$$?; \
	echo "make test-fast took $$(( $$(date +%s) - start )) s"; exit $$status

demo: $(VENV_STAMP) mailman
	DSR_MAILMAN_BIN=$(abspath $(MAILMAN_VENV))/bin/mailman $(UV) run --locked python -m cli.demo $(KINDS)

clean:
	rm -rf .dsr .venv $(TOOLS) .mypy_cache .pytest_cache .ruff_cache
