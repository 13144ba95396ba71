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
ENGINE_PATCHES := $(sort $(wildcard db/engine/patches/*.patch))
ENGINE_BUILD := $(ENGINE_CACHE)/build

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

# FerretDB is built from its pinned module with db/engine/patches applied (filters, `_id` sorts and
# counts pushed down into SQLite; docs/database.md): in a build copy, so db/engine/go.mod stays as is.
$(ENGINE): $(ENGINE_SRC) $(ENGINE_PATCHES)
	@mkdir -p $(ENGINE_CACHE)
	@echo "building the embedded engine (FerretDB v1 + SQLite; about a minute the first time)"
	rm -rf $(ENGINE_BUILD) && mkdir -p $(ENGINE_BUILD)
	cd db/engine && go mod download github.com/FerretDB/FerretDB
	cp -r "$$(cd db/engine && go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)" $(ENGINE_BUILD)/ferretdb
	chmod -R u+w $(ENGINE_BUILD)/ferretdb
	for p in $(ENGINE_PATCHES); do patch -s -d $(ENGINE_BUILD)/ferretdb -p1 < $$p || exit 1; done
	cp db/engine/*.go db/engine/go.mod db/engine/go.sum $(ENGINE_BUILD)/
	cd $(ENGINE_BUILD) && go mod edit -replace github.com/FerretDB/FerretDB=./ferretdb \
	  && go build -trimpath -o $(abspath $(ENGINE)) .

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
