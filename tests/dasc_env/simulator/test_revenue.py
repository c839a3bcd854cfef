import pytest

from dasc_env.simulator import payment_after_delay, shaped_reward, task_revenue

ZETA, KAPPA = 0.02, 1e-3


def test_early_task_earns_full_payment_minus_travel():
    # rho = 100, done before t_e, 2.5 km travelled: 100 - 0.001 * 2500
    assert task_revenue(100.0, 900.0, 1000.0, 2000.0, 2500.0, ZETA, KAPPA) == pytest.approx(97.5)


def test_late_task_loses_zeta_per_minute():
    # 5 minutes late: (1 - 0.02 * 5) * 100 - 0.5
    assert task_revenue(100.0, 1300.0, 1000.0, 2000.0, 500.0, ZETA, KAPPA) == pytest.approx(89.5)


def test_missed_deadline_earns_only_the_travel_cost():
    assert task_revenue(100.0, 2100.0, 1000.0, 2000.0, 500.0, ZETA, KAPPA) == pytest.approx(-0.5)


def test_payment_never_goes_negative():
    assert payment_after_delay(100.0, 6000.0, ZETA) == 0.0


@pytest.mark.parametrize("finish, expected", [
    (400.0, 100 / 4 - 0.3),  # by t^e_tau: rho_max / |T| - kappa d
    (700.0, 100 * (1 - 0.02 * 10) / 4 - 0.3),  # between: rho_min / |T| - kappa d, rho_min paid at t_d
    (900.0, 0.0),  # at t^d_tau
])
def test_shaped_reward_follows_eq_3(finish, expected):
    # t^e_tau = 500, t^d_tau = 900, t_d - t_e = 600 s = 10 min, 300 m travelled, |T| = 4
    got = shaped_reward(100.0, 4, finish, 500.0, 900.0, 600.0, 300.0, ZETA, KAPPA)
    assert got == pytest.approx(expected)
