"""Headroom you can see: the hindsight optimum of an episode and the plan that reaches it.

``solve_exact`` maximises Eq. 2 with every task known in advance (OR-Tools CP-SAT; install the extra
``pip install 'dasc-env[bounds]'``), ``replay_plan`` executes its plan in the env and checks the ledger;
``relaxed_bound`` is a provable upper bound at any scale (numpy/scipy only), ``time_indexed_bound`` a tighter one
for small episodes (a route LP by column generation, HiGHS); ``episode_bound`` picks one
for an env's episode. Any method's ledger is a plan (``plan_of_routes(inst, ledger_routes(...))``), a warm start
of ``solve_exact`` (``incumbents``) and of ``improve_plan``, the large-neighbourhood search that re-solves a few
workers at a time and so scales where the whole model does not. ``save_plan`` / ``load_plan`` keep a plan in
a small file; ``reference`` reads the suite's published best-known plan and bound of a test seed.
"""

from .episode import AUTO_EXACT_SUBTASKS, AUTO_TIME_LIMIT, BOUNDS, EpisodeBound, check_bound_option, episode_bound
from .exact import solve_exact
from .incumbent import ledger_routes, plan_of_routes
from .instance import ClairvoyantInstance, build_instance
from .lns import NEIGHBOURHOODS, LNSStep, improve_plan
from .model import REVENUE_STEP
from .plan import HindsightPlan, PlannedMatch
from .plan_file import load_plan, save_plan
from .reference_data import Reference, publish, published, reference, references
from .relaxed import RelaxedBound, relaxed_bound
from .replay import REPLAY_TOL, PlanNotExecutable, ReplayPolicy, ReplayResult, replay_plan
from .time_indexed import TimeIndexedBound, time_indexed_bound

__all__ = [
    "AUTO_EXACT_SUBTASKS",
    "AUTO_TIME_LIMIT",
    "BOUNDS",
    "NEIGHBOURHOODS",
    "REPLAY_TOL",
    "REVENUE_STEP",
    "ClairvoyantInstance",
    "EpisodeBound",
    "HindsightPlan",
    "LNSStep",
    "PlanNotExecutable",
    "PlannedMatch",
    "Reference",
    "ReplayPolicy",
    "RelaxedBound",
    "ReplayResult",
    "TimeIndexedBound",
    "build_instance",
    "check_bound_option",
    "episode_bound",
    "improve_plan",
    "ledger_routes",
    "load_plan",
    "plan_of_routes",
    "publish",
    "published",
    "reference",
    "references",
    "relaxed_bound",
    "replay_plan",
    "save_plan",
    "solve_exact",
    "time_indexed_bound",
]
