"""Headroom you can see: the hindsight optimum of an episode and the plan that reaches it.

``solve_exact`` maximises Eq. 2 with every task known in advance (OR-Tools CP-SAT; install the extra
``pip install 'dasc-env[bounds]'``), ``replay_plan`` executes its plan in the env and checks the ledger;
``relaxed_bound`` is a provable upper bound at any scale (numpy/scipy only); ``episode_bound`` picks one
for an env's episode.
"""

from .episode import AUTO_EXACT_SUBTASKS, AUTO_TIME_LIMIT, BOUNDS, EpisodeBound, check_bound_option, episode_bound
from .exact import REVENUE_STEP, solve_exact
from .instance import ClairvoyantInstance, build_instance
from .plan import HindsightPlan, PlannedMatch
from .relaxed import RelaxedBound, relaxed_bound
from .replay import REPLAY_TOL, PlanNotExecutable, ReplayPolicy, ReplayResult, replay_plan

__all__ = [
    "AUTO_EXACT_SUBTASKS",
    "AUTO_TIME_LIMIT",
    "BOUNDS",
    "REPLAY_TOL",
    "REVENUE_STEP",
    "ClairvoyantInstance",
    "EpisodeBound",
    "HindsightPlan",
    "PlanNotExecutable",
    "PlannedMatch",
    "ReplayPolicy",
    "RelaxedBound",
    "ReplayResult",
    "build_instance",
    "check_bound_option",
    "episode_bound",
    "relaxed_bound",
    "replay_plan",
    "solve_exact",
]
