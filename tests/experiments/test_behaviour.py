"""``experiments.behaviour``: the comparison it draws between two dumps."""

import math
import pickle

from experiments import behaviour


def test_nan_equals_nan_and_wall_times_are_ignored():
    assert behaviour.same({"revenue": math.nan, "wall_s": 1.0}, {"revenue": math.nan, "wall_s": 2.0})
    assert not behaviour.same({"revenue": 1.0}, {"revenue": 1.0 + 1e-12})
    assert not behaviour.same([(1, 2)], [(1, 2), (3, 4)])


def test_compare_names_the_entries_that_differ(tmp_path, capsys):
    key = ("small-quick", "asis", 1, "km")
    before, after, again = (tmp_path / f"{n}.pkl" for n in ("before", "after", "again"))
    for path, revenue in ((before, 1.0), (after, 2.0), (again, 1.0)):
        with path.open("wb") as f:
            pickle.dump({key: ({"revenue": revenue, "wall_s": revenue}, [], [])}, f)
    assert behaviour.main(["compare", str(before), str(again)]) == 0
    assert behaviour.main(["compare", str(before), str(after)]) == 1
    assert "1 differ" in capsys.readouterr().out
