"""One RMO update (Alg. 1 lines 5-16) on a batch of recorded episodes, all as tensors.

``Learner`` owns theta (``actor``: the target policy, sparse MDP), theta-hat (``actor_hat``: the auxiliary
policy, shaped MDP), phi (``critic``: a team head V(s) and an agent head V^(s, o)), their optimisers, the
value normalisers, eta and xi. ``update`` reads top to bottom:

1. ``prepare``: the critic's values of every state and agent-transition (no grad), both GAEs and the eta
   chain (``advantages``), normalisation, value targets;
2. K epochs of minibatches of agent-transitions (``epoch_samples``), each an ``actor_step``: theta-hat's
   step, theta's step with the meta-gradient (Eq. 8, ``meta.meta_step``), eta's step (Eq. 14);
3. the critic's epochs over minibatches of decision steps, each a ``critic_step`` (Eq. 20).

``prepare``, ``epoch_samples``, ``actor_step`` and ``critic_step`` are public so that a benchmark can time
them one by one; ``update`` is all a trainer needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from .advantages import actor_signals, episode_advantages
from .batch import concat_shared, recommend_rates, select
from .buffer import Episode
from .config import RMOConfig
from .credit import Credit, make_credit
from .eta import Eta
from .losses import ValueNorm, value_loss
from .meta import eta_gradient, global_norm, meta_step, post_step_direction, ppo_step
from .nets import Actor, Critic

STATE_KEYS = ("workers", "subtasks", "lengths", "time")
"""The global state tables of a decision step, in ``Critic.encode_state``'s argument order."""


@dataclass
class UpdateBatch:
    """What one update reads, on the learner's device: transitions, states, advantages and value targets."""

    obs: dict[str, torch.Tensor]
    """Every transition's observation (a shared-graph batch, see ``batch``)."""
    states: dict[str, torch.Tensor]
    """The global state of every decision step (``STATE_KEYS``)."""
    state_row: torch.Tensor
    """Each transition's decision step: its row of ``states``."""
    actions: torch.Tensor
    log_prob: torch.Tensor
    """log pi_theta_old(a|o) at collection."""
    adv: torch.Tensor
    """theta's advantage A (normalised when ``ppo.normalize_advantages``)."""
    adv_hat: torch.Tensor
    """theta-hat's advantage A^ (normalised likewise)."""
    chain: torch.Tensor
    """(n, 2) dA^/dr * du/d eta (Eq. 15-18), in A^'s normalised units."""
    target: torch.Tensor
    """Team value targets per decision step (normalised when ``ppo.value_norm``)."""
    target_hat: torch.Tensor
    """Agent value targets per transition."""
    target_task: torch.Tensor | None
    """Per-task value targets per transition (``ppo.team_advantage="task"``), else None."""
    actor_rows: torch.Tensor
    """The transitions the actors learn from: those with a choice (with ``model.mask_actions``, a transition
    whose only allowed action is "wait" has log pi = 0 whatever the parameters, so no gradient)."""
    episode_id: np.ndarray
    episode_step: np.ndarray
    explained_variance: float
    explained_variance_hat: float
    explained_variance_task: float
    """nan without per-task credit."""

    @property
    def num_states(self) -> int:
        return int(self.states["time"].shape[0])

    @property
    def num_transitions(self) -> int:
        return int(self.actions.shape[0])


class Learner:
    """Networks, optimisers and the update of one run."""

    def __init__(self, config: RMOConfig, observation_space, state_worker_features: int,
                 state_subtask_features: int, device: torch.device, credit: Credit | None = None):
        self.config, self.device = config, device
        model, optim, meta = config.model, config.optim, config.meta
        self.credit = make_credit(config) if credit is None else credit
        """The credit scheme (``credit``; replay credit needs the trainer's, which knows the env source)."""
        self.eta_from_surrogate = meta.learns_eta and not config.search.eta
        """eta learns through the meta-gradient's sensitivities (Eq. 14-19), inside the actor steps."""
        self.actor = Actor.from_space(observation_space, model).to(device)
        self.actor_hat = None
        if meta.trains_meta:  # theta-hat starts as a copy of theta, so psi^ = 1 (Eq. 5) at the first update
            self.actor_hat = Actor.from_space(observation_space, model).to(device)
            self.actor_hat.load_state_dict(self.actor.state_dict())
        self.per_task = self.credit.per_task
        self.critic = Critic.from_spaces(observation_space, state_worker_features, state_subtask_features,
                                         model, task_head=self.per_task).to(device)
        self.value_norm = ValueNorm().to(device)
        self.value_norm_hat = ValueNorm().to(device)
        self.value_norm_task = ValueNorm().to(device) if self.per_task else None
        self.eta = Eta.from_config(meta)
        make = torch.optim.SGD if optim.optimizer == "sgd" else torch.optim.Adam
        self.opt_actor = make(self.actor.parameters(), lr=optim.lr_theta)
        self.opt_actor_hat = make(self.actor_hat.parameters(), lr=optim.lr_theta_hat) if self.actor_hat else None
        self.opt_critic = make(self.critic.parameters(), lr=optim.lr_phi)
        self.opt_eta = (torch.optim.SGD if self.eta.param == "clip" else torch.optim.Adam)(
            self.eta.parameters(), lr=meta.eta_lr)
        self.xi = meta.xi0
        self.updates = 0

    def modules(self) -> dict[str, torch.nn.Module | torch.optim.Optimizer]:
        """Every stateful part by its checkpoint name."""
        parts = {"actor": self.actor, "critic": self.critic, "value_norm": self.value_norm,
                 "value_norm_hat": self.value_norm_hat, "eta": self.eta, "opt_actor": self.opt_actor,
                 "opt_critic": self.opt_critic, "opt_eta": self.opt_eta}
        if self.actor_hat is not None:
            parts.update(actor_hat=self.actor_hat, opt_actor_hat=self.opt_actor_hat)
        if self.value_norm_task is not None:
            parts.update(value_norm_task=self.value_norm_task)
        return parts

    # ----------------------------------------------------------------- the update
    def update(self, episodes: list[Episode], generator: torch.Generator) -> dict[str, float]:
        """Alg. 1 lines 5-16 on ``episodes``; returns scalar diagnostics, among them ``recommend_rate`` (the share of
        "recommend" among the transitions with a choice: P(recommend | allowed) as sampled; also split by the
        agent's ``ready`` feature, ``batch.recommend_rates``), ``choice_share`` (the share of transitions with a
        choice) and, for the meta variants, ``meta_ratio`` = |the meta term| / |grad L|."""
        cfg, ppo = self.config, self.config.ppo
        batch = self.prepare(episodes)
        stats: dict[str, list[float]] = {}
        for epoch in range(ppo.epochs):
            chunks = self.epoch_samples(batch, generator).split(ppo.minibatch_size)
            for j, idx in enumerate(chunks):
                # outer="post": the outer objective is evaluated on the next minibatch (the first, after the last)
                nxt = chunks[(j + 1) % len(chunks)] if cfg.meta.outer == "post" and cfg.meta.trains_meta else None
                # |meta| and cos(grad L, meta) are logged from the first minibatch (one extra backward).
                for key, value in self.actor_step(batch, idx, nxt, split_meta=epoch == j == 0).items():
                    stats.setdefault(key, []).append(value)
        for _ in range(ppo.epochs if self.credit.trains_critic else 0):
            steps = torch.randperm(batch.num_states, generator=generator).to(self.device)
            for rows in steps.split(ppo.critic_minibatch_size):
                for key, value in self.critic_step(batch, rows).items():
                    stats.setdefault(key, []).append(value)
        self.updates += 1
        out = {k: float(np.mean(v)) for k, v in stats.items()}
        out.update(xi=self.xi, alpha=self.eta.pair()[0], beta=self.eta.pair()[1],
                   explained_variance=batch.explained_variance, explained_variance_hat=batch.explained_variance_hat,
                   explained_variance_task=batch.explained_variance_task,
                   choice_share=batch.actor_rows.numel() / max(batch.num_transitions, 1),
                   **recommend_rates(batch.obs, batch.actions, batch.actor_rows))
        return out

    def end_episodes(self, count: int) -> None:
        """xi <- xi * decay per episode (xi approaches 0, Eq. 8)."""
        self.xi *= self.config.meta.xi_decay ** count

    # ----------------------------------------------------------------- the steps of an update
    @torch.no_grad()
    def prepare(self, episodes: list[Episode]) -> UpdateBatch:
        """Episodes -> tensors, the critic's values, advantages (``advantages``), value targets; updates the
        value normalisers with the new returns."""
        ppo, meta, dev = self.config.ppo, self.config.meta, self.device
        obs = {k: torch.from_numpy(v).to(dev) for k, v in concat_shared([e.obs for e in episodes]).items()}
        states = self._stack_states(episodes)
        offsets = np.cumsum([0] + [e.num_steps for e in episodes])[:-1]
        state_row = torch.from_numpy(np.concatenate([e.step + o for e, o in zip(episodes, offsets)])).to(dev)
        values, values_hat, values_task = self._values(obs, states, state_row)
        adv = episode_advantages(episodes, values, values_hat, ppo, meta, self.credit, values_task)
        choice = (obs["action_mask"][:, 1] > 0).cpu().numpy() if self.config.model.mask_actions else None
        rows, team, agent, chain = actor_signals(adv, choice, ppo, meta, self.credit)
        ret, ret_hat = (torch.from_numpy(x).to(dev) for x in (adv.returns, adv.returns_hat))
        ret_task = torch.from_numpy(adv.returns_task).to(dev) if self.per_task else None
        if ppo.value_norm:
            self.value_norm.update(ret)
            self.value_norm_hat.update(ret_hat)
            if self.per_task:
                self.value_norm_task.update(ret_task)
        f32 = torch.float32
        return UpdateBatch(
            obs=obs, states=states, state_row=state_row,
            actions=torch.from_numpy(np.concatenate([e.actions for e in episodes])).to(dev),
            log_prob=torch.from_numpy(np.concatenate([e.log_prob for e in episodes])).to(dev),
            adv=torch.from_numpy(team).to(dev, f32), adv_hat=torch.from_numpy(agent).to(dev, f32),
            chain=torch.from_numpy(chain).to(dev, torch.float64),
            target=self._norm(self.value_norm, ret).to(f32),
            target_hat=self._norm(self.value_norm_hat, ret_hat).to(f32),
            target_task=self._norm(self.value_norm_task, ret_task).to(f32) if self.per_task else None,
            actor_rows=torch.from_numpy(rows).to(dev),
            episode_id=np.concatenate([np.full(e.num_transitions, j) for j, e in enumerate(episodes)]),
            episode_step=np.concatenate([e.step for e in episodes]),
            explained_variance=_explained_variance(values, adv.returns),
            explained_variance_hat=_explained_variance(values_hat, adv.returns_hat),
            explained_variance_task=(_explained_variance(values_task, adv.returns_task) if self.per_task
                                     else math.nan))

    def epoch_samples(self, batch: UpdateBatch, generator: torch.Generator) -> torch.Tensor:
        """Indices of this epoch's agent-transitions (of ``batch.actor_rows``) in minibatch order: all of them,
        shuffled one by one ("shuffle") or by shared task graph ("groups"), or the authors' windows ("window")."""
        rows = batch.actor_rows.cpu()
        if self.config.ppo.sampling == "shuffle":
            return rows[torch.randperm(rows.numel(), generator=generator)].to(self.device)
        if self.config.ppo.sampling == "groups":
            graph = batch.obs["graph_index"].cpu()
            rank = torch.randperm(int(graph.max()) + 1, generator=generator)
            return rows[torch.argsort(rank[graph[rows]], stable=True)].to(self.device)
        step, episode = batch.episode_step, batch.episode_id
        keep = np.zeros(batch.num_transitions, dtype=bool)
        for j in np.unique(episode):  # one draw per episode: 10 random 64-step windows
            last = int(step[episode == j].max())
            starts = torch.randint(0, max(1, last - 62), (10,), generator=generator).numpy()
            in_window = ((step[:, None] >= starts) & (step[:, None] < starts + 64)).any(axis=1)
            keep |= (episode == j) & in_window
        chosen = torch.from_numpy(np.intersect1d(np.flatnonzero(keep), rows.numpy()))
        return chosen[torch.randperm(chosen.numel(), generator=generator)].to(self.device)

    def actor_step(self, batch: UpdateBatch, idx: torch.Tensor, next_idx: torch.Tensor | None = None,
                   split_meta: bool = False) -> dict[str, float]:
        """One minibatch ``idx``: theta alone (sparse, shaped), or theta-hat, theta with the meta-gradient
        (Eq. 5-8; outer objective on ``next_idx`` with ``meta.outer="post"``) and eta (Eq. 14)."""
        cfg, ppo, meta = self.config, self.config.ppo, self.config.meta
        obs = select(batch.obs, idx)
        actions, log_prob_old = batch.actions[idx], batch.log_prob[idx]
        theta = dict(self.actor.named_parameters())
        scale = cfg.optim.chi * idx.numel() if cfg.optim.chi is not None else 1.0
        clip = {"clip_eps": ppo.clip_eps, "entropy_coef": ppo.entropy_coef}
        if not meta.trains_meta:
            adv = batch.adv[idx] if meta.variant == "sparse" else batch.adv_hat[idx]
            grads, stats = ppo_step(self.actor, theta, obs, actions, log_prob_old, adv, **clip)
            stats["grad_norm_theta"] = self._apply(self.actor, self.opt_actor, grads, scale)
            return {k: float(v) for k, v in stats.items()}
        theta_hat = dict(self.actor_hat.named_parameters())
        direction = None
        if next_idx is not None:
            first = meta_step(self.actor, theta, theta_hat, obs, actions, log_prob_old, batch.adv[idx],
                              batch.adv_hat[idx], xi=0.0, inner_lr=cfg.inner_lr, want_sensitivity=False, **clip)
            direction = post_step_direction(self.actor, theta, theta_hat, first.grad_theta_hat, cfg.inner_lr,
                                            select(batch.obs, next_idx), batch.actions[next_idx],
                                            batch.adv_hat[next_idx], **clip)
        step = meta_step(self.actor, theta, theta_hat, obs, actions, log_prob_old, batch.adv[idx], batch.adv_hat[idx],
                         xi=self.xi, inner_lr=cfg.inner_lr, want_sensitivity=self.eta_from_surrogate,
                         outer_direction=direction, split_meta=split_meta, **clip)
        stats = {k: float(v) for k, v in step.stats.items()}
        if step.meta is not None:
            meta_part = [g - f for g, f in zip(step.grad_theta, step.grad_loss)]
            stats["meta_norm"] = float(global_norm(step.meta))
            stats["meta_cos"] = float(_cosine(step.grad_loss, step.meta))
            stats["meta_ratio"] = float(global_norm(meta_part)) / max(float(global_norm(step.grad_loss)), 1e-30)
        stats["grad_norm_theta_hat"] = self._apply(self.actor_hat, self.opt_actor_hat, step.grad_theta_hat, scale)
        stats["grad_norm_theta"] = self._apply(self.actor, self.opt_actor, step.grad_theta, scale)
        chain = batch.chain[idx]
        if self.eta_from_surrogate and bool(chain.any()):  # Alg. 1 line 10: "if eta can update"
            g_eta = eta_gradient(step.advantage_sensitivity.double(), chain)
            self.eta_descent(g_eta)
            stats["g_alpha"], stats["g_beta"] = float(g_eta[0]), float(g_eta[1])
        return stats

    def critic_step(self, batch: UpdateBatch, rows: torch.Tensor) -> dict[str, float]:
        """One minibatch of decision steps ``rows``: both heads' value losses (Eq. 20), one step of phi."""
        ppo = self.config.ppo
        h = self.critic.encode_state(*(batch.states[k][rows] for k in STATE_KEYS))
        loss_team = value_loss(self.critic.team_value(h), batch.target[rows], ppo.value_loss)
        position = torch.full((batch.num_states,), -1, dtype=torch.long, device=self.device)
        position[rows] = torch.arange(rows.numel(), device=self.device)
        agents = torch.nonzero(position[batch.state_row] >= 0).squeeze(1)
        loss = loss_team
        loss_agent = torch.zeros((), device=self.device)
        loss_task = torch.zeros((), device=self.device)
        if agents.numel():
            h_rows, obs = h[position[batch.state_row[agents]]], select(batch.obs, agents)
            loss_agent = value_loss(self.critic.agent_value(h_rows, obs), batch.target_hat[agents], ppo.value_loss)
            loss = loss + loss_agent
            if self.per_task:
                loss_task = value_loss(self.critic.task_value(h_rows, obs), batch.target_task[agents], ppo.value_loss)
                loss = loss + loss_task
        grads = torch.autograd.grad(loss, list(self.critic.parameters()), allow_unused=True)
        grads = [torch.zeros_like(p) if g is None else g for g, p in zip(grads, self.critic.parameters())]
        norm = self._apply(self.critic, self.opt_critic, grads, 1.0)
        out = {"value_loss": float(loss_team.detach()), "value_loss_hat": float(loss_agent.detach()),
               "grad_norm_phi": norm}
        if self.per_task:
            out["value_loss_task"] = float(loss_task.detach())
        return out

    # ----------------------------------------------------------------- pieces
    def _stack_states(self, episodes: list[Episode]) -> dict[str, torch.Tensor]:
        """The episodes' global states as one table per ``STATE_KEYS`` entry (subtask rows padded to the widest)."""
        width = max(e.state_subtasks.shape[1] for e in episodes)
        subtasks = np.concatenate([np.pad(e.state_subtasks, ((0, 0), (0, width - e.state_subtasks.shape[1]), (0, 0)))
                                   for e in episodes])
        tables = {"workers": np.concatenate([e.state_workers for e in episodes]), "subtasks": subtasks,
                  "lengths": np.concatenate([e.state_lengths for e in episodes]),
                  "time": np.concatenate([e.state_time for e in episodes])}
        return {k: torch.from_numpy(v).to(self.device) for k, v in tables.items()}

    def _values(self, obs: dict[str, torch.Tensor], states: dict[str, torch.Tensor],
                state_row: torch.Tensor) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """V(s_t) per decision step, V^(s, o) per transition and, with per-task credit, the task head per
        transition (else None), denormalised, as float64 arrays."""
        rows = torch.arange(states["time"].shape[0], device=self.device).split(self.config.ppo.critic_minibatch_size)
        h = torch.cat([self.critic.encode_state(*(states[k][r] for k in STATE_KEYS)) for r in rows])
        values = self._denorm(self.value_norm, self.critic.team_value(h))
        chunks = torch.arange(state_row.numel(), device=self.device).split(4096)

        def per_agent(head, norm):
            out = torch.cat([head(h[state_row[i]], select(obs, i)) for i in chunks])
            return self._denorm(norm, out).cpu().double().numpy()

        values_hat = per_agent(self.critic.agent_value, self.value_norm_hat)
        values_task = per_agent(self.critic.task_value, self.value_norm_task) if self.per_task else None
        return values.cpu().double().numpy(), values_hat, values_task

    def eta_descent(self, gradient: torch.Tensor | np.ndarray) -> None:
        """One step of eta's optimiser down ``gradient`` = d loss / d eta (Eq. 14: the surrogate's g_eta, or minus a
        paired search's d E(M) / d eta); the only place eta changes."""
        self.opt_eta.zero_grad()
        grad = torch.as_tensor(gradient, dtype=torch.float64).to(self.eta.raw.device).detach()
        (grad * self.eta.value()).sum().backward()
        self.opt_eta.step()
        if self.eta.param == "clip":
            with torch.no_grad():
                self.eta.raw.clamp_(0.0, 1.0)

    def _apply(self, module: torch.nn.Module, optimizer: torch.optim.Optimizer, grads, scale: float) -> float:
        """Write ``scale * grads`` into ``.grad``, clip to ``max_grad_norm`` and step; returns the raw norm."""
        for p, g in zip(module.parameters(), grads):
            p.grad = g.detach() * scale
        norm = torch.nn.utils.clip_grad_norm_(module.parameters(), self.config.ppo.max_grad_norm)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return float(norm)

    def _norm(self, norm: ValueNorm, x: torch.Tensor) -> torch.Tensor:
        return norm.normalize(x) if self.config.ppo.value_norm else x

    def _denorm(self, norm: ValueNorm, x: torch.Tensor) -> torch.Tensor:
        return norm.denormalize(x) if self.config.ppo.value_norm else x


def _cosine(a, b) -> float:
    dot = sum((x.double() * y.double()).sum() for x, y in zip(a, b))
    denom = float(global_norm(a) * global_norm(b))
    return float(dot) / denom if denom > 0 else math.nan


def _explained_variance(pred: np.ndarray, target: np.ndarray) -> float:
    var = target.var()
    return float(1 - (target - pred).var() / var) if var > 0 else math.nan
