"""RunLogger: one CSV row and TensorBoard scalars per update; a column that appears later widens the CSV."""

import csv
import math

from rmo_agents import Trainer
from rmo_agents.logger import RunLogger
from tests.rmo_agents.builders import tiny_config


def read(path) -> list[dict[str, str]]:
    with path.open() as f:
        return list(csv.DictReader(f))


def test_each_log_call_writes_one_row_with_the_counters(tmp_path):
    logger = RunLogger(tmp_path, total=4, progress=False)
    logger.log(2, 1, {"revenue": 10.0, "loss_theta": -0.5})
    logger.log(4, 2, {"revenue": 12.5, "loss_theta": -0.25})
    logger.close()
    rows = read(tmp_path / "metrics.csv")
    assert [(r["episodes"], r["updates"], r["revenue"]) for r in rows] == [("2", "1", "10.0"), ("4", "2", "12.5")]
    assert list((tmp_path / "tb").glob("events.out.tfevents.*"))


def test_a_new_column_rewrites_the_header_and_keeps_earlier_rows(tmp_path):
    logger = RunLogger(tmp_path, total=2, progress=False)
    logger.log(1, 1, {"revenue": 1.0})
    logger.log(2, 2, {"revenue": 2.0, "eval_revenue": 3.0})
    logger.close()
    rows = read(tmp_path / "metrics.csv")
    assert [r["eval_revenue"] for r in rows] == ["", "3.0"] and [r["revenue"] for r in rows] == ["1.0", "2.0"]


def test_a_resumed_logger_appends_under_the_same_header(tmp_path):
    first = RunLogger(tmp_path, total=3, progress=False)
    first.log(1, 1, {"revenue": 1.0, "alpha": 0.5})
    first.close()
    resumed = RunLogger(tmp_path, total=3, start=1, progress=False)
    resumed.log(2, 2, {"alpha": 0.6, "revenue": 2.0})
    resumed.close()
    rows = read(tmp_path / "metrics.csv")
    assert [(r["revenue"], r["alpha"]) for r in rows] == [("1.0", "0.5"), ("2.0", "0.6")]


def test_a_non_finite_scalar_is_kept_in_the_csv(tmp_path):
    logger = RunLogger(tmp_path, total=1, progress=False)
    logger.log(1, 1, {"meta_cos": math.nan})
    logger.close()
    assert read(tmp_path / "metrics.csv")[0]["meta_cos"] == "nan"


def test_a_training_run_gains_the_eval_column_when_the_first_evaluation_comes(tmp_path):
    Trainer(tiny_config(tmp_path, episodes=2, eval_every=2, eval_seeds=1)).run()
    rows = read(tmp_path / "metrics.csv")
    assert len(rows) == 2 and rows[0]["eval_revenue"] == "" and rows[1]["eval_revenue"] != ""
