# The two commands a newcomer needs: `make run` and `make test`. Everything else is set-up.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
ENGINE_CACHE := .cache/engine
ENGINE := $(ENGINE_CACHE)/vm-engine
ENGINE_SRC := $(wildcard db/engine/*.go) db/engine/go.mod db/engine/go.sum

export GOTOOLCHAIN := local
export VM_ENGINE_BINARY := $(abspath $(ENGINE))

.PHONY: run test bench install engine schema clean

$(VENV)/.installed: pyproject.toml
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

test: install engine
	$(PY) -m pytest -q

bench: install engine
	$(PY) -m bench.run

schema: install
	$(PY) -m api.cli export-schema

clean:
	rm -rf $(VENV) .cache
