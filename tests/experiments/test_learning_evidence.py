"""``experiments.learning_evidence`` at a tiny size: one seed, two training episodes, two test seeds; eta searched
on one episode a side, so that the ablation's two variants are trained too."""

import csv

import numpy as np
import pytest

from experiments import learning_evidence


def read(path):
    with path.open() as f:
        return list(csv.DictReader(f))


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def evidence(tmp_path_factory):
    out = tmp_path_factory.mktemp("evidence")
    summary = learning_evidence.main(["--tasks", "small-quick", "--seeds", "1", "--episodes", "2", "--eval-every",
                                      "1", "--test-seeds", "2", "--set", "env.num_envs=2", "--set", "search.eta=true",
                                      "--set", "search.eta_episodes=1", "--out", str(out)])
    return learning_evidence, summary, out


def test_every_non_learning_method_and_every_actor_is_scored_on_the_same_test_seeds(evidence):
    _, summary, out = evidence
    rows = read(out / "episodes.csv")
    methods = {r["method"] for r in rows}
    assert methods == {"greedy", "km", "ready-km", "admit-km", "all", "wait-km", "tuned-km", "untrained",
                       "learned", "learned-argmax", "scalars-only", "network-only"}
    for method in methods:
        assert sorted(r["seed"] for r in rows if r["method"] == method) == ["1000000", "1000001"]
    assert {(s["method"], s["seeds"]) for s in summary} >= {
        ("untrained", 1), ("learned", 1), ("learned-argmax", 1), ("scalars-only", 1), ("network-only", 1)}
    for folder in ("seed-0", "scalars-only/seed-0", "network-only/seed-0"):
        for name in ("first.pt", "last.pt"):
            assert (out / "small-quick" / folder / name).exists()
    assert (out / "ratios.png").stat().st_size > 0 and (out / "curves.png").stat().st_size > 0


def test_ratios_and_gap_closed_are_computed_from_the_episodes(evidence):
    _, summary, out = evidence
    rows = read(out / "episodes.csv")
    means = {m: np.mean([float(r["revenue"]) for r in rows if r["method"] == m]) for m in {r["method"] for r in rows}}
    rules = ("greedy", "km", "ready-km", "admit-km", "all", "wait-km", "tuned-km")
    baselines = {m: v for m, v in means.items() if m in rules}
    best = max(baselines.values())
    bound = np.mean([float(r["bound"]) for r in rows if r["method"] == "km"])
    assert bound >= best
    by_method = {s["method"]: s for s in summary}
    assert by_method[max(baselines, key=baselines.get)]["ratio"] == pytest.approx(1.0)
    learned = by_method["learned"]
    assert learned["ratio"] == pytest.approx(means["learned"] / best)
    assert learned["gap_closed"] == pytest.approx((means["learned"] - best) / (bound - best))
    assert learned["vs_untrained"] == pytest.approx((means["learned"] - means["untrained"]) / best)


def test_every_run_s_learning_curve_starts_untrained_and_ends_after_training(evidence):
    _, _, out = evidence
    curves = read(out / "curves.csv")
    for variant in ("learned", "scalars-only", "network-only"):
        curve = [r for r in curves if r["variant"] == variant]
        assert [int(r["episodes"]) for r in curve] == [0, 2]
        assert float(curve[0]["train_s"]) == 0.0 < float(curve[-1]["train_s"])


def test_reuse_scores_the_saved_runs_again_and_keeps_their_curves(evidence):
    module, summary, out = evidence
    before = read(out / "curves.csv")
    again = module.main(["--tasks", "small-quick", "--seeds", "1", "--reuse", "--test-seeds", "2", "--set",
                         "search.eta=true", "--out", str(out)])
    assert read(out / "curves.csv") == before
    assert [(s["method"], s["revenue"]) for s in again] == [(s["method"], s["revenue"]) for s in summary]


def test_the_ablation_runs_only_where_the_configuration_searches():
    assert learning_evidence.ablation("revenue", ()) == learning_evidence.ABLATION
    assert learning_evidence.ablation("practical", ()) == {}
    assert learning_evidence.ablation("practical", ("search.eta=true",)) == learning_evidence.ABLATION


def test_each_ablation_variant_turns_off_what_its_name_says():
    from rmo_agents import preset

    scalars = preset("revenue").with_overrides(list(learning_evidence.ABLATION["scalars-only"]))
    network = preset("revenue").with_overrides(list(learning_evidence.ABLATION["network-only"]))
    assert scalars.optim.lr_theta <= 1e-12 and scalars.optim.lr_theta_hat <= 1e-12
    assert scalars.search.eta and scalars.model.decision_bias
    assert not network.search.eta and not network.model.decision_bias
    assert network.optim == preset("revenue").optim

