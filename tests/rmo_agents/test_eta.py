"""eta as a module and eta from revenue: ``central_difference`` against closed forms."""

import numpy as np

from rmo_agents.eta import central_difference


def test_central_difference_is_exact_on_a_quadratic_revenue():
    def revenue(eta):
        return 3.0 * eta[0] - 2.0 * eta[0] ** 2 + 5.0 * eta[1]

    grad = central_difference(revenue, (0.4, 0.5), 0.05)
    np.testing.assert_allclose(grad, [3.0 - 4.0 * 0.4, 5.0], atol=1e-12)


def test_central_difference_at_the_edge_uses_the_clipped_span():
    grad = central_difference(lambda eta: 2.0 * eta[0] + eta[1], (1.0, 0.0), 0.1)
    np.testing.assert_allclose(grad, [2.0, 1.0], atol=1e-12)
