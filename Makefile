# EcoLoop — the two quick-start commands are `make demo` and `make test` (README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test install system-deps lint serve

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Install into .venv, load the demo city into the embedded SQLite database (var/), start dashboard + gateway.
demo: $(STAMP)
	$(BIN)/ecoloop demo

## Install system packages the tests use (PostgreSQL server, Chromium, CJK fonts, poppler, LibreOffice) if missing.
system-deps:
	bash scripts/install_system_packages.sh

## Run the whole test suite (SQLite and a real PostgreSQL server on loopback, real Chromium, real sockets).
test: $(STAMP) system-deps
	$(BIN)/ruff check src tests bench scripts tools
	$(BIN)/pytest -q

serve: $(STAMP)
	$(BIN)/ecoloop serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts tools
