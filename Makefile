# Set-up and everyday commands. The venv is built from Debian's python3, the
# same Python that libapache2-mod-wsgi-py3 embeds, so tests and Apache share it.
PYTHON ?= /usr/bin/python3
VENV ?= .venv
BIN = $(VENV)/bin
FLASK = $(BIN)/flask --app saver

.PHONY: venv run test bench clean

$(BIN)/flask: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[postgres,redis,test]'
	touch $@

venv: $(BIN)/flask

run: venv  ## Start on SQLite with a seeded pool at http://127.0.0.1:5000
	$(FLASK) db upgrade
	$(FLASK) seed-codes
	$(FLASK) run --host 127.0.0.1 --port 5000

test: venv  ## Run every test (needs PostgreSQL and Redis on 127.0.0.1)
	$(BIN)/pytest

bench: venv
	$(BIN)/python bench/pool.py

clean:
	rm -rf $(VENV) instance .pytest_cache
