"""The per-agent action space and the check of an action against it (``dasc_env.env.actions``)."""

import numpy as np
import pytest

from dasc_env.env import action_space, is_binary_action


def test_the_action_space_is_no_or_recommend():
    assert action_space().n == 2


@pytest.mark.parametrize("action", [0, 1, True, False, np.int8(1), np.int64(0), np.bool_(True), np.array(1)])
def test_zero_and_one_of_any_integer_type_are_actions(action):
    assert is_binary_action(action)


@pytest.mark.parametrize("action", [2, -1, 0.5, 1.0, "1", None, np.array([1]), np.array(2), np.float32(1)])
def test_anything_else_is_not_an_action(action):
    assert not is_binary_action(action)
