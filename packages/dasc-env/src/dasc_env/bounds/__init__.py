"""Headroom you can see: the hindsight optimum of an episode and the plan that reaches it.

``solve_exact`` maximises Eq. 2 with every task known in advance (OR-Tools CP-SAT; install the extra
``pip install 'dasc-env[bounds]'``), ``replay_plan`` executes its plan in the env and checks the ledger;
``relaxed_bound`` is a provable upper bound at any scale (numpy/scipy only).
"""

from .exact import REVENUE_STEP, solve_exact
from .instance import ClairvoyantInstance, build_instance
from .plan import HindsightPlan, PlannedMatch
from .relaxed import RelaxedBound, relaxed_bound
from .replay import REPLAY_TOL, PlanNotExecutable, ReplayPolicy, ReplayResult, replay_plan

__all__ = [
    "REPLAY_TOL",
    "REVENUE_STEP",
    "ClairvoyantInstance",
    "HindsightPlan",
    "PlanNotExecutable",
    "PlannedMatch",
    "ReplayPolicy",
    "RelaxedBound",
    "ReplayResult",
    "build_instance",
    "relaxed_bound",
    "replay_plan",
    "solve_exact",
]
