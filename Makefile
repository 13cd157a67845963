# Set-up and everyday commands. The venv is built from Debian's python3, the
# same Python that libapache2-mod-wsgi-py3 embeds, so tests and Apache share it.
PYTHON ?= /usr/bin/python3
VENV ?= .venv
BIN = $(VENV)/bin
FLASK = $(BIN)/flask --app saver
# Everyday tests: SQLite and the app alone (no root, servers, browser or Apache).
FAST = not deploy and not browser and not reliability and not bench and not servers
# The pages' and the LINE bot's languages: gettext catalogs, compiled where they are.
TRANSLATIONS = saver/translations
CATALOGS = $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
COMPILED = $(CATALOGS:.po=.mo)

.PHONY: venv run test test-fast lint lock translations bench clean

# The app and its database drivers, at the versions the tests passed on
# (requirements.lock, what a VM installs): enough for `make run`.
$(BIN)/flask: setup.cfg pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# The test tools and the benchmark's chart, which only the tests install.
$(BIN)/pytest: $(BIN)/flask requirements-dev.lock
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@

lock: $(BIN)/flask  ## Pin setup.cfg's dependencies again (after changing setup.cfg)
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra postgres --extra redis --output-file requirements.lock setup.cfg
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra postgres --extra redis --extra test --extra bench \
		--output-file requirements-dev.lock setup.cfg

# pybabel comes with Babel, which Flask-Babel installs in the venv.
%.mo: %.po $(BIN)/flask
	$(BIN)/pybabel compile --input-file $< --output-file $@

translations: $(BIN)/flask  ## Extract the messages and merge them into each catalog (then translate)
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords _l --sort-by-file \
		--project extextcloud --output-file $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update --input-file $(TRANSLATIONS)/messages.pot \
		--output-dir $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

venv: $(BIN)/flask $(COMPILED)

run: venv  ## Start on SQLite with a seeded pool at http://127.0.0.1:5000
	$(FLASK) db upgrade
	$(FLASK) seed-codes
	$(FLASK) run --host 127.0.0.1 --port 5000

test: $(BIN)/pytest $(COMPILED)  ## Install what the tests need (root), start the servers, run every test
	scripts/dev-deps
	$(BIN)/pytest

test-fast: $(BIN)/pytest $(COMPILED)  ## The everyday subset: SQLite only, nothing to install or start
	SAVER_TEST_DATABASES=sqlite $(BIN)/pytest -m "$(FAST)"

lint: $(BIN)/pytest  ## flake8, shellcheck and web-ext lint (its one expected warning: see test_extension)
	$(BIN)/flake8 saver tests bench migrations
	shellcheck --external-sources scripts/* letsencrypt/deploy-hook
	npx --yes web-ext@8 lint --source-dir extension

bench: $(BIN)/pytest
	$(BIN)/python bench/pool.py

clean:
	rm -rf $(VENV) instance .pytest_cache
