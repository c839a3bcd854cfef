"""Configuration of an RMO run: typed, frozen dataclasses with the paper's Table 1 as defaults.

Each field is documented once, here, with the paper's symbol; its allowed values (a ``Literal``) and its range
(``field(metadata=...)``, checked by ``validation``) are declared on it. Every ambiguity of the paper that the
implementation had to settle (package README, "Readings") is a field whose default is the recommended reading.

The presets live in ``presets``; configs of earlier versions load through ``legacy``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args

from dasc_env import DASCConfig
from dasc_env.env import BINARY_DECISION_FEATURES

from . import config_io, legacy
from .validation import AT_LEAST_0, AT_LEAST_1, POSITIVE, UNIT, validate

Variant = Literal["sparse", "shaped", "meta", "rec", "rmo"]
"""What a run trains (see ``MetaConfig.variant``); ``VARIANTS`` lists them."""
Backend = Literal["sync", "subprocess", "ray"]
"""Where the env copies of the rollouts run (see ``EnvConfig.backend``); ``BACKENDS`` lists them."""
VARIANTS, BACKENDS = get_args(Variant), get_args(Backend)
BinaryDecisionFeature = Literal[BINARY_DECISION_FEATURES]  # type: ignore[valid-type]
"""A 0/1 decision feature of dasc-env's observation (``dasc_env.env.BINARY_DECISION_FEATURES``)."""


EVAL_SEED_BASE = 10**6
"""Default first seed of the trainer's held-out evaluations (``RunConfig.eval_seed_base``)."""
RESERVED_DASC_FIELDS = ("city", "num_tasks", "num_workers", "matcher", "alpha", "beta", "reward_mode")
"""``DASCConfig`` fields that ``EnvConfig.dasc`` may not set: fields of their own, or the learner's choice."""


@dataclass(frozen=True)
class EnvConfig:
    """The DASC environment the learner trains on (``dasc_env.DASCConfig`` fields)."""

    city: str = "chengdu"
    """Synthetic city preset of dasc-env ("small", "chengdu", "haikou")."""
    num_tasks: int = 60
    """|Q|: tasks per episode (Table 2 default)."""
    num_workers: int = 300
    """|W|: workers (Table 2 default)."""
    dasc: dict = field(default_factory=dict)
    """Any other ``DASCConfig`` field, e.g. {"deadline_factor": 2.0}."""
    num_envs: int = field(default=1, metadata=AT_LEAST_1)
    """Env copies stepped in lock-step per update; one batched actor forward per step serves all."""
    backend: Backend = "sync"
    """Where the env copies run: "sync" (this process), "subprocess" (one process each, several cores) or
    "ray" (one Ray actor each; the ``rmo-agents[ray]`` extra)."""
    ray_address: str | None = None
    """Ray cluster of ``backend="ray"`` ("auto", "ray://host:10001"); None starts a local Ray instance."""
    scenario: str | None = None
    """A scenario file (``dasc_env.save_scenario``) replayed at every reset, or a folder of them cycled by episode
    seed; |Q| and |W| then come from the scenarios. None: a scenario drawn from each episode's seed."""
    graph: str | None = None
    """A road graph file (.graphml through osmnx, or the .npz of ``dasc_env.city.save_graph``) instead of ``city``."""

    def dasc_config(self) -> DASCConfig:
        """The ``DASCConfig`` these fields describe (raises ``ValueError`` naming a bad field)."""
        if clash := set(RESERVED_DASC_FIELDS) & set(self.dasc):
            raise ValueError(f"EnvConfig.dasc must not set {sorted(clash)}: they are EnvConfig/MetaConfig fields")
        try:
            return DASCConfig(city=self.city, num_tasks=self.num_tasks, num_workers=self.num_workers, **self.dasc)
        except TypeError as err:
            raise ValueError(f"EnvConfig.dasc={self.dasc!r}: {err}") from None

    @classmethod
    def from_dasc(cls, config: DASCConfig, **fields) -> EnvConfig:
        """The env of ``config`` (e.g. a task of ``dasc_env.benchmarks``), every field but the learner's own
        (matcher, eta, reward mode) kept; ``fields`` set other ``EnvConfig`` fields (``num_envs``, ...)."""
        if not isinstance(config, DASCConfig):
            raise TypeError(f"config must be a DASCConfig, got {type(config).__name__}")
        default = DASCConfig(city=config.city)
        rest = {k: v for k, v in config.to_dict().items()
                if k not in RESERVED_DASC_FIELDS and v != getattr(default, k)}
        return cls(city=config.city, num_tasks=config.num_tasks, num_workers=config.num_workers, dasc=rest, **fields)


