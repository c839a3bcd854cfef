# The README's commands. Everything installs into ./.venv.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

setup: $(STAMP)

$(STAMP): Makefile packages/dasc-env/pyproject.toml requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e "packages/dasc-env[render,osm]" -r requirements-dev.txt
	touch $(STAMP)

demo: setup
	$(PY) examples/run_episode.py
	$(PY) examples/compare_baselines.py --seeds 1

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check .

bench: setup
	$(PY) benchmarks/env_step.py
	$(PY) benchmarks/city_build.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
