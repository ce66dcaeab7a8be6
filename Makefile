# The two commands of the README: `make run` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MINI := data/benchmarks/esco-challenge-profile-mini
BENCH ?= ../shared/benchmarks

.PHONY: install install-dev tools run test lint format eval-all eval-mini bench bench-quick clean

# torch first, pinned: a CPU wheel is on disk, and an unpinned torch pulls gigabytes of CUDA.
# `make run` needs only what running needs; the test tools (jupyter, schemathesis,
# playwright, …) come with `make test`.
$(BIN)/lcmatch: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(BIN)/lcmatch pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/lcmatch

install-dev: $(VENV)/.dev-installed

# What the tests need from Debian: chromium for the page tests (Playwright drives it; never
# `playwright install`). Installed when missing (needs root, as on CI); `make run` does not
# need it.
SYSTEM_TOOLS := chromium
tools:
	@missing=""; for tool in $(SYSTEM_TOOLS); do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	  if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing \
	  || echo "warning: could not install$$missing; the browser and load tests need them" >&2; fi

# The main job: the service on SQLite with the offline model and the Dutch demo data.
run: install
	$(BIN)/lcmatch serve

test: install-dev tools lint
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the layers of service/ (contracts in pyproject.toml)

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The README's quality table: every method on every shared benchmark (minutes; cached embeddings).
eval-all: install
	@for bench in melo-nld melo-bel esco-challenge-profile esco-challenge-skill; do \
	  for method in lexical dense hybrid; do \
	    printf '%s %s ' $$bench $$method; \
	    $(BIN)/lcmatch eval $(BENCH)/$$bench --split dev --method $$method --no-progress \
	      --run-out var/runs/$$bench.$$method.tsv; \
	  done; \
	done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

# The hybrid matcher on the small benchmark that ships in data/ (about a minute the first time).
eval-mini: install
	$(BIN)/lcmatch eval $(MINI) --split dev --method hybrid

# Speed and scale (issue 6): each script prints JSON and writes benchmarks/results/<name>.json,
# with its baseline measured in the same run. The full run takes hours on 2 cores (100k-row
# databases are built once and cached in var/bench/); bench-quick runs every script small.
BENCHMARKS := encode_speed encode_quality vector_search pgvector_search import_speed \
	service_startup service_load service_profile refit_drift
bench: install-dev tools
	@for name in $(BENCHMARKS); do echo "== $$name"; $(BIN)/python benchmarks/$$name.py || exit 1; done
	$(BIN)/python benchmarks/service_load.py --database postgresql
	$(BIN)/python benchmarks/hnsw_settings.py build && $(BIN)/python benchmarks/hnsw_settings.py sweep

bench-quick: install-dev tools
	@for name in $(BENCHMARKS); do echo "== $$name"; $(BIN)/python benchmarks/$$name.py --quick || exit 1; done
