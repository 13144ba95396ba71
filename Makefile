# The two commands a newcomer needs: `make run` and `make test`. Everything else is set-up.
# The first Python 3.11–3.13 on the PATH (pyenv shims of versions not installed are skipped).
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
	$$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' >/dev/null 2>&1 \
	&& { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
ENGINE_CACHE := .cache/engine
ENGINE := $(ENGINE_CACHE)/vm-engine
ENGINE_SRC := $(wildcard db/engine/*.go) db/engine/go.mod db/engine/go.sum

export GOTOOLCHAIN := local
export VM_ENGINE_BINARY := $(abspath $(ENGINE))

.PHONY: run test lint bench install engine schema clean

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "need Python 3.11, 3.12 or 3.13 on the PATH (or make PYTHON=/path/to/python)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

$(ENGINE): $(ENGINE_SRC)
	@mkdir -p $(ENGINE_CACHE)
	@echo "building the embedded engine (FerretDB v1 + SQLite; about a minute the first time)"
	cd db/engine && go build -trimpath -o $(abspath $(ENGINE)) .

engine: $(ENGINE)

run: install engine
	$(PY) -m api.cli serve --load-demo-if-empty

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

test: install engine lint
	$(PY) -m pytest -q

bench: install engine
	$(PY) -m bench.run

schema: install
	$(PY) -m api.cli export-schema

clean:
	rm -rf $(VENV) .cache
