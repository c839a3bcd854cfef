"""Tests of the experiment scripts (``experiments/``), imported as modules of the ``experiments`` package."""

from pathlib import Path

SHIPPED = Path(__file__).resolve().parents[2] / "examples" / "checkpoints" / "small-quick-practical-s0.pt"
"""The shipped 300-episode checkpoint of suite task small-quick."""