@dataclass(frozen=True)
class ModelConfig:
    """Actor (Fig. 3: GAT over the task DAG + MLP) and critic (two GRUs + MLP)."""

    gat_heads: int = field(default=8, metadata=AT_LEAST_1)
    """Attention heads of the first GAT layer."""
    gat_hidden: int = field(default=16, metadata=AT_LEAST_1)
    """Features per head of the first GAT layer (8 x 16, as the authors' code)."""
    gat_out: int = field(default=16, metadata=AT_LEAST_1)
    """Features of the second GAT layer (one head): the agent's node embedding."""
    gat_edges: Literal["undirected", "directed"] = "undirected"
    """Attention neighbourhood: "undirected" (A or A^T, plus self-loops) or "directed" (predecessors only)."""
    gat_backend: Literal["dense", "sparse"] = "dense"
    """torch-geometric layer: "dense" (``DenseGATConv`` on the padded adjacency) or "sparse" (``GATConv``)."""
    actor_hidden: tuple[int, ...] = field(default=(128, 64), metadata=AT_LEAST_1)
    """Hidden sizes of the actor's MLP."""
    critic_hidden: int = field(default=32, metadata=AT_LEAST_1)
    """Hidden size of each critic GRU (workers, subtasks) and of the value heads."""
    critic_encoder: Literal["gru", "deepsets"] = "gru"
    """Set encoder of the critic: "gru" (the paper) or "deepsets" (mean of an MLP, order-free, faster)."""
    mask_actions: bool = True
    """Mask "recommend" when no idle worker in range has the skills (``action_mask``)."""
    decision_bias: bool = False
    """Add an offset b_c to the actor's "recommend" logit, one per cell c of the agent's own 0/1 decision features
    (``decision_bias_features``), e.g. b_(not ready) and b_(ready) for ``("ready",)``: a policy-level bias learned
    from revenue itself by the paired search (``search.bias_*``; ``search.bias_step``), not by the policy
    gradient. False: no bias (the paper)."""
    decision_bias_features: tuple[BinaryDecisionFeature, ...] = ("ready", "busy_sooner")
    """Which 0/1 decision features of dasc-env (``BINARY_DECISION_FEATURES``) the cells of the decision bias split
    on: 2^k offsets for k features (empty: one offset for every agent)."""


@dataclass(frozen=True)
class PPOConfig:
    """MAPPO (Eq. 4, 17, 20) for both policies."""

    gamma: float = field(default=0.99, metadata=UNIT)
    """gamma: discount factor (Table 1), per ``time_unit``."""
    gae_lambda: float = field(default=0.95, metadata=UNIT)
    """lambda: GAE parameter (Table 1), per ``time_unit``."""
    time_unit: Literal["step", "second"] = "step"
    """What gamma and lambda discount: a decision step (the paper: 0.99 per 5 s epoch reaches ~8 min) or a second
    of simulated time (so credit spans a task's life whatever the epoch length; 0.999 per s reaches ~17 min)."""
    clip_eps: float = field(default=0.2, metadata=POSITIVE)
    """epsilon: ratio clip of Eq. 4 (Table 1)."""
    epochs: int = field(default=4, metadata=AT_LEAST_1)
    """K: passes over a rollout's agent-transitions (Alg. 1's M iterations)."""
    minibatch_size: int = field(default=1024, metadata=AT_LEAST_1)
    """Agent-transitions per actor minibatch (shuffled; all of the rollout is used)."""
    critic_minibatch_size: int = field(default=256, metadata=AT_LEAST_1)
    """Decision steps (global states) per critic minibatch."""
    entropy_coef: float = field(default=0.01, metadata=AT_LEAST_0)
    """Weight of the policy entropy bonus."""
    max_grad_norm: float = field(default=10.0, metadata={"gt": 0, "inf": True})
    """Gradient-norm clip of every network (inf: no clip)."""
    normalize_advantages: bool = True
    """Standardise advantages per rollout."""
    value_norm: bool = True
    """Critic heads predict returns normalised by running statistics (MAPPO's ValueNorm)."""
    value_loss: Literal["mse", "huber"] = "mse"
    """Eq. 20: "mse" (the paper) or "huber"."""
    sampling: Literal["groups", "shuffle", "window"] = "groups"
    """Minibatches over all agent-transitions: "groups" (shuffled groups of agents that share a task graph at a
    step, so the GAT runs once per group), "shuffle" (one by one), or "window" (the authors' 10 random 64-step
    windows)."""

