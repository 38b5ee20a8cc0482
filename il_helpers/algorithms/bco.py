"""BCO: behavioral cloning from observation (Torabi, Warnell & Stone 2018), notebook 09.

The demonstrations are **states only**: ``(s, s')`` pairs, no actions (a video of the expert, not
its joystick). The learner plays in the environment itself and so knows its own actions:

1. collect ``(s, a, s')`` with a random policy (``pre_episodes`` episodes);
2. fit an **inverse dynamics model** ``p(a | s, s')`` on them (cross-entropy for discrete actions,
   least squares for continuous ones):

   .. math:: \\min_\\phi \\; \\mathbb{E}_{(s, a, s') \\sim \\text{agent}} \\, [-\\log p_\\phi(a \\mid s, s')]

3. label each demonstration transition with the model's action, ``a_hat = argmax_a p_phi(a | s, s')``
   (its mean for continuous actions);
4. behavioral cloning on ``(s, a_hat)`` (:func:`~il_helpers.algorithms.bc.train_bc`).

**BCO(alpha)**: then ``alpha_rounds`` times: roll out the current policy (``alpha_episodes``
episodes, with ``noise`` exploration: :func:`~il_helpers.core.rollout.perturb`), add those
transitions to the model's data, refit the model, relabel, refit BC. The policy's own rollouts
visit the expert's states far more than a random policy does, which is where the labels matter.

**Calibration** (continuous actions, ``calibrate=True``; not in the paper): with noisy dynamics a
least-squares model predicts the posterior mean ``E[a | s, s']``, shrunk towards the agent's own
actions, and BC on shrunk labels under-steers. After each fit the labels are rescaled by a line
fitted on the agent's data, where the true actions are known (:func:`calibrate_labels`). Measured
on LaneKeeping-v0 (train_bco's defaults, 10 demonstrations, 100 test episodes): without it
normalized 0.86 and 0.62 on seeds 0 and 1 (the fitted slope is 0.75 on seed 0's random-policy data,
0.77 after the alpha rounds); with it 1.00 and 1.00.

The demonstrations' ``actions``, ``taken`` and ``rewards`` are never read: the trainer gives BC a
copy of the demonstrations whose actions are the model's labels (``tests/test_bco.py`` passes
demonstrations with NaN actions and gets the same policy). The model's input is
``[s, s' - s]``, each standardized with the agent's own statistics.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..core.checks import (
    TRAIN_SEED_MAX,
    check,
    check_fields,
    check_int,
    check_number,
    check_probability,
    check_seed,
    check_training_data,
    make_config,
)
from ..core.demonstrations import Demonstrations
from ..core.nets import cpu_threads, mlp, normalization_stats
from ..core.policies import RandomPolicy
from ..core.rollout import rollout
from ..envs.registry import env_spaces
from .bc import BCConfig, train_bc
from .ppo import iteration_seed


@dataclass
class BCOConfig:
    """BCO's settings: the random-policy episodes before the first fit (``pre_episodes``), the
    BCO(alpha) rounds (``alpha_rounds``, 0: plain BCO) of ``alpha_episodes`` policy episodes with
    ``noise`` exploration, the inverse model's MLP (``idm_hidden``) and its training (``idm_steps``
    Adam minibatch steps of ``idm_batch`` at ``idm_lr``, every fit from scratch; ``calibrate``:
    undo its shrinkage on continuous actions, :func:`calibrate_labels`), and the BC fit
    (``bc``: a :class:`~il_helpers.algorithms.bc.BCConfig`; its ``loss`` "auto" picks cross-entropy
    or least squares)."""

    pre_episodes: int = 20
    alpha_rounds: int = 2
    alpha_episodes: int = 10
    noise: float = 0.2
    idm_hidden: tuple = (64, 64)
    idm_steps: int = 1500
    idm_batch: int = 256
    idm_lr: float = 3e-3
    calibrate: bool = True
    horizon: int | None = None
    bc: BCConfig = field(default_factory=lambda: BCConfig(val_frac=0.0))

    def __post_init__(self):
        w = "BCOConfig"
        check_int("pre_episodes", self.pre_episodes, 1, where=w)
        check_int("alpha_rounds", self.alpha_rounds, 0, where=w)
        check_int("alpha_episodes", self.alpha_episodes, 1, where=w)
        check_probability("noise", self.noise, where=w)
        check_int("idm_steps", self.idm_steps, 1, where=w)
        check_int("idm_batch", self.idm_batch, 1, where=w)
        check_number("idm_lr", self.idm_lr, 0.0, 1.0, low_open=True, high_open=True, where=w)
        if self.horizon is not None:
            check_int("horizon", self.horizon, 1, where=w)
        check(isinstance(self.bc, BCConfig), "bc", "a BCConfig", self.bc, where=w)
        check(isinstance(self.idm_hidden, (tuple, list)) and all(
            isinstance(h, (int, np.integer)) and not isinstance(h, bool) and h >= 1 for h in self.idm_hidden),
            "idm_hidden", "a sequence of layer widths, each an integer >= 1 (e.g. (64, 64))", self.idm_hidden, where=w)
        self.idm_hidden = tuple(self.idm_hidden)
        check_fields(self, w)


# ---------------------------------------------------------------------------------------------
# the inverse dynamics model p(a | s, s')
# ---------------------------------------------------------------------------------------------


class InverseDynamics(nn.Module):
    """``p(a | s, s')``: an MLP on ``[(s - m_s) / sd_s, (s' - s - m_d) / sd_d]``; logits for
    discrete actions, the mean action for continuous ones (``label`` gives the action)."""

    def __init__(self, obs_dim: int, act_dim: int, discrete: bool, hidden=(64, 64), low=None, high=None):
        super().__init__()
        self.discrete, self.act_dim = discrete, act_dim
        self.net = mlp([2 * obs_dim, *hidden, act_dim])
        for name in ("s_mean", "d_mean"):
            self.register_buffer(name, torch.zeros(obs_dim))
        for name in ("s_std", "d_std"):
            self.register_buffer(name, torch.ones(obs_dim))
        self.register_buffer("slope", torch.ones(act_dim))       # continuous: the calibration a_hat = c a + b
        self.register_buffer("intercept", torch.zeros(act_dim))
        self.low = None if low is None else torch.as_tensor(low, dtype=torch.float32)
        self.high = None if high is None else torch.as_tensor(high, dtype=torch.float32)

    def set_normalization(self, obs: np.ndarray, next_obs: np.ndarray) -> None:
        for (m, s), x in (((self.s_mean, self.s_std), obs), ((self.d_mean, self.d_std), next_obs - obs)):
            mean, std = normalization_stats(x)
            m.copy_(torch.as_tensor(mean, dtype=torch.float32))
            s.copy_(torch.as_tensor(std, dtype=torch.float32))

    def forward(self, obs: torch.Tensor, next_obs: torch.Tensor) -> torch.Tensor:
        x = torch.cat([(obs - self.s_mean) / self.s_std, (next_obs - obs - self.d_mean) / self.d_std], dim=1)
        return self.net(x)

    def loss(self, obs, next_obs, actions) -> torch.Tensor:
        out = self(obs, next_obs)
        if self.discrete:
            return nn.functional.cross_entropy(out, actions.long())
        return (out - actions.float()).pow(2).sum(1).mean()

    @torch.no_grad()
    def label(self, obs: np.ndarray, next_obs: np.ndarray) -> np.ndarray:
        """The inferred action of each transition: int64 (N,) or float32 (N, act_dim) within the bounds."""
        out = self(torch.as_tensor(obs, dtype=torch.float32), torch.as_tensor(next_obs, dtype=torch.float32))
        if self.discrete:
            return out.argmax(1).numpy().astype(np.int64)
        out = (out - self.intercept) / self.slope
        if self.low is not None:
            out = torch.maximum(torch.minimum(out, self.high), self.low)
        return out.numpy().astype(np.float32)


def fit_inverse_dynamics(model: InverseDynamics, obs, actions, next_obs, cfg: BCOConfig,
                         gen: torch.Generator, calibrate: bool = True) -> float:
    """``idm_steps`` Adam steps on random minibatches of the agent's transitions, then (continuous
    actions, ``calibrate``) :func:`calibrate_labels`; the last loss."""
    model.set_normalization(obs, next_obs)
    o, a, o2 = (torch.as_tensor(x) for x in (obs, actions, next_obs))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.idm_lr)
    loss = torch.tensor(float("nan"))
    for _ in range(cfg.idm_steps):
        i = torch.randint(len(o), (min(cfg.idm_batch, len(o)),), generator=gen)
        loss = model.loss(o[i], o2[i], a[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if calibrate and not model.discrete:
        calibrate_labels(model, o, o2, a)
    return float(loss.detach())


def calibrate_labels(model: InverseDynamics, obs: torch.Tensor, next_obs: torch.Tensor, actions: torch.Tensor) -> None:
    """Continuous actions: undo the least-squares model's shrinkage. With noisy dynamics its
    prediction is the posterior mean ``E[a | s, s']``, pulled towards the agent's own actions
    (on LaneKeeping, ``a_hat ~ 0.75 a``), and BC on such labels under-steers. Fit
    ``a_hat_j = c_j a_j + b_j`` per action dimension on the agent's data (where ``a`` is known), and
    label with ``(a_hat - b) / c``: on average the true action (regression calibration)."""
    with torch.no_grad():
        pred, a = model(obs.float(), next_obs.float()), actions.float().reshape(len(actions), -1)
        am, pm = a.mean(0), pred.mean(0)
        var = (a - am).pow(2).mean(0)
        c = ((a - am) * (pred - pm)).mean(0) / var.clamp_min(1e-8)
        ok = (var > 1e-8) & (c > 0.1)     # no usable spread or a model that learned nothing: leave it
        model.slope.copy_(torch.where(ok, c, torch.ones_like(c)))
        model.intercept.copy_(torch.where(ok, pm - c * am, torch.zeros_like(c)))


# ---------------------------------------------------------------------------------------------
# the loop
# ---------------------------------------------------------------------------------------------


@dataclass
class BCOHistory:
    """Per fit (1 + ``alpha_rounds``): the agent's transitions so far (``env_steps``), the inverse
    model's last training loss, its accuracy on its own data (discrete; NaN otherwise), the true
    return of the episodes just collected (the first: the random policy's; never seen by the
    learner), and the wall time. After training: the ``inverse_model``, the ``labels`` it gave the
    demonstrations, the ``config`` and ``seed``."""

    env_steps: list[int] = field(default_factory=list)
    idm_loss: list[float] = field(default_factory=list)
    idm_accuracy: list[float] = field(default_factory=list)
    play_return: list[float] = field(default_factory=list)
    wall_s: list[float] = field(default_factory=list)
    inverse_model: InverseDynamics | None = field(default=None, repr=False)
    labels: np.ndarray | None = field(default=None, repr=False)
    config: BCOConfig | None = None
    seed: int | None = None


def _transitions(r):
    m = r.alive
    return r.obs[m], r.actions[m], r.next_obs[m], float(r.returns.mean())


def states_only(demos: Demonstrations, actions: np.ndarray | None = None, env_id: str | None = None) -> Demonstrations:
    """A copy of ``demos`` that keeps their states (``obs``, ``next_obs``, ``terminated``, the episode
    lengths and ``meta``) and nothing the expert did: ``actions`` (default: a placeholder, action 0
    or the zero action clipped to the bounds) as both its actions and ``taken``, zero rewards. BCO
    gives BC such a copy with the inverse model's labels; GAIfO gives the adversarial loop one.

    ``env_id``: the learner's environment when it is another body than the one the states were
    watched on (notebook 09: LaneKeeping with the steering reversed); its observations must be the
    demonstrations' (same space), its actions are its own."""
    if env_id is not None and env_id != demos.env_id:
        mine, theirs = env_spaces(env_id)[0], env_spaces(demos.env_id)[0]
        if mine != theirs:
            raise ValueError(f"states_only: the learner's {env_id!r} observes {mine}, the demonstrations' "
                             f"{demos.env_id!r} {theirs}; a learner can only watch states it can observe itself")
    env_id = demos.env_id if env_id is None else env_id
    if actions is None:
        _, space = env_spaces(env_id)
        if hasattr(space, "low"):
            actions = np.broadcast_to(np.clip(0.0, space.low, space.high), (len(demos), *space.shape))
            actions = np.ascontiguousarray(actions, dtype=np.float32)
        else:
            actions = np.zeros(len(demos), np.int64)
    return Demonstrations(obs=demos.obs, actions=actions, taken=actions, rewards=np.zeros(len(demos), np.float32),
                          next_obs=demos.next_obs, terminated=demos.terminated,
                          episode_lengths=demos.episode_lengths, env_id=env_id, expert=f"{demos.expert} (states)",
                          meta={**demos.meta, "actions": "removed"})


def train_bco(demos: Demonstrations, *, env_id: str | None = None, seed: int = 0,
              progress: Callable[[int, int, dict], None] | None = None, config: BCOConfig | None = None,
              **settings):
    """BCO(alpha) from the demonstrations' states alone: ``(policy, history)``.

    ``demos.obs`` and ``demos.next_obs`` are used (with ``terminated`` and the episode lengths,
    for BC's copy); the actions never. ``progress(fit, 1 + alpha_rounds, info)`` is called after
    each fit. Deterministic for a given ``seed``; the global RNGs are left as they were."""
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"train_bco: demos must be il_helpers.Demonstrations, got {type(demos).__name__}")
    seed = check_seed("seed", seed, "train_bco", TRAIN_SEED_MAX)
    env_id = check_training_data(demos, env_id, "train_bco")
    cfg = make_config(BCOConfig, config, "train_bco", **settings)
    for name in ("obs", "next_obs"):
        if not np.all(np.isfinite(getattr(demos, name))):
            raise ValueError(f"train_bco: demos.{name} contains NaN or inf; drop or re-collect those episodes")
    _, act_space = env_spaces(env_id)
    discrete = not hasattr(act_space, "low")
    act_dim = int(act_space.n) if discrete else int(np.prod(act_space.shape))
    with torch.random.fork_rng(devices=[]), cpu_threads(1):
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        hist, t0 = BCOHistory(config=cfg, seed=seed), time.perf_counter()
        first = rollout(RandomPolicy(act_space, seed=iteration_seed(seed, 0)), env_id, cfg.pre_episodes,
                        seed=iteration_seed(seed, 1), horizon=cfg.horizon)
        o, a, o2, ret = _transitions(first)
        data = [(o, a, o2)]
        fits = 1 + cfg.alpha_rounds
        policy = None
        for k in range(fits):
            if k > 0:   # BCO(alpha): the current policy plays, with exploration noise
                r = rollout(policy, env_id, cfg.alpha_episodes, seed=iteration_seed(seed, 2 + k),
                            horizon=cfg.horizon, noise=cfg.noise)
                o, a, o2, ret = _transitions(r)
                data.append((o, a, o2))
            obs, actions, next_obs = (np.concatenate([d[i] for d in data]) for i in range(3))
            model = InverseDynamics(len(obs[0]), act_dim, discrete, cfg.idm_hidden,
                                    None if discrete else act_space.low, None if discrete else act_space.high)
            loss = fit_inverse_dynamics(model, obs, actions, next_obs, cfg, gen, cfg.calibrate)
            acc = float((model.label(obs, next_obs) == actions).mean()) if discrete else float("nan")
            labels = model.label(demos.obs, demos.next_obs)
            policy, _ = train_bc(states_only(demos, labels), seed=iteration_seed(seed, 100 + k), config=cfg.bc)
            hist.env_steps.append(len(obs))
            hist.idm_loss.append(loss)
            hist.idm_accuracy.append(acc)
            hist.play_return.append(ret)
            hist.wall_s.append(time.perf_counter() - t0)
            if progress is not None:
                progress(k + 1, fits, {"env_steps": len(obs), "idm_loss": loss, "idm_accuracy": acc,
                                       "play_return": ret})
    hist.inverse_model, hist.labels = model, labels
    policy.name = "BCO policy"
    return policy, hist


__all__ = ["BCOConfig", "BCOHistory", "InverseDynamics", "calibrate_labels", "fit_inverse_dynamics", "states_only",
           "train_bco"]
