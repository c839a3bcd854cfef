"""``examples/torchrl_mappo.py`` trains MAPPO through TorchRL's PettingZooWrapper over FixedSlots."""

import math

import pytest

pytest.importorskip("torchrl")


def test_torchrl_mappo_smoke(load_example):
    module = load_example("torchrl_mappo")
    results = module.main(module.smoke_args())
    assert results["iterations"] == module.SMOKE["iterations"]
    assert results["episodes"] >= 1
    assert len(results["episode_returns"]) <= results["episodes"]
    assert math.isfinite(results["loss"])
