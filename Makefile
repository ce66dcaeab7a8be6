# The two commands of the README: `make run` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MINI := data/benchmarks/esco-challenge-profile-mini
BENCH ?= ../shared/benchmarks

.PHONY: install run test lint format eval-all eval-mini clean

# torch first, pinned: a CPU wheel is on disk, and an unpinned torch pulls gigabytes of CUDA.
$(BIN)/lcmatch: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/lcmatch

# The main job: the service on SQLite with the offline model and the Dutch demo data.
run: install
	$(BIN)/lcmatch serve

test: install lint
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
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
