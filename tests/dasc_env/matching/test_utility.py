import math

import numpy as np
import pytest

from dasc_env.matching import (
    distance_utility,
    matching_utility,
    skill_utility,
    time_utility,
    utility_weights,
)


def test_weights_follow_eq_13_and_sum_to_one():
    v = utility_weights(0.8, 0.25)
    assert v == pytest.approx((0.2, 0.6, 0.2))
    assert sum(v) == pytest.approx(1.0)


def test_weights_reject_eta_outside_the_unit_square():
    with pytest.raises(ValueError, match="alpha"):
        utility_weights(1.2, 0.5)


def test_skill_utility_is_required_over_possessed():
    np.testing.assert_allclose(skill_utility(np.array([1, 2]), np.array([2, 4])), [[0.5, 0.25], [1.0, 0.5]])


def test_distance_utility_is_one_at_zero_and_zero_at_range():
    np.testing.assert_allclose(distance_utility(np.array([0.0, 1250.0, 5000.0]), 5000.0), [1.0, 0.75, 0.0])


def test_time_utility_is_inverse_e_at_expected_and_one_at_deadline():
    got = time_utility(np.array([100.0, 300.0, 200.0]), 100.0, 300.0)
    np.testing.assert_allclose(got, [1 / math.e, 1.0, math.exp(-0.5)])


def test_matching_utility_combines_the_three_terms():
    # alpha = 0.5, beta = 0.5: v = (0.25, 0.25, 0.5)
    assert matching_utility(0.4, 0.8, 1.0, 0.5, 0.5) == pytest.approx(0.25 * 0.4 + 0.25 * 0.8 + 0.5)
