import itertools

import numpy as np
import pytest

from dasc_env.matching import greedy_assignment, km_assignment


def brute_force_best(utility, feasible):
    n, m = utility.shape
    best = 0.0
    for cols in itertools.product([None, *range(m)], repeat=n):
        used = [c for c in cols if c is not None]
        if len(used) != len(set(used)):
            continue
        if any(c is not None and not feasible[r, c] for r, c in enumerate(cols)):
            continue
        best = max(best, sum(utility[r, c] for r, c in enumerate(cols) if c is not None))
    return best


@pytest.mark.parametrize("seed", range(25))
def test_km_total_equals_brute_force_and_uses_feasible_pairs_only(seed):
    rng = np.random.default_rng(seed)
    n, m = rng.integers(1, 5), rng.integers(1, 6)
    utility = rng.random((n, m))
    feasible = rng.random((n, m)) < 0.6
    rows, cols = km_assignment(utility, feasible)
    assert feasible[rows, cols].all()
    assert len(set(rows)) == len(rows) and len(set(cols)) == len(cols)
    assert utility[rows, cols].sum() == pytest.approx(brute_force_best(utility, feasible))


def test_km_rejects_nan_utility():
    with pytest.raises(ValueError, match="NaN"):
        km_assignment(np.array([[np.nan]]), np.array([[True]]))


def test_km_ignores_nan_on_infeasible_pairs():
    rows, cols = km_assignment(np.array([[np.nan, 0.5]]), np.array([[False, True]]))
    assert rows.tolist() == [0] and cols.tolist() == [1]


def test_greedy_gives_each_row_its_nearest_free_feasible_column():
    distance = np.array([[5.0, 1.0, 3.0], [9.0, 2.0, 4.0]])
    feasible = np.array([[True, True, True], [True, True, False]])
    rows, cols = greedy_assignment(distance, feasible)
    # Row 0 takes column 1; row 1's nearest free feasible column is then 0 (column 2 is infeasible).
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0]
