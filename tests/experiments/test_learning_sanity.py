"""``experiments.learning_sanity``: the table of the learning-sanity scenarios, for any preset."""

from experiments import learning_sanity as module
from rmo_agents import preset


def test_the_preset_option_trains_that_preset_with_the_scenarios_small_model(tmp_path):
    config = module.training_config("wait_for_near_worker", tmp_path / "s.npz", tmp_path / "out", 0, 4, "revenue")
    assert config.meta == preset("revenue").meta and config.ppo == preset("revenue").ppo
    assert config.credit == preset("revenue").credit and config.search == preset("revenue").search
    assert config.model.decision_bias and config.model.gat_hidden == 8
    rows = module.main(["--preset", "revenue", "--seeds", "1", "--episodes", "4"])
    assert [r["scenario"] for r in rows] == list(module.SCENARIOS)
    assert all(r["settings"] == "revenue" and r["optimum"] == module.OPTIMA[r["scenario"]] for r in rows)
