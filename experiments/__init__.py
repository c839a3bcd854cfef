"""Experiment scripts: what the learner and the baselines earn, the bounds, the suite's choices, the paper's figures.

Run each from the repository root as a module, e.g. ``python -m experiments.learning_evidence --help``; the
paper's figures are ``experiments.paper``. The timing benchmarks live in ``benchmarks/``.
"""
