"""One RMO update (Alg. 1 lines 5-16) on a batch of recorded episodes, all as tensors.

``Learner`` owns theta (target actor, sparse MDP), theta-hat (auxiliary actor,
shaped MDP), phi (critic with a team head V(s) and an agent head V^(s, o)),
their optimisers, the value normalisers, eta and xi. ``update`` does:

1. values of every state and agent-transition (no grad), then both GAEs (``buffer``);
2. K epochs of shuffled minibatches of agent-transitions: theta-hat's step, theta's step
   with the meta-gradient (Eq. 8, ``meta.meta_step``), eta's step (Eq. 14);
3. the critic's epochs over minibatches of decision steps (Eq. 20).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .buffer import AGENT_KEYS, GRAPH_KEYS, Episode, agent_gae, concat_shared, team_gae, trajectory_scan, utility_grad
from .config import RMOConfig
from .losses import ValueNorm, value_loss
from .meta import eta_gradient, meta_step, post_step_direction, ppo_step
from .nets import Actor, Critic


class Eta(torch.nn.Module):
    """eta = (alpha, beta) of Eq. 13 as a learnable pair: clipped to [0, 1] ("clip") or sigmoid(z) ("logit")."""

    def __init__(self, alpha: float, beta: float, param: str):
        super().__init__()
        self.param = param
        start = torch.tensor([alpha, beta], dtype=torch.float64)
        if param == "logit":
            start = torch.logit(start.clamp(1e-4, 1 - 1e-4))
        self.raw = torch.nn.Parameter(start)

    def value(self) -> torch.Tensor:
        return torch.sigmoid(self.raw) if self.param == "logit" else self.raw

    def pair(self) -> tuple[float, float]:
        alpha, beta = self.value().detach().cpu().tolist()
        return float(alpha), float(beta)


class Learner:
    """Networks, optimisers and the update of one run."""

    def __init__(self, config: RMOConfig, observation_space, state_worker_features: int,
                 state_subtask_features: int, device: torch.device):
        self.config, self.device = config, device
        model, optim, meta = config.model, config.optim, config.meta
        self.actor = Actor.from_space(observation_space, model).to(device)
        self.actor_hat = None
        if meta.trains_meta:  # theta-hat starts as a copy of theta, so psi^ = 1 (Eq. 5) at the first update
            self.actor_hat = Actor.from_space(observation_space, model).to(device)
            self.actor_hat.load_state_dict(self.actor.state_dict())
        self.critic = Critic.from_spaces(observation_space, state_worker_features, state_subtask_features,
                                         model).to(device)
        self.value_norm = ValueNorm().to(device)
        self.value_norm_hat = ValueNorm().to(device)
        alpha, beta = (meta.alpha0, meta.beta0) if meta.learns_eta else (meta.fixed_alpha, meta.fixed_beta)
        self.eta = Eta(alpha, beta, meta.eta_parametrisation)
        make = torch.optim.SGD if optim.optimizer == "sgd" else torch.optim.Adam
        self.opt_theta = make(self.actor.parameters(), lr=optim.lr_theta)
        self.opt_theta_hat = make(self.actor_hat.parameters(), lr=optim.lr_theta_hat) if self.actor_hat else None
        self.opt_phi = make(self.critic.parameters(), lr=optim.lr_phi)
        self.opt_eta = (torch.optim.SGD if meta.eta_parametrisation == "clip" else torch.optim.Adam)(
            self.eta.parameters(), lr=meta.eta_lr)
        self.xi = meta.xi0
        self.updates = 0

    # ----------------------------------------------------------------- state for checkpoints
    def modules(self) -> dict[str, torch.nn.Module | torch.optim.Optimizer]:
        parts = {"theta": self.actor, "critic": self.critic, "value_norm": self.value_norm,
                 "value_norm_hat": self.value_norm_hat, "eta": self.eta, "opt_theta": self.opt_theta,
                 "opt_phi": self.opt_phi, "opt_eta": self.opt_eta}
        if self.actor_hat is not None:
            parts.update(theta_hat=self.actor_hat, opt_theta_hat=self.opt_theta_hat)
        return parts

    # ----------------------------------------------------------------- the update
    def update(self, episodes: list[Episode], generator: torch.Generator) -> dict[str, float]:
        """Alg. 1 lines 5-16 on ``episodes``; returns scalar diagnostics."""
        cfg, ppo = self.config, self.config.ppo
        data = self._prepare(episodes)
        stats: dict[str, list[float]] = {}
        for epoch in range(ppo.epochs):
            chunks = self._epoch_samples(data, generator).split(ppo.minibatch_size)
            for j, idx in enumerate(chunks):
                # outer="post": the outer objective is evaluated on the next minibatch (the first, after the last)
                nxt = chunks[(j + 1) % len(chunks)] if cfg.meta.outer == "post" and cfg.meta.trains_meta else None
                # |meta| and cos(grad L, meta) are logged from the first minibatch (one extra backward).
                for key, value in self._actor_minibatch(data, idx, nxt, split_meta=epoch == j == 0).items():
                    stats.setdefault(key, []).append(value)
        for _ in range(ppo.epochs):
            steps = torch.randperm(data["num_states"], generator=generator).to(self.device)
            for rows in steps.split(ppo.critic_minibatch_size):
                for key, value in self._critic_minibatch(data, rows).items():
                    stats.setdefault(key, []).append(value)
        self.updates += 1
        out = {k: float(np.mean(v)) for k, v in stats.items()}
        out.update(xi=self.xi, alpha=self.eta.pair()[0], beta=self.eta.pair()[1],
                   explained_variance=data["explained_variance"], explained_variance_hat=data["ev_hat"])
        return out

    def end_episodes(self, count: int) -> None:
        """xi <- xi * decay per episode (xi approaches 0, Eq. 8)."""
        self.xi *= self.config.meta.xi_decay ** count

    # ----------------------------------------------------------------- pieces
    @torch.no_grad()
    def _prepare(self, episodes: list[Episode]) -> dict:
        cfg, ppo, dev = self.config, self.config.ppo, self.device
        obs = {k: torch.from_numpy(v).to(dev) for k, v in concat_shared([e.obs for e in episodes]).items()}
        width = max(e.state_subtasks.shape[1] for e in episodes)
        subtasks = np.concatenate([np.pad(e.state_subtasks, ((0, 0), (0, width - e.state_subtasks.shape[1]), (0, 0)))
                                   for e in episodes])
        states = {"workers": torch.from_numpy(np.concatenate([e.state_workers for e in episodes])).to(dev),
                  "subtasks": torch.from_numpy(subtasks).to(dev),
                  "lengths": torch.from_numpy(np.concatenate([e.state_lengths for e in episodes])).to(dev),
                  "time": torch.from_numpy(np.concatenate([e.state_time for e in episodes])).to(dev)}
        offsets = np.cumsum([0] + [e.num_steps for e in episodes])[:-1]
        state_row = np.concatenate([e.step + o for e, o in zip(episodes, offsets)])
        row_t = torch.from_numpy(state_row).to(dev)
        h = torch.cat([self.critic.encode_state(*(states[k][r] for k in ("workers", "subtasks", "lengths", "time")))
                       for r in torch.arange(states["time"].shape[0], device=dev).split(ppo.critic_minibatch_size)])
        values = self._denorm(self.value_norm, self.critic.team_value(h)).cpu().double().numpy()
        values_hat = torch.cat([self.critic.agent_value(h[row_t[i]], select(obs, i))
                                for i in torch.arange(row_t.numel(), device=dev).split(4096)])
        values_hat = self._denorm(self.value_norm_hat, values_hat).cpu().double().numpy()

        adv_team, adv_hat, chain, returns, returns_hat = [], [], [], [], []
        lam, gamma = ppo.gae_lambda, ppo.gamma
        start_t, start_i = 0, 0
        for e in episodes:
            v = values[start_t:start_t + e.num_steps]
            vh = values_hat[start_i:start_i + e.num_transitions]
            a_t = team_gae(e.team_reward, v, gamma, lam)
            a_h = agent_gae(e.reward_shaped, vh, e.step, e.agent, e.next, gamma, lam)
            du = utility_grad(e.utilities, *e.eta) * e.matched[:, None]
            if cfg.meta.eta_samples == "positive_shaped":
                du *= (e.reward_shaped > 0)[:, None]
            if cfg.meta.eta_chain == "gae":
                du = trajectory_scan(du, (e.next >= 0) * (gamma * lam), e.step, e.agent)
            a_i = a_t[e.step]
            if ppo.team_advantage == "split":
                share = np.divide(e.reward_sparse, e.team_reward[e.step], out=np.ones_like(a_i),
                                  where=np.abs(e.team_reward[e.step]) > 1e-6)
                a_i = a_i * share
            adv_team.append(a_i)
            adv_hat.append(a_h)
            chain.append(du)
            returns.append(a_t + v)
            returns_hat.append(a_h + vh)
            start_t += e.num_steps
            start_i += e.num_transitions
        adv, adv_h = np.concatenate(adv_team), np.concatenate(adv_hat)
        chain_w = np.concatenate(chain)
        if ppo.normalize_advantages:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
            sigma = adv_h.std() + 1e-8
            adv_h = (adv_h - adv_h.mean()) / sigma
            if cfg.meta.eta_chain == "gae":
                chain_w = chain_w / sigma
        ret, ret_h = np.concatenate(returns), np.concatenate(returns_hat)
        ret_t, ret_h_t = (torch.from_numpy(x).to(dev) for x in (ret, ret_h))
        if ppo.value_norm:
            self.value_norm.update(ret_t)
            self.value_norm_hat.update(ret_h_t)
        f32 = torch.float32
        return {
            "obs": obs, "states": states, "state_row": row_t, "num_states": int(states["time"].shape[0]),
            "actions": torch.from_numpy(np.concatenate([e.actions for e in episodes])).to(dev),
            "log_prob": torch.from_numpy(np.concatenate([e.log_prob for e in episodes])).to(dev),
            "adv": torch.from_numpy(adv).to(dev, f32), "adv_hat": torch.from_numpy(adv_h).to(dev, f32),
            "chain": torch.from_numpy(chain_w).to(dev, torch.float64),
            "target": self._norm(self.value_norm, ret_t).to(f32),
            "target_hat": self._norm(self.value_norm_hat, ret_h_t).to(f32),
            "episode_step": np.concatenate([e.step for e in episodes]),
            "episode_id": np.concatenate([np.full(e.num_transitions, j) for j, e in enumerate(episodes)]),
            "explained_variance": _explained_variance(values, ret),
            "ev_hat": _explained_variance(values_hat, ret_h),
        }

    def _epoch_samples(self, data: dict, generator: torch.Generator) -> torch.Tensor:
        """Indices of this epoch's agent-transitions in minibatch order: all of them, shuffled one by one
        ("shuffle") or by shared task graph ("groups"), or the authors' windows ("window")."""
        n = data["actions"].shape[0]
        if self.config.ppo.sampling == "shuffle":
            return torch.randperm(n, generator=generator).to(self.device)
        if self.config.ppo.sampling == "groups":
            graph = data["obs"]["graph_index"].cpu()
            rank = torch.randperm(int(graph.max()) + 1, generator=generator)
            return torch.argsort(rank[graph], stable=True).to(self.device)
        step, episode = data["episode_step"], data["episode_id"]
        keep = np.zeros(n, dtype=bool)
        for j in np.unique(episode):  # one draw per episode: 10 random 64-step windows
            last = int(step[episode == j].max())
            starts = torch.randint(0, max(1, last - 62), (10,), generator=generator).numpy()
            in_window = ((step[:, None] >= starts) & (step[:, None] < starts + 64)).any(axis=1)
            keep |= (episode == j) & in_window
        chosen = torch.from_numpy(np.flatnonzero(keep))
        return chosen[torch.randperm(chosen.numel(), generator=generator)].to(self.device)

    def _actor_minibatch(self, data: dict, idx: torch.Tensor, next_idx: torch.Tensor | None,
                         split_meta: bool = False) -> dict[str, float]:
        cfg, ppo, meta = self.config, self.config.ppo, self.config.meta
        obs = select(data["obs"], idx)
        actions, log_prob_old = data["actions"][idx], data["log_prob"][idx]
        theta = dict(self.actor.named_parameters())
        scale = cfg.optim.chi * idx.numel() if cfg.optim.chi is not None else 1.0
        if not meta.trains_meta:
            adv = data["adv"][idx] if meta.variant == "sparse" else data["adv_hat"][idx]
            grads, stats = ppo_step(self.actor, theta, obs, actions, log_prob_old, adv,
                                    clip_eps=ppo.clip_eps, entropy_coef=ppo.entropy_coef)
            stats["grad_norm_theta"] = self._apply(self.actor, self.opt_theta, grads, scale)
            return {k: float(v) for k, v in stats.items()}
        theta_hat = dict(self.actor_hat.named_parameters())
        inner_lr = meta.meta_inner_lr if meta.meta_inner_lr is not None else cfg.optim.lr_theta_hat / 2
        direction = None
        if next_idx is not None:
            first = meta_step(self.actor, theta, theta_hat, obs, actions, log_prob_old, data["adv"][idx],
                              data["adv_hat"][idx], clip_eps=ppo.clip_eps, entropy_coef=ppo.entropy_coef, xi=0.0,
                              inner_lr=inner_lr, want_sensitivity=False)
            direction = post_step_direction(
                self.actor, theta, theta_hat, first.grad_theta_hat, inner_lr,
                select(data["obs"], next_idx), data["actions"][next_idx],
                data["adv_hat"][next_idx], clip_eps=ppo.clip_eps, entropy_coef=ppo.entropy_coef)
        step = meta_step(self.actor, theta, theta_hat, obs, actions, log_prob_old, data["adv"][idx],
                         data["adv_hat"][idx], clip_eps=ppo.clip_eps, entropy_coef=ppo.entropy_coef, xi=self.xi,
                         inner_lr=inner_lr, want_sensitivity=meta.learns_eta, outer_direction=direction,
                         split_meta=split_meta)
        stats = {k: float(v) for k, v in step.stats.items()}
        if step.meta is not None:
            first_order = [g - self.xi * m for g, m in zip(step.grad_theta, step.meta)]
            stats["meta_norm"] = float(_global_norm(step.meta))
            stats["meta_cos"] = float(_cosine(first_order, step.meta))
        stats["grad_norm_theta_hat"] = self._apply(self.actor_hat, self.opt_theta_hat, step.grad_theta_hat, scale)
        stats["grad_norm_theta"] = self._apply(self.actor, self.opt_theta, step.grad_theta, scale)
        chain = data["chain"][idx]
        if meta.learns_eta and bool(chain.any()):  # Alg. 1 line 10: "if eta can update"
            g_eta = eta_gradient(step.advantage_sensitivity.double(), chain)
            self.opt_eta.zero_grad()
            (g_eta.to(self.eta.raw.device).detach() * self.eta.value()).sum().backward()
            self.opt_eta.step()
            if meta.eta_param == "clip":
                with torch.no_grad():
                    self.eta.raw.clamp_(0.0, 1.0)
            stats["g_alpha"], stats["g_beta"] = (float(x) for x in g_eta)
        return stats

    def _critic_minibatch(self, data: dict, rows: torch.Tensor) -> dict[str, float]:
        states, ppo = data["states"], self.config.ppo
        h = self.critic.encode_state(states["workers"][rows], states["subtasks"][rows], states["lengths"][rows],
                                     states["time"][rows])
        loss_team = value_loss(self.critic.team_value(h), data["target"][rows], ppo.value_loss)
        position = torch.full((data["num_states"],), -1, dtype=torch.long, device=self.device)
        position[rows] = torch.arange(rows.numel(), device=self.device)
        agents = torch.nonzero(position[data["state_row"]] >= 0).squeeze(1)
        loss = loss_team
        loss_agent = torch.zeros((), device=self.device)
        if agents.numel():
            obs = select(data["obs"], agents)
            pred = self.critic.agent_value(h[position[data["state_row"][agents]]], obs)
            loss_agent = value_loss(pred, data["target_hat"][agents], ppo.value_loss)
            loss = loss + loss_agent
        grads = torch.autograd.grad(loss, list(self.critic.parameters()), allow_unused=True)
        grads = [torch.zeros_like(p) if g is None else g for g, p in zip(grads, self.critic.parameters())]
        norm = self._apply(self.critic, self.opt_phi, grads, 1.0)
        return {"value_loss": float(loss_team.detach()), "value_loss_hat": float(loss_agent.detach()),
                "grad_norm_phi": norm}

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


def _global_norm(tensors) -> torch.Tensor:
    return torch.sqrt(sum((t.double() ** 2).sum() for t in tensors))


def _cosine(a, b) -> float:
    dot = sum((x.double() * y.double()).sum() for x, y in zip(a, b))
    denom = float(_global_norm(a) * _global_norm(b))
    return float(dot) / denom if denom > 0 else math.nan


def _explained_variance(pred: np.ndarray, target: np.ndarray) -> float:
    var = target.var()
    return float(1 - (target - pred).var() / var) if var > 0 else math.nan


def select(obs: dict[str, torch.Tensor], idx: torch.Tensor) -> dict[str, torch.Tensor]:
    """The observations of transitions ``idx``, each task graph they use once (``graph_index`` renumbered)."""
    graphs, index = torch.unique(obs["graph_index"][idx], return_inverse=True)
    out = {k: obs[k][idx] for k in AGENT_KEYS}
    out.update({k: obs[k][graphs] for k in GRAPH_KEYS}, graph_index=index)
    return out
