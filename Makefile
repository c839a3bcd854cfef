# The README's commands. Everything installs into ./.venv.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MARL_STAMP := $(VENV)/.installed-marl

# PyTorch for rmo-agents: PyPI's default (CUDA) build when an NVIDIA GPU answers nvidia-smi, else the CPU
# build (a local wheel store or download.pytorch.org/whl/cpu). torch goes in first, alone (--no-deps: only
# torch itself is looked up on that index); the second step brings its dependencies. Override both, e.g.
#   make setup TORCH_SPEC='torch==2.6.0' TORCH_INDEX='--index-url https://download.pytorch.org/whl/cu124'
GPU := $(shell nvidia-smi -L >/dev/null 2>&1 && echo yes)
TORCH_SPEC ?= $(if $(GPU),torch>=2.2,torch==2.13.0)
TORCH_INDEX ?= $(if $(GPU),,--extra-index-url https://download.pytorch.org/whl/cpu)

# The demo's point: suite v1's task small-quick (10 tasks x 6 skilled workers, 15 s epochs), where the relaxed
# bound is 1.65x the best non-learning method (KM), so methods differ and a better recommender has room to show.
DEMO_TASK := small-quick
SHIPPED := examples/checkpoints/small-quick-revenue-s0.pt

.PHONY: setup marl demo test lint bench clean

setup: $(STAMP)

# The third-party MARL libraries of examples/ (SB3 + SuperSuit, TorchRL, RLlib: dasc-env's `marl` extra) and
# Ray for rmo-agents' distributed rollouts (its `ray` extra). The tests use them; the demo does not need them.
marl: $(MARL_STAMP)

$(STAMP): Makefile packages/dasc-env/pyproject.toml packages/rmo-agents/pyproject.toml requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-deps $(TORCH_INDEX) "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e "packages/dasc-env[render,osm,bounds]" -e packages/rmo-agents -r requirements-dev.txt
	touch $(STAMP)

$(MARL_STAMP): $(STAMP) packages/dasc-env/pyproject.toml packages/rmo-agents/pyproject.toml
	$(PY) -m pip install --quiet -e "packages/dasc-env[render,osm,bounds,marl]" -e "packages/rmo-agents[ray]"
	touch $(MARL_STAMP)

demo: setup
	$(PY) examples/run_episode.py
	$(PY) -m experiments.learning_evidence --tasks $(DEMO_TASK) --preset revenue --seeds 2 --episodes 20 \
		--eval-every 1 --test-seeds 5 --jobs 2 --no-ablation --out results/demo
	$(VENV)/bin/dasc-eval --suite v1 --suite-tasks $(DEMO_TASK) --methods greedy,km,wait-km,ready-km,admit-km,all,rmo \
		--rmo-checkpoint $(SHIPPED) --bound relaxed --jobs 2 --quiet --out results/demo/shipped

test: setup marl
	$(PY) -m pytest -q -n auto --dist loadfile

lint: setup
	$(VENV)/bin/ruff check .

bench: setup
	$(PY) benchmarks/env_step.py
	$(PY) benchmarks/city_build.py
	$(PY) benchmarks/train_step.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