@dataclass(frozen=True)
class CreditConfig:
    """How theta's advantage is assigned to the agents (module ``credit``: one module per scheme).

    ``scheme``: "shared" (every live agent gets the team A_t of MAPPO, the paper), "task" (per-task credit: GAE
    along each agent's trajectory of its own task's outcome, Eq. 1 or -kappa sum d, against a per-agent task head of
    the critic; ``credit.task``), "task+team" (the per-task A plus the team A_t, which carries what an agent's
    action does to other tasks, e.g. a worker taken from them) or "replay" (difference rewards: the change of the
    final E(M) when one decision is flipped, found by replaying the episode twice on common random numbers; the
    critic is not trained; ``credit.replay``). An option that belongs to some schemes (its field's ``"schemes"``
    metadata) may only leave its default under them.
    """

    scheme: Literal["shared", "task", "task+team", "replay"] = "shared"
    """The credit scheme (above)."""
    team_reward: Literal["env", "revenue_delta"] = "env"
    """Team reward R_t (the team head's target, and the team A_t of "shared" and "task+team"): "env" (sum of the
    agents' sparse rewards) or "revenue_delta" (the change of E(M), which includes failed tasks' -kappa sum d); both
    with ``failed_reward`` per failed recommendation."""
    failed_reward: float | None = None
    """Reward of a recommendation that gets no worker in theta's signals (the team reward and per-task credit);
    None: the env's ``failed_recommendation_reward`` (-1, the paper). Where workers are scarce most allowed
    recommendations fail through contention alone, and -1 each teaches the agents to stop recommending (the
    matcher then has fewer subtasks to choose from); 0 leaves only E(M)."""
    worker_price: float = field(default=0.0, metadata={**AT_LEAST_0, "schemes": ("task", "task+team")})
    """Per-task schemes: revenue per worker-second charged to per-task credit at each match, for the worker time it
    commits (from the match until the subtask finishes: travel, any wait for a running predecessor, the work): a
    price on the workers other tasks then cannot have (a dual price on worker capacity). 0: none."""
    replays: int = field(default=8, metadata={**AT_LEAST_1, "schemes": ("replay",)})
    """"replay": decisions replayed per episode (each: two continuations to the end)."""

    @property
    def per_task(self) -> bool:
        """theta learns from its own task's outcome ("task", "task+team"): the critic needs its task head."""
        return self.scheme in ("task", "task+team")


@dataclass(frozen=True)
class MetaConfig:
    """Meta-gradient credit assignment (Eq. 5-8) and joint eta optimisation (Eq. 13-19)."""

    variant: Variant = "rmo"
    """"sparse": theta on the sparse MDP, KM, fixed eta; "shaped": one policy on the shaped MDP, KM, fixed eta;
    "meta": theta + theta-hat + meta-gradient, KM, fixed eta; "rec": "meta" with greedy matching (Fig. 7 REC);
    "rmo": "meta" with KM and learned eta (Fig. 7 RMO)."""
    xi0: float = field(default=1.0, metadata=AT_LEAST_0)
    """xi_0: initial weight of the meta-gradient in Eq. 8 (Table 1)."""
    xi_decay: float = field(default=0.999, metadata=UNIT)
    """xi_k = xi_0 * xi_decay^episode ("xi approaches zero")."""
    meta_inner_lr: float | None = field(default=None, metadata=POSITIVE)
    """mu_f / 2 of Eq. 7 and 16; None: half of theta-hat's learning rate (mu_f = mu_theta-hat); see ``inner_lr``."""
    outer: Literal["same", "post"] = "same"
    """Outer objective of Eq. 6: "same" (v = theta-hat's gradient on the same minibatch, the authors' code)
    or "post" (theta-hat's gradient after its step, on the next minibatch: online cross-validation)."""
    alpha0: float = field(default=0.5, metadata=UNIT)
    """alpha of eta at the start (Eq. 13)."""
    beta0: float = field(default=0.5, metadata=UNIT)
    """beta of eta at the start (Eq. 13)."""
    eta_lr: float = field(default=1e-4, metadata=POSITIVE)
    """mu_eta: learning rate of eta (Table 1)."""
    eta_chain: Literal["paper", "gae"] = "paper"
    """dA/dr of Eq. 16-18: "paper" (= 1 at the matched transition) or "gae" (the exact GAE Jacobian
    (gamma lambda)^k along the agent's trajectory, divided by the advantage normalisation)."""
    eta_param: Literal["clip", "logit"] = "clip"
    """"clip": SGD on eta clipped to [0, 1] (the paper); "logit": Adam on z with eta = sigmoid(z)."""
    eta_samples: Literal["matched", "positive_shaped"] = "matched"
    """Transitions that drive eta: "matched" (u is defined) or "positive_shaped" (the code's r^sh > 0)."""
    fixed_alpha: float = field(default=0.95, metadata=UNIT)
    """alpha used by variants that do not learn eta (dasc-env's default, the paper's Chengdu choice)."""
    fixed_beta: float = field(default=0.10, metadata=UNIT)
    """beta used by variants that do not learn eta."""

    @property
    def trains_meta(self) -> bool:
        return self.variant in ("meta", "rec", "rmo")

    @property
    def learns_eta(self) -> bool:
        return self.variant == "rmo"

    @property
    def matcher(self) -> str:
        return "greedy" if self.variant == "rec" else "km"


@dataclass(frozen=True)
class SearchConfig:
    """Policy-level parameters learned from E(M) itself, after each update, by paired episodes on common random
    numbers (``search``: both sides of a difference play the same episode seeds and action seeds)."""

    eta: bool = False
    """Variant "rmo": eta by central differences of E(M) at eta +/- ``eta_delta`` per component on ``eta_episodes``
    fresh episodes a side, then an ascent step of ``meta.eta_lr`` (``search.eta_step``; 4 x ``eta_episodes``
    episodes per update), instead of the paper's surrogate meta-gradient through dr/du (Eq. 14-19)."""
    eta_delta: float = field(default=0.05, metadata={"gt": 0, "max": 0.5})
    """Half-width of eta's paired differences."""
    eta_episodes: int = field(default=2, metadata=AT_LEAST_1)
    """Episodes per side of each of eta's paired differences."""
    bias_delta: float = field(default=0.5, metadata=POSITIVE)
    """c of the decision bias's step (``model.decision_bias``): per offset b_k, E(M) is compared at b + c e_k and
    b - c e_k, the others held."""
    bias_lr: float = field(default=0.1, metadata=POSITIVE)
    """Step of the decision bias per update: each offset moves by +-``bias_lr``, the sign of its own paired
    difference (not at all when the two sides earn exactly the same)."""
    bias_episodes: int = field(default=4, metadata=AT_LEAST_1)
    """Fresh episodes per side of each of the decision bias's paired differences (k x 2 x this per update for k
    offsets)."""


@dataclass(frozen=True)
class OptimConfig:
    """Optimisers of theta, theta-hat, phi (Table 1 learning rates)."""

    optimizer: Literal["sgd", "adam"] = "sgd"
    """"sgd" (the paper) or "adam"."""
    lr_theta: float = field(default=1e-3, metadata=POSITIVE)
    """mu_theta: learning rate of the target policy theta."""
    lr_theta_hat: float = field(default=1e-3, metadata=POSITIVE)
    """mu_theta-hat: learning rate of the auxiliary policy theta-hat."""
    lr_phi: float = field(default=1e-3, metadata=POSITIVE)
    """mu_phi: learning rate of the critic phi."""
    chi: float | None = field(default=1e-3, metadata={"gt": 0, "max": 1})
    """chi: soft update of Alg. 1 line 13. Alg. 1's per-agent step followed by theta <- chi theta^n + (1-chi) theta
    equals one SGD step of chi * mu on the sum over the minibatch's agents, i.e. chi * mu * |B| on the mean loss.
    None: no soft update (plain steps on the mean loss; required with Adam)."""


