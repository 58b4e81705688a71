# The two commands: `make run` and `make test`. Both create and use .venv from the lock file.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test lint lock bench clean system-deps

$(INSTALLED): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

run: $(INSTALLED)
	$(PY) -m kcheck dev

system-deps:
	bash scripts/system-deps.sh

# axe-core for the browser tests' accessibility scans, pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: $(INSTALLED) system-deps node_modules/.installed
	$(VENV)/bin/ruff check kcheck tests bench scripts
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n 2 --dist loadgroup -p no:cacheprovider
	# The API, review and full-flow suites again, each test on its own PostgreSQL database.
	KCHECK_TEST_DATABASE=postgresql $(PY) -m pytest -n 2 -p no:cacheprovider \
		tests/integration/test_intake_api.py tests/integration/test_partner_api.py \
		tests/integration/test_full_flow.py tests/integration/review

lint: $(INSTALLED)
	$(VENV)/bin/ruff check kcheck tests bench scripts
	$(VENV)/bin/lint-imports

lock:
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--generate-hashes --quiet -o requirements.lock

BENCHES := quality intake verdict mrz facematch purge scale

bench: $(INSTALLED)
	for b in $(BENCHES); do $(PY) bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache
