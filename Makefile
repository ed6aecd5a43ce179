# OMS — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export OMS_DATA_DIR ?= $(CURDIR)/var
PYTEST_ARGS ?=

.PHONY: run test install install-dev lint format messages lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(BIN)/pip install -q -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## make run: install, migrate, load demo data, start the web server and the worker.
run: install
	$(BIN)/oms migrate --quiet
	$(BIN)/oms demo
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	$(BIN)/oms worker & \
	PORT=$(PORT) $(BIN)/oms serve

## make test: the whole suite (SQLite unless DATABASE_URL points at PostgreSQL).
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check oms tests

format: install-dev
	$(BIN)/ruff format oms tests

## make messages: refresh and compile translations (needs GNU gettext for extraction).
messages: install
	cd oms && ../$(BIN)/django-admin makemessages -l zh_Hans -l en --no-obsolete
	$(BIN)/python -m oms.web.compile_messages

bench: install-dev
	$(BIN)/oms bench intake

lock:
	$(BIN)/pip freeze --exclude-editable > /tmp/oms-freeze.txt
	@echo "review /tmp/oms-freeze.txt and split it into requirements.lock and requirements-dev.lock"

clean:
	rm -rf $(VENV) var
