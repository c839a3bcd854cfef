"""``experiments.leaderboard``'s table: the best method in bold, its shares of the bound and of the best-known plan."""

from experiments import leaderboard


def cell(task, method, revenue, known=True):
    row = {"task": task, "method": method, "revenue_mean": revenue, "revenue_lo": revenue - 10,
           "revenue_hi": revenue + 10, "bound_mean": 3000.0, "share_mean": revenue / 3000, "share_lo": 0.5,
           "share_hi": 0.7}
    if known:
        row |= {"best_known_mean": 2500.0, "of_best_known_mean": revenue / 2500, "of_best_known_lo": 0.75,
                "of_best_known_hi": 0.85}
    return {k: str(v) for k, v in row.items()}


def test_each_task_row_bolds_the_best_method_and_gives_its_shares():
    summary = [cell("small-quick", "km", 1900.0), cell("small-quick", "tuned-km", 2100.0),
               cell("small-deep-dags", "km", 3800.0, known=False)]
    lines = leaderboard.table(summary, "v1", ["km", "tuned-km"]).splitlines()
    assert lines[0] == "| task | bound | best-known | KM | TUNED-KM | best / bound | best / best-known |"
    rows = {line.split(" | ")[0].strip("| "): line for line in lines[2:]}
    assert rows["small-quick"] == ("| small-quick | 3,000 | 2,500 | 1,900 ± 10 | **2,100 ± 10** | "
                                   "0.70 [0.50, 0.70] TUNED-KM | 0.840 [0.750, 0.850] |")
    assert rows["small-deep-dags"].endswith("| **3,800 ± 10** | - | 1.27 [0.50, 0.70] KM | - |")
    assert "small-rush-hour" not in rows
