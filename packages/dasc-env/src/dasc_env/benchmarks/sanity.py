"""Three hand-made scenarios whose best policy is known: a sanity check for any learner.

Users of any algorithm (not only this repository's RMO learner) can check that it reaches the known optimum
``OPTIMA`` of each scenario before trusting it on the benchmark suite.

>>> import dasc_env
>>> from dasc_env.benchmarks.sanity import OPTIMA, SCENARIOS, config_for
>>> scenario = SCENARIOS["wait_for_near_worker"]()
>>> env = dasc_env.parallel_env(config_for(scenario), scenario=scenario)   # the fixed episode, any seed
>>> OPTIMA["wait_for_near_worker"]
249.891

Each is tiny (two or three tasks, one to three workers, 60 s decision epochs, a few decision steps per
episode) so that a learner trains on it in seconds, and each isolates one decision:

* ``recommend_at_once``: three two-subtask chains, each with its own worker on the spot and t_e equal to the
  sum of the durations. Every epoch a subtask waits costs zeta * rho of lateness: recommending whenever
  allowed is optimal.
* ``doomed_task_blocks``: the one worker W is wanted by task A (its second subtask needs a skill nobody has:
  it can never finish) and task B (its deadline leaves W no time for anything else). Starting A, even
  together with B (the matcher prefers A's nearer subtask), loses B: never starting A is optimal.
* ``wait_for_near_worker``: task P takes worker N at once (only N has its skill; its deadline leaves no slack).
  Task X, published one epoch later, can take the far worker F now (3 km: lateness and travel) or N once N
  has finished P (one epoch later): X waiting is optimal.

``OPTIMA`` holds each scenario's best revenue; the repository's ``tests/rmo_agents/learning/test_scenarios.py``
establishes it independently of any learner (the hindsight optimum of ``dasc_env.bounds.solve_exact``, proven
optimal, is reached by a scripted online policy). How the repository's learner trains on them and is scored
(``tests/rmo_agents/learning/test_learning.py``, ``python -m experiments.learning_sanity``) is
``experiments/sanity.py``.
"""

from __future__ import annotations

from ..config import DASCConfig
from ..scenario import Scenario, ScenarioBuilder

__all__ = ["DECISION_INTERVAL", "OPTIMA", "SCENARIOS", "ZETA", "config_for", "doomed_task_blocks",
           "recommend_at_once", "wait_for_near_worker"]

DECISION_INTERVAL = 60.0
ZETA = 0.05
"""Share of rho lost per minute late (Eq. 1): steep, so that one epoch of waiting is visible."""


def recommend_at_once() -> Scenario:
    b = ScenarioBuilder(city="small", num_skills=3)
    for q, (node, start, created) in enumerate([(12, 13, 0.0), (51, 32, 0.0), (3, 12, 60.0)]):
        task = b.task(created=created, expected=created + 240.0, deadline=created + 1800.0, payment=100.0)
        first = task.subtask(node=node, skills=[q], duration=120.0)
        task.subtask(node=node, skills=[q], duration=120.0, after=[first])
        b.worker(node=start, skills=[q])
    return b.build()


def doomed_task_blocks() -> Scenario:
    b = ScenarioBuilder(city="small", num_skills=3)
    doomed = b.task(created=0.0, expected=600.0, deadline=1800.0, payment=100.0)
    start = doomed.subtask(node=13, skills=[0], duration=60.0)  # 87 m from W
    doomed.subtask(node=13, skills=[2], duration=60.0, after=[start])  # no worker has skill 2
    urgent = b.task(created=0.0, expected=90.0, deadline=100.0, payment=100.0)
    urgent.subtask(node=51, skills=[0], duration=60.0)  # 296 m from W: only W leaving at once makes t_d
    b.worker(node=12, skills=[0, 1])
    return b.build()


def wait_for_near_worker() -> Scenario:
    b = ScenarioBuilder(city="small", num_skills=3)
    first = b.task(created=0.0, expected=100.0, deadline=110.0, payment=50.0)
    first.subtask(node=32, skills=[0], duration=100.0)  # only N has skill 0: N is busy until t = 100
    later = b.task(created=60.0, expected=210.0, deadline=1800.0, payment=200.0)
    later.subtask(node=12, skills=[1], duration=60.0)  # 109 m from N's position, 3 km from F
    b.worker(node=32, skills=[0, 1])  # N: on P's spot
    b.worker(node=360, skills=[1])  # F
    return b.build()


SCENARIOS = {"recommend_at_once": recommend_at_once, "doomed_task_blocks": doomed_task_blocks,
             "wait_for_near_worker": wait_for_near_worker}


def config_for(scenario: Scenario) -> DASCConfig:
    """The env config every test uses with ``scenario``."""
    return scenario.fit_config(city="small", decision_interval=DECISION_INTERVAL, zeta=ZETA)


OPTIMA = {"recommend_at_once": 278.735, "doomed_task_blocks": 99.704, "wait_for_near_worker": 249.891}
"""Best revenue E(M) of each scenario (``test_scenarios.py`` proves it), to 1e-3."""
