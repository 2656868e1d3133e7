# The README's two commands: `make run` and `make test`. Both set everything up from plain Python.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test install bench-quick messages screenshots

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

install: $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/kundennetz migrate --noinput
	$(BIN)/kundennetz demo --if-empty -v 0
	$(BIN)/kundennetz logins
	$(BIN)/kundennetz serve

test: $(INSTALLED)
	bash scripts/test.sh

messages: $(INSTALLED)
	cd src/kundennetz && ../../$(BIN)/kundennetz makemessages -l de --no-obsolete --ignore 'static/*' --ignore '*/locale' && ../../$(BIN)/kundennetz compilemessages -l de --ignore '*/locale'

bench-quick: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	for b in bench/*.py; do $(BIN)/python $$b --quick || exit 1; done

# The README's pictures, taken again from the demo (needs Chromium: apt-get install chromium).
screenshots: $(INSTALLED)
	$(BIN)/python scripts/screenshots.py
