"""SQIL: soft Q imitation learning (Reddy, Dragan & Levine 2020), notebook 09.

Imitation as reinforcement learning with the simplest possible reward: **1 for the expert's
transitions, 0 for the agent's own**, learned by soft Q-learning off a replay that holds both, each
minibatch half expert and half agent. No discriminator, no reward model: the constant rewards
make the agent's value high where the expert went and the rewards it sees on its own
transitions (0) pull the value of everything else down, so it learns to return to the expert's
states, as DAgger does without an expert to ask.

Soft Q-learning (discrete actions, temperature ``alpha``), with a target network ``Q_bar``:

.. math:: V(s) = \\alpha \\log \\sum_a \\exp(Q(s, a) / \\alpha), \\qquad
          \\mathcal{L}(Q) = \\mathbb{E}_{(s, a, r, s') \\sim \\frac12 D_E + \\frac12 D_\\pi}
          \\big[(Q(s, a) - r - \\gamma (1 - \\mathrm{done}) \\, \\bar V(s'))^2\\big],
          \\quad r = 1 \\text{ on } D_E, \\; r = 0 \\text{ on } D_\\pi

The agent acts by sampling ``pi(a|s) = softmax(Q(s, .) / alpha)`` while it trains (its
exploration); the returned policy acts greedily, ``argmax_a Q(s, a)``. A termination ends the
bootstrap (``done``); the horizon's time limit does not. The demonstrations' rewards are never read.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..core.checks import TRAIN_SEED_MAX, check, check_fields, check_int, check_number, check_seed, make_config
from ..core.demonstrations import Demonstrations
from ..core.nets import cpu_threads, mlp
from ..core.policies import TorchPolicy
from ..core.rollout import rollout
from ..envs.registry import env_spaces
from .adversarial import check_demos
from .ppo import iteration_seed


@dataclass
class SQILConfig:
    """SQIL's settings: ``iterations`` rounds of ``n_envs`` agent episodes then ``updates`` gradient
    steps on minibatches of ``batch_size`` (half expert, half agent); soft Q-learning's discount
    ``gamma`` and temperature ``alpha``; Adam's ``lr``; the target network copied every
    ``target_every`` updates; the agent's replay drops its oldest iterations once the rest hold
    ``buffer_size`` transitions."""

    iterations: int = 20
    n_envs: int = 4
    updates: int = 250
    batch_size: int = 256
    gamma: float = 0.99
    alpha: float = 0.1
    lr: float = 3e-4
    target_every: int = 250
    buffer_size: int = 50_000
    hidden: tuple = (64, 64)
    horizon: int | None = None

    def __post_init__(self):
        w = "SQILConfig"
        for name in ("iterations", "n_envs", "updates", "target_every", "buffer_size"):
            check_int(name, getattr(self, name), 1, where=w)
        check_int("batch_size", self.batch_size, 2, where=w)
        check_number("gamma", self.gamma, 0.0, 1.0, high_open=True, where=w)
        check_number("alpha", self.alpha, 0.0, low_open=True, where=w)
        check_number("lr", self.lr, 0.0, 1.0, low_open=True, high_open=True, where=w)
        if self.horizon is not None:
            check_int("horizon", self.horizon, 1, where=w)
        check(isinstance(self.hidden, (tuple, list)) and all(
            isinstance(h, (int, np.integer)) and not isinstance(h, bool) and h >= 1 for h in self.hidden),
            "hidden", "a sequence of layer widths, each an integer >= 1 (e.g. (64, 64))", self.hidden, where=w)
        self.hidden = tuple(self.hidden)
        check_fields(self, w)


class SoftQPolicy(TorchPolicy):
    """``Q(s, .)``: an MLP on normalized observations. As a policy it acts greedily, or (``sample``
    set, while SQIL trains) samples ``softmax(Q / alpha)`` with its own seeded generator."""

    def __init__(self, obs_dim: int, n_actions: int, hidden=(64, 64), alpha: float = 0.1):
        super().__init__(obs_dim, n_actions)
        self.net = mlp([obs_dim, *hidden, n_actions])
        self.alpha, self.sample, self.noise = float(alpha), False, torch.Generator()
        self.name = "SQIL policy"

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net(self.normalize(obs))

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        """The soft value ``V(s) = alpha logsumexp(Q(s, .) / alpha)``."""
        return self.alpha * torch.logsumexp(self(obs) / self.alpha, dim=1)

    def _act(self, x: torch.Tensor) -> torch.Tensor:
        q = self(x)
        if self.sample:
            return torch.multinomial(torch.softmax(q / self.alpha, dim=1), 1, generator=self.noise).squeeze(1)
        return q.argmax(1)


def soft_q_loss(q: SoftQPolicy, target: SoftQPolicy, obs, actions, rewards, next_obs, done, gamma: float):
    """``mean (Q(s, a) - r - gamma (1 - done) V_target(s'))^2``."""
    with torch.no_grad():
        y = rewards + gamma * (1.0 - done) * target.value(next_obs)
    q_sa = q(obs).gather(1, actions[:, None]).squeeze(1)
    return (q_sa - y).pow(2).mean()


@dataclass
class SQILHistory:
    """Per iteration: the cumulative agent steps, the true return of its (sampling) episodes (never
    seen by the learner), the last loss, the mean greedy ``Q`` on the expert's and the agent's
    states, and the wall time; ``config`` and ``seed`` of the run."""

    env_steps: list[int] = field(default_factory=list)
    episode_return: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    q_expert: list[float] = field(default_factory=list)
    q_agent: list[float] = field(default_factory=list)
    wall_s: list[float] = field(default_factory=list)
    config: SQILConfig | None = None
    seed: int | None = None


def train_sqil(demos: Demonstrations, *, env_id: str | None = None, seed: int = 0,
               progress: Callable[[int, int, dict], None] | None = None, config: SQILConfig | None = None,
               **settings) -> tuple[SoftQPolicy, SQILHistory]:
    """SQIL from demonstrations with discrete actions: ``(policy, history)`` (a greedy
    :class:`SoftQPolicy`). ``progress(iteration, iterations, info)`` after each iteration.
    Deterministic for a given ``seed``; the global RNGs are left as they were."""
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"train_sqil: demos must be il_helpers.Demonstrations, got {type(demos).__name__}")
    seed = check_seed("seed", seed, "train_sqil", TRAIN_SEED_MAX)
    env_id = check_demos(demos, env_id, "train_sqil")
    cfg = make_config(SQILConfig, config, "train_sqil", **settings)
    if len(demos) == 0:
        raise ValueError("train_sqil: demos hold no steps; collect some with collect_demonstrations")
    obs_space, act_space = env_spaces(env_id)
    if hasattr(act_space, "low"):
        raise ValueError(f"train_sqil: SQIL's soft Q-learning needs discrete actions; {env_id!r} has continuous "
                         f"ones. Use a discrete twin (e.g. il_helpers/LaneKeepingDiscrete-v0) or gail/bc")
    with torch.random.fork_rng(devices=[]), cpu_threads(1):
        torch.manual_seed(seed)
        return _train(demos, env_id, cfg, seed, progress, obs_space, act_space)


def _train(demos, env_id, cfg, seed, progress, obs_space, act_space):
    gen = torch.Generator().manual_seed(seed)
    q = SoftQPolicy(obs_space.shape[0], int(act_space.n), cfg.hidden, cfg.alpha)
    q.set_normalization(demos.obs)
    q.noise.manual_seed(iteration_seed(seed, 10**6))
    target = copy.deepcopy(q)
    opt = torch.optim.Adam(q.parameters(), lr=cfg.lr)
    e_obs, e_next = torch.as_tensor(demos.obs), torch.as_tensor(demos.next_obs)
    e_act, e_done = torch.as_tensor(demos.actions), torch.as_tensor(demos.terminated, dtype=torch.float32)
    agent: list[tuple] = []     # per iteration: (obs, actions, next_obs, done)
    hist, t0, steps, updates = SQILHistory(config=cfg, seed=seed), time.perf_counter(), 0, 0
    half = cfg.batch_size // 2
    for it in range(cfg.iterations):
        q.sample = True
        r = rollout(q, env_id, cfg.n_envs, seed=iteration_seed(seed, it), horizon=cfg.horizon)
        q.sample = False
        m = r.alive
        agent.append(tuple(torch.as_tensor(x) for x in (r.obs[m], r.actions[m], r.next_obs[m],
                                                         r.terminated[m].astype(np.float32))))
        while sum(len(a[0]) for a in agent) - len(agent[0][0]) >= cfg.buffer_size:
            agent.pop(0)          # drop whole old iterations past the buffer's size
        a_obs, a_act, a_next, a_done = (torch.cat([a[i] for a in agent]) for i in range(4))
        steps += int(m.sum())
        for _ in range(cfg.updates):
            ie = torch.randint(len(e_obs), (half,), generator=gen)
            ia = torch.randint(len(a_obs), (half,), generator=gen)
            obs = torch.cat([e_obs[ie], a_obs[ia]])
            actions = torch.cat([e_act[ie], a_act[ia]])
            rewards = torch.cat([torch.ones(half), torch.zeros(half)])      # SQIL's whole reward
            nxt = torch.cat([e_next[ie], a_next[ia]])
            done = torch.cat([e_done[ie], a_done[ia]])
            loss = soft_q_loss(q, target, obs, actions, rewards, nxt, done, cfg.gamma)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(q.parameters(), 10.0)
            opt.step()
            updates += 1
            if updates % cfg.target_every == 0:
                target.load_state_dict(q.state_dict())
        with torch.no_grad():
            hist.q_expert.append(float(q(e_obs[:2048]).max(1).values.mean()))
            hist.q_agent.append(float(q(agent[-1][0][:2048]).max(1).values.mean()))
        hist.env_steps.append(steps)
        hist.episode_return.append(float(r.returns.mean()))
        hist.loss.append(float(loss.detach()))
        hist.wall_s.append(time.perf_counter() - t0)
        if progress is not None:
            progress(it + 1, cfg.iterations, {k: getattr(hist, k)[-1] for k in
                                              ("env_steps", "episode_return", "loss", "q_expert", "q_agent")})
    q.sample = False
    return q, hist


__all__ = ["SQILConfig", "SQILHistory", "SoftQPolicy", "soft_q_loss", "train_sqil"]
