"""Three hand-made scenarios whose best policy is known, for the learning-sanity tests.

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

``OPTIMA`` holds each scenario's best revenue; ``test_scenarios.py`` establishes it independently of any
learner (the hindsight optimum of ``dasc_env.bounds.solve_exact``, proven optimal, is reached by a scripted
online policy). ``training_config`` and ``scores`` are how ``test_learning.py`` and
``benchmarks/learning_sanity.py`` train on a scenario and score the result.
"""

from __future__ import annotations

import numpy as np

from dasc_env import DASCConfig
from dasc_env.evaluation import run_episode
from dasc_env.scenario import Scenario, ScenarioBuilder
from rmo_agents import RMOPolicy, preset

EPISODES = 400
"""Training episodes per seed: 100 updates of the practical preset's 4 episodes."""
SAMPLED_EPISODES = 16
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


def training_config(name: str, scenario_path, out, seed: int, episodes: int, preset_name: str = "practical"):
    """``preset(preset_name)`` on scenario ``name`` (saved at ``scenario_path``) with a small model."""
    env = config_for(SCENARIOS[name]())
    dasc = {"decision_interval": env.decision_interval, "zeta": env.zeta, "num_skills": env.num_skills,
            "max_subtasks": env.max_subtasks}
    return preset(preset_name).with_overrides([
        f"env.scenario={scenario_path}", "env.city=small", f"run.episodes={episodes}", f"run.seed={seed}",
        "run.eval_every=0", "run.progress=false", f"run.out={out}", "run.device=cpu", "run.threads=1",
        "model.gat_heads=2", "model.gat_hidden=8", "model.actor_hidden=[32]", "model.critic_hidden=16",
    ]).replace_path("env.dasc", dasc)


def scores(checkpoint, env) -> tuple[float, float]:
    """(arg-max revenue, mean sampled revenue over ``SAMPLED_EPISODES`` action seeds) on the fixed scenario."""
    greedy = run_episode(env, RMOPolicy.load(checkpoint, sample=False), seed=0)["revenue"]
    policy = RMOPolicy.load(checkpoint)
    sampled = np.mean([run_episode(env, policy, seed=s)["revenue"] for s in range(SAMPLED_EPISODES)])
    return greedy, float(sampled)
