"""The paper's experiments (Fig. 5, 6, 7 and the headroom table): ``python -m experiments.paper.fig5_training``."""