@dataclass(frozen=True)
class RunConfig:
    """Seeds, length, device, evaluation and output."""

    seed: int = field(default=0, metadata=AT_LEAST_0)
    """Seed of everything: parameters, env episodes, action sampling."""
    episodes: int = field(default=200, metadata=AT_LEAST_0)
    """Env episodes to train on (each update consumes ``EnvConfig.num_envs`` of them); 0 writes the untrained
    checkpoint (the control of every learning claim)."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """"auto" (CUDA when available), "cpu" or "cuda"."""
    eval_every: int = field(default=10, metadata=AT_LEAST_0)
    """Evaluate the greedy policy every this many updates (0: never); best.pt keeps the best."""
    eval_seeds: int = field(default=2, metadata=AT_LEAST_1)
    """Held-out scenarios per evaluation (seeds ``eval_seed_base`` + i, never used for training)."""
    eval_seed_base: int = field(default=EVAL_SEED_BASE, metadata=AT_LEAST_0)
    """First episode seed of the held-out evaluations (10^6: suite v1's test seeds start there too, so
    ``rmo-train --suite-task`` moves it to the end of the task's training range: validation seeds)."""
    threads: int = field(default=0, metadata=AT_LEAST_0)
    """torch CPU threads (0: torch's default)."""
    deterministic: bool = False
    """torch.use_deterministic_algorithms(True), TF32 off: bitwise reproducible on CPU."""
    out: str = "runs/rmo"
    """Run folder: checkpoints, TensorBoard events, metrics.csv."""
    progress: bool = True
    """tqdm progress bar."""


@dataclass(frozen=True)
class RMOConfig:
    """A whole run: ``RMOConfig.from_file("run.toml")``, ``cfg.save("run.json")``,
    ``cfg.replace_path("ppo.epochs", 2)``."""

    env: EnvConfig = field(default_factory=EnvConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    ppo: PPOConfig = field(default_factory=PPOConfig)
    credit: CreditConfig = field(default_factory=CreditConfig)
    meta: MetaConfig = field(default_factory=MetaConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    run: RunConfig = field(default_factory=RunConfig)

    def __post_init__(self) -> None:
        validate(self)

    def on_env(self, dasc: DASCConfig) -> RMOConfig:
        """A copy training on ``dasc``'s env (``EnvConfig.from_dasc``, e.g. a benchmark task's), keeping where the
        env copies run (``num_envs``, ``backend``, ``ray_address``)."""
        env = self.env
        return replace(self, env=EnvConfig.from_dasc(dasc, num_envs=env.num_envs, backend=env.backend,
                                                     ray_address=env.ray_address))

    @property
    def inner_lr(self) -> float:
        """mu_f / 2 of Eq. 7 and 16 (meta-gradient inner step): ``meta.meta_inner_lr``, else mu_theta-hat / 2."""
        return self.meta.meta_inner_lr if self.meta.meta_inner_lr is not None else self.optim.lr_theta_hat / 2

    # ------------------------------------------------------------- io (config_io)
    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RMOConfig:
        return config_io.from_dict(cls, legacy.upgrade(data))

    def save(self, path: str | Path) -> None:
        """Write JSON (``.json``) or TOML (``.toml``)."""
        config_io.write(self, path)

    @classmethod
    def from_file(cls, path: str | Path) -> RMOConfig:
        return config_io.read(cls, path, legacy.upgrade)

    def replace_path(self, dotted: str, value: Any) -> RMOConfig:
        """A copy with ``section.field`` set to ``value`` (validated)."""
        legacy.check_path(dotted)
        return config_io.replace_path(self, dotted, value)

    def with_overrides(self, assignments: list[str]) -> RMOConfig:
        """Apply ``section.field=value`` strings (values parsed as JSON, else taken as strings)."""
        for item in assignments:
            legacy.check_path(item.partition("=")[0].strip())
        return config_io.with_overrides(self, assignments)


__all__ = ["BACKENDS", "CreditConfig", "EnvConfig", "MetaConfig", "ModelConfig", "OptimConfig", "PPOConfig",
           "RMOConfig", "RunConfig", "SearchConfig", "VARIANTS", "validate"]
