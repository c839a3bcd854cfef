import numpy as np
import pytest

from dasc_env import DASCConfig
from dasc_env.epochs import epoch_index, first_epoch, horizon, is_published, last_epoch, past_horizon
from tests.builders import make_scenario


def test_a_task_is_published_at_the_first_epoch_at_or_after_its_creation():
    # epochs every 15 s: created at 0 -> epoch 0, at 15 -> 1 (ties publish at once), at 15.5 -> 2
    assert first_epoch(np.array([0.0, 15.0, 15.5, 29.9]), 15.0).tolist() == [0, 1, 2, 2]


def test_float_noise_in_the_creation_time_does_not_move_a_task_to_the_next_epoch():
    assert int(first_epoch(0.1 + 0.2, 0.3)) == 1  # 0.30000000000000004 s is the epoch at 0.3 s
    assert is_published(0.1 + 0.2, 0.3)


def test_first_epoch_agrees_with_is_published():
    created = np.random.default_rng(0).uniform(0, 600, 1000)
    k = first_epoch(created, 7.5)
    assert is_published(created, k * 7.5).all() and not is_published(created, (k - 1) * 7.5).any()


def test_the_horizon_defaults_to_the_latest_deadline():
    s = make_scenario([(0, [0])], [dict(created=0, expected=50, deadline=d, payment=1, subtasks=[(0, [0], 1)])
                                   for d in (90.0, 300.0)])
    assert horizon(DASCConfig(), s) == 300.0
    assert horizon(DASCConfig(horizon=120.0), s) == 120.0


@pytest.mark.parametrize("end, last", [(60.0, 3), (61.0, 4), (15.0, 0), (0.0, -1)])
def test_the_last_epoch_is_the_last_one_before_the_horizon(end, last):
    assert last_epoch(end, 15.0) == last
    assert not past_horizon(last * 15.0, end) or last < 0
    assert past_horizon((last + 1) * 15.0, end)


def test_epoch_index_reads_through_float_drift():
    now = sum([0.1] * 30)  # 2.9999999999999996 s after 30 epochs of 0.1 s
    assert epoch_index(now, 0.1) == 30
