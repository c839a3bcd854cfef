"""Configuration of a DASC environment: one typed dataclass, Table 1 as defaults.

Units used throughout the package: metres, seconds, and one currency unit for
payments. Every field is documented once, here, with the paper's symbol.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Literal, get_args

from .city import PRESETS

REWARD_MODES = ("sparse", "shaped")
DEMAND_MODELS = ("hotspots", "uniform")
MATCHERS = ("km", "greedy")
"""The built-in Stage 2 matchers by name (``matching.BUILTIN_MATCHERS`` solves each); the one list of them."""
TaskFailure = Literal["paper", "skills", "travel"]
"""When a live task fails before t_d (``DASCConfig.task_failure``)."""
TASK_FAILURES: tuple[str, ...] = get_args(TaskFailure)
CUSTOM_CITY = "custom"
"""``DASCConfig.city`` of an env that runs on a ``RoadGraph`` it was given."""


@dataclass(frozen=True)
class DASCConfig:
    """Every knob of the simulator, with the paper's Table 1 / Table 2 defaults.

    Task generation (``t_e``, ``t_d``, ``rho``): with ``S_q`` the sum of the
    durations of task ``q``'s subtasks, ``t_e = t_c + expected_factor * S_q``,
    ``t_d = t_c + deadline_factor * S_q`` and
    ``rho = payment_per_minute * S_q / 60`` -- the per-task-sum factors 1.3,
    2.5 and 10 of the authors' data.
    """

    # --- scale (Table 2) ---
    num_tasks: int = 60
    """|Q|: spatial tasks in the stream of one episode."""
    num_workers: int = 300
    """|W|: workers on the platform."""

    # --- city ---
    city: str = "chengdu"
    """Name of a synthetic city preset (see ``dasc_env.city.PRESETS``), or "custom": the env runs on a
    ``RoadGraph`` passed to it (the env sets this; the graph's own name is ``env.graph.name``)."""
    city_seed: int = 0
    """Seed of the synthetic city: the map stays fixed while scenarios vary."""

    # --- demand (see dasc_env.scenario.CityDemand) ---
    demand: str = "hotspots"
    """"hotspots" (locations cluster around centres, skills follow a POI map) or "uniform"."""
    num_hotspots: int = 8
    """Demand centres in the city."""
    hotspot_share: float = 0.7
    """Share of locations drawn near a centre; the rest are uniform over the nodes."""
    hotspot_radius: float = 1000.0
    """Standard deviation (metres) of the Gaussian around each centre."""
    poi_per_category: int = 40
    """Points of interest per skill category on the POI map."""
    poi_radius: float = 600.0
    """Standard deviation (metres) of a POI's influence on nearby subtasks' skills."""

    # --- time ---
    arrival_window: float = 3600.0
    """Seconds over which task creation times t_c are spread (uniformly)."""
    decision_interval: float = 5.0
    """Seconds between decision epochs."""
    horizon: float | None = None
    """Episode end in seconds; None means the latest task deadline t_d."""

    # --- workers (Table 1 and "Experimental Setup") ---
    worker_speed: float = 10.0
    """v_w: worker travel speed in m/s."""
    worker_range: float = 5000.0
    """L^w: the farthest a worker travels to a subtask, in metres."""
    num_skills: int = 10
    """Skill (POI) categories."""
    worker_skill_mean: float = 3.5
    """Mean of the Normal number of skills a worker has (clipped to 1..num_skills)."""
    worker_skill_std: float = 1.0
    """Standard deviation of that Normal."""

    # --- tasks and subtasks ---
    min_subtasks: int = 6
    """|T|_min: fewest subtasks in a task."""
    max_subtasks: int = 16
    """|T|_max: most subtasks in a task."""
    dag_edge_prob: float = 0.25
    """Probability of each forward edge i -> j (i < j) of a task's random DAG."""
    subtask_skill_loc: float = 1.5
    """Location of the skew-normal draw of a subtask's skill count (floored, clipped to 1..3)."""
    subtask_skill_scale: float = math.sqrt(0.5)
    """Scale of that skew-normal (paper: sigma^2 = 0.5)."""
    subtask_skill_skew: float = 10.0
    """Shape (skewness) parameter of that skew-normal (paper: gamma = 10)."""
    min_duration: float = 60.0
    """Shortest subtask duration t in seconds (durations are uniform)."""
    max_duration: float = 300.0
    """Longest subtask duration t in seconds."""
    expected_factor: float = 1.3
    """t_e = t_c + expected_factor * S_q."""
    deadline_factor: float = 2.5
    """t_d = t_c + deadline_factor * S_q."""
    payment_per_minute: float = 10.0
    """rho = payment_per_minute * S_q / 60."""

    # --- revenue (Eq. 1) ---
    zeta: float = 0.02
    """zeta: share of rho lost per minute of delay past t_e (Eq. 1)."""
    kappa: float = 1e-3
    """kappa: travel cost per metre a worker moves (Eq. 1), i.e. 1 per km."""

    # --- matching (Eq. 9-13) ---
    matcher: str = "km"
    """Stage 2 matcher: "km" (Kuhn-Munkres) or "greedy" (nearest feasible worker)."""
    alpha: float = 0.95
    """alpha of eta (Eq. 13); default: the paper's selected value for Chengdu."""
    beta: float = 0.10
    """beta of eta (Eq. 13); default: the paper's selected value for Chengdu."""

    # --- task failure ---
    task_failure: TaskFailure = "paper"
    """When a live task that can no longer end by t_d fails (its open subtasks leave, revenue -kappa sum d of
    its matches so far; ``TaskOutcome.failed_reason`` says why): "paper", once even starting every open
    subtask now misses t_d (durations only, the paper's model); "skills", also at publication when a
    subtask needs skills no worker of the fleet has (reason "skills"); "travel", also as soon as it is
    provably doomed once the nearest skilled worker's travel is counted (reason "travel"). See
    ``dasc_env.simulator.feasibility``."""

    # --- agents and rewards ---
    reward_mode: str = "sparse"
    """Which channel fills ``rewards``: "sparse" (Eq. 1 to the final subtask) or "shaped" (Eq. 3)."""
    failed_recommendation_reward: float = -1.0
    """Reward of a recommendation that gets no worker (both channels)."""
    top_k_workers: int = 5
    """N^w: nearest idle workers in an observation."""
    top_k_subtasks: int = 5
    """N^tau: nearest other live subtasks in an observation."""

    # --- engineering ---
    distance_cache_mb: float = 256.0
    """Memory for cached shortest-path rows (one float32 row per subtask node)."""

    def __post_init__(self) -> None:
        for name in ("num_tasks", "num_workers", "num_skills", "min_subtasks", "max_subtasks",
                     "top_k_workers", "top_k_subtasks", "city_seed", "num_hotspots", "poi_per_category"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, got {value!r}")
        for name in ("num_tasks", "num_workers", "num_skills", "min_subtasks", "top_k_workers",
                     "top_k_subtasks", "num_hotspots", "poi_per_category"):
            _require(self, getattr(self, name) >= 1, name, "must be >= 1")
        _require(self, self.city_seed >= 0, "city_seed", "must be >= 0")
        _require(self, self.max_subtasks >= self.min_subtasks, "max_subtasks",
                 f"must be >= min_subtasks ({self.min_subtasks})")
        for name in ("arrival_window", "distance_cache_mb", "min_duration", "subtask_skill_scale"):
            _require_finite(self, name)
            _require(self, getattr(self, name) >= 0, name, "must be >= 0")
        for name in ("decision_interval", "worker_speed", "worker_range", "expected_factor",
                     "payment_per_minute", "distance_cache_mb", "hotspot_radius", "poi_radius"):
            _require_finite(self, name)
            _require(self, getattr(self, name) > 0, name, "must be > 0")
        for name in ("worker_skill_mean", "worker_skill_std", "subtask_skill_loc", "subtask_skill_skew",
                     "zeta", "kappa", "failed_recommendation_reward", "max_duration"):
            _require_finite(self, name)
        _require(self, self.max_duration >= self.min_duration, "max_duration",
                 f"must be >= min_duration ({self.min_duration})")
        _require(self, self.min_duration > 0, "min_duration", "must be > 0")
        _require(self, self.worker_skill_std >= 0, "worker_skill_std", "must be >= 0")
        _require(self, self.deadline_factor > self.expected_factor, "deadline_factor",
                 f"must be > expected_factor ({self.expected_factor})")
        _require(self, self.zeta >= 0, "zeta", "must be >= 0")
        _require(self, self.kappa >= 0, "kappa", "must be >= 0")
        _require(self, 0.0 <= self.dag_edge_prob <= 1.0, "dag_edge_prob", "must be in [0, 1]")
        check_eta(self.alpha, self.beta)
        _require(self, self.reward_mode in REWARD_MODES, "reward_mode", f"must be one of {REWARD_MODES}")
        _require(self, self.matcher in MATCHERS, "matcher", f"must be one of {MATCHERS}")
        _require(self, self.task_failure in TASK_FAILURES, "task_failure", f"must be one of {TASK_FAILURES}")
        _require(self, self.demand in DEMAND_MODELS, "demand", f"must be one of {DEMAND_MODELS}")
        _require(self, self.city in PRESETS or self.city == CUSTOM_CITY, "city",
                 f"must be a synthetic preset, one of {sorted(PRESETS)}, or {CUSTOM_CITY!r} "
                 "(pass a RoadGraph to the env for any other city)")
        _require_finite(self, "hotspot_share")
        _require(self, 0.0 <= self.hotspot_share <= 1.0, "hotspot_share", "must be in [0, 1]")
        if self.horizon is not None:
            _require_finite(self, "horizon")
            _require(self, self.horizon > 0, "horizon", "must be > 0 or None")

    def replace(self, **changes) -> DASCConfig:
        """A copy with ``changes`` applied (validated like the constructor)."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise TypeError(f"unknown DASCConfig field(s): {sorted(unknown)}")
        return replace(self, **changes)

    def to_dict(self) -> dict:
        return asdict(self)


def check_eta(alpha: float, beta: float) -> None:
    """Raise ``ValueError`` unless eta = (alpha, beta) lies in [0, 1]^2 (Eq. 13)."""
    for name, value in (("alpha", alpha), ("beta", beta)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{name} must be a real number, got {value!r}")
        if not (0.0 <= value <= 1.0):
            raise ValueError(f"{name} must be in [0, 1], got {value!r}")


def parse_eta(value) -> tuple[float, float] | None:
    """None, an (alpha, beta) pair, or its command-line spelling "alpha,beta" (e.g. ``dasc-eval --km-eta 0.5,0.5``):
    the pair as floats, each in [0, 1] (Eq. 13), or a ``ValueError`` naming the value."""
    if value is None:
        return None
    parts = value.split(",") if isinstance(value, str) else value
    try:
        pair = tuple(float(v) for v in parts)
    except (TypeError, ValueError):
        pair = ()
    if len(pair) != 2 or not all(0.0 <= v <= 1.0 for v in pair):
        raise ValueError(f"eta={value!r} must be two numbers in [0, 1], alpha and beta (e.g. '0.95,0.10')")
    return pair


def _require(config: DASCConfig, ok: bool, name: str, rule: str) -> None:
    if not ok:
        raise ValueError(f"DASCConfig.{name}={getattr(config, name)!r} {rule}")


def _require_finite(config: DASCConfig, name: str) -> None:
    value = getattr(config, name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"DASCConfig.{name} must be a finite number, got {value!r}")
