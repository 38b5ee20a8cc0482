"""GAIL and AIRL: adversarial imitation (notebook 05).

**Label convention, used everywhere in the course:** ``D(s, a)`` is the probability that the
pair came from the **expert**. The discriminator network outputs the logit
``l(s, a) = log D - log(1 - D)``, so ``D = sigmoid(l)``, and minimizes the binary cross-entropy ::

    L_D = -E_expert[log D(s, a)] - E_pi[log(1 - D(s, a))]

(Ho & Ermon 2016 write the opposite convention, D = probability of the *policy*; only the
signs move.) For a fixed policy the optimal discriminator is
``D*(s, a) = rho_E(s, a) / (rho_E(s, a) + rho_pi(s, a))`` with ``rho`` the occupancy measures.

**Reward forms** (``reward=``), all functions of the logit:

* ``"-log(1-D)"`` = softplus(l) > 0: GAIL's usual generator reward. Always positive: a
  **survival bonus** on an environment whose episodes end early.
* ``"log D"`` = -softplus(-l) < 0: always negative, a **living cost**: the policy is paid to end
  the episode.
* ``"logit"`` = l = log D - log(1 - D): both signs; with the optimal discriminator it is
  ``log rho_E - log rho_pi``, and maximizing it is minimizing KL(rho_pi || rho_E) (AIRL's reward).

**Termination bias** (Kostrikov et al. 2019): when an episode terminates early it simply
collects no more reward, so the *sign* of the reward decides whether the agent wants to live
or to die, whatever the expert did. With ``absorbing=True`` a terminated episode instead moves to
an **absorbing state** where it stays forever: the discriminator scores the absorbing state like
any other state (its input is a flag, observation and action zeroed), the generator collects
its reward ``r_abs`` at every later step, and GAE bootstraps a termination with the exact value
``r_abs / (1 - gamma)``. The episode length then leaks nothing: falling is good or bad only if
the discriminator says the expert's states are unlike the absorbing one. The discriminator sees
the absorbing state with the weight of the steps it fills up to the horizon (a fixed-horizon
view of the same MDP).

**AIRL** (Fu, Luo & Levine 2018, ``train_airl``): the discriminator has the structure ::

    D(s, a, s') = exp f(s, a, s') / (exp f(s, a, s') + pi(a|s)),  f = g(s) + gamma h(s') - h(s)

so its logit is ``f(s, a, s') - log pi(a|s)``, the generator's reward is that logit, and the
learned ``g`` (state-only, or ``g(s, a)`` with ``state_only=False``) is the recovered reward,
``h`` a shaping potential. The tabular version, solved exactly, is :mod:`il_helpers.algorithms.airl_tabular`.

Stabilizers, each an option: a zero-centred gradient penalty on interpolates of expert and
policy inputs (``grad_penalty``), spectral normalization of the discriminator's layers
(``spectral_norm``), an entropy bonus for the generator (``ent_coef``), the number of
discriminator updates per generator iteration (``d_steps``), and BC initialization of the
generator (``bc_epochs``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..core.demonstrations import Demonstrations
from ..core.nets import cpu_threads
from ..envs.registry import env_spaces
from .bc import mlp
from .ppo import ActorCritic, PPOConfig, advantages, collect, iteration_seed, ppo_update, set_lr

REWARD_FORMS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "-log(1-D)": lambda logit: nn.functional.softplus(logit),    # -log(1 - sigmoid(l)) = softplus(l)
    "log D": lambda logit: -nn.functional.softplus(-logit),      # log sigmoid(l) = -softplus(-l)
    "logit": lambda logit: logit,                                # log D - log(1 - D)
}
LOGIT_CLIP = 10.0  # |l| <= 10 (D in [4.5e-5, 1 - 4.5e-5]): one confident discriminator cannot produce unbounded rewards


def gail_reward(logit: torch.Tensor, form: str = "-log(1-D)") -> torch.Tensor:
    """The generator's reward from the discriminator's logit ``l = log D - log(1 - D)``."""
    if form not in REWARD_FORMS:
        raise ValueError(f"unknown reward form {form!r}; choose one of {list(REWARD_FORMS)}")
    return REWARD_FORMS[form](logit.clamp(-LOGIT_CLIP, LOGIT_CLIP))


def discriminator_loss(logit_expert: torch.Tensor, logit_policy: torch.Tensor,
                       weight_expert: torch.Tensor | None = None,
                       weight_policy: torch.Tensor | None = None) -> torch.Tensor:
    """``-E_expert[log D] - E_pi[log(1 - D)]`` from logits (expert label 1, policy label 0),
    as weighted means when weights are given."""
    bce = nn.functional.binary_cross_entropy_with_logits
    le = bce(logit_expert, torch.ones_like(logit_expert), reduction="none")
    lp = bce(logit_policy, torch.zeros_like(logit_policy), reduction="none")
    if weight_expert is not None:
        le = (le * weight_expert).sum() / weight_expert.sum()
    else:
        le = le.mean()
    if weight_policy is not None:
        lp = (lp * weight_policy).sum() / weight_policy.sum()
    else:
        lp = lp.mean()
    return le + lp


# ---------------------------------------------------------------------------------------------
# inputs: (s, a) -> features, with the absorbing state as a flag
# ---------------------------------------------------------------------------------------------


class Inputs:
    """Turns (normalized observation, action) into the discriminator's input vector
    ``[s, a, absorbing]`` (one-hot actions for discrete spaces, clipped actions for continuous
    ones); the absorbing state is ``[0, 0, 1]``."""

    def __init__(self, ac: ActorCritic):
        self.ac = ac
        self.obs_dim, self.act_dim, self.discrete = ac.obs_dim, ac.act_dim, ac.discrete
        self.dim = self.obs_dim + self.act_dim + 1

    def action_features(self, actions: torch.Tensor) -> torch.Tensor:
        if self.discrete:
            return nn.functional.one_hot(actions.long(), self.act_dim).float()
        return torch.maximum(torch.minimum(actions.float(), self.ac.high), self.ac.low)

    def __call__(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        zero = torch.zeros(len(obs), 1)
        return torch.cat([self.ac.normalize(obs.float()), self.action_features(actions), zero], dim=1)

    def state(self, obs: torch.Tensor) -> torch.Tensor:
        """State-only features ``[s, absorbing]`` (AIRL's g(s) and h(s))."""
        return torch.cat([self.ac.normalize(obs.float()), torch.zeros(len(obs), 1)], dim=1)

    def absorbing(self) -> torch.Tensor:
        x = torch.zeros(1, self.dim)
        x[0, -1] = 1.0
        return x

    def absorbing_state(self) -> torch.Tensor:
        x = torch.zeros(1, self.obs_dim + 1)
        x[0, -1] = 1.0
        return x


def _net(sizes, spectral: bool) -> nn.Sequential:
    net = mlp(sizes)
    if spectral:
        for i, layer in enumerate(net):
            if isinstance(layer, nn.Linear):
                net[i] = nn.utils.parametrizations.spectral_norm(layer)
    return net


class GAILDiscriminator(nn.Module):
    """``l(s, a)``: an MLP on ``[s, a, absorbing]``."""

    def __init__(self, inputs: Inputs, hidden=(64, 64), spectral: bool = False):
        super().__init__()
        self.inputs = inputs
        self.net = _net([inputs.dim, *hidden, 1], spectral)

    def logit(self, obs, actions, next_obs=None, log_pi=None) -> torch.Tensor:
        return self.net(self.inputs(obs, actions)).squeeze(-1)

    def logit_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)

    def absorbing_logit(self, gamma: float) -> torch.Tensor:
        return self.logit_features(self.inputs.absorbing())[0]


class AIRLDiscriminator(nn.Module):
    """``l(s, a, s') = f(s, a, s') - log pi(a|s)`` with ``f = g(s) + gamma h(s') - h(s)``
    (``g(s, a)`` when ``state_only=False``)."""

    def __init__(self, inputs: Inputs, gamma: float, hidden=(64, 64), state_only: bool = True,
                 spectral: bool = False):
        super().__init__()
        self.inputs, self.gamma, self.state_only = inputs, gamma, state_only
        s_dim = inputs.obs_dim + 1
        self.g = _net([s_dim if state_only else inputs.dim, *hidden, 1], spectral)
        self.h = _net([s_dim, *hidden, 1], spectral)

    def reward(self, obs: torch.Tensor, actions: torch.Tensor | None = None) -> torch.Tensor:
        """The recovered reward ``g(s)`` (or ``g(s, a)``)."""
        x = self.inputs.state(obs) if self.state_only else self.inputs(obs, actions)
        return self.g(x).squeeze(-1)

    def f(self, obs, actions, next_obs, next_absorbing: torch.Tensor | None = None) -> torch.Tensor:
        s, s2 = self.inputs.state(obs), self.inputs.state(next_obs)
        if next_absorbing is not None:   # s' is the absorbing state after a termination
            s2 = torch.where(next_absorbing[:, None], self.inputs.absorbing_state(), s2)
        g = self.g(s if self.state_only else self.inputs(obs, actions)).squeeze(-1)
        return g + self.gamma * self.h(s2).squeeze(-1) - self.h(s).squeeze(-1)

    def logit(self, obs, actions, next_obs, log_pi, next_absorbing=None) -> torch.Tensor:
        return self.f(obs, actions, next_obs, next_absorbing) - log_pi

    def absorbing_logit(self, gamma: float) -> torch.Tensor:
        """The absorbing state loops on itself whatever the action: ``f = g(abs) + (gamma - 1) h(abs)``
        (no action, so no ``log pi`` term)."""
        x = self.inputs.absorbing_state()
        g = self.g(x if self.state_only else self.inputs.absorbing())
        return (g + (self.gamma - 1.0) * self.h(x)).squeeze()


def gradient_penalty(disc, x_expert: torch.Tensor, x_policy: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Zero-centred penalty ``E ||grad_x l(x)||^2`` on random interpolates of expert and policy inputs
    (Mescheder et al. 2018); GAIL's discriminator only."""
    n = min(len(x_expert), len(x_policy))
    eps = torch.rand(n, 1, generator=gen)
    x = (eps * x_expert[:n] + (1 - eps) * x_policy[:n]).requires_grad_(True)
    grad, = torch.autograd.grad(disc.logit_features(x).sum(), x, create_graph=True)
    return grad.pow(2).sum(1).mean()


# ---------------------------------------------------------------------------------------------
# the training loop
# ---------------------------------------------------------------------------------------------


@dataclass
class AdversarialHistory:
    """Per generator iteration: the true return of the sampled episodes (never seen by the
    learner), the discriminator's mean D on expert and on policy pairs, the policy's entropy,
    the discriminator loss, and the cumulative environment steps and wall time."""

    env_steps: list[int] = field(default_factory=list)
    episode_return: list[float] = field(default_factory=list)
    episode_length: list[float] = field(default_factory=list)
    d_expert: list[float] = field(default_factory=list)
    d_policy: list[float] = field(default_factory=list)
    entropy: list[float] = field(default_factory=list)
    d_loss: list[float] = field(default_factory=list)
    learned_return: list[float] = field(default_factory=list)
    wall_s: list[float] = field(default_factory=list)


@dataclass
class AdversarialResult:
    policy: ActorCritic
    discriminator: nn.Module | None
    history: AdversarialHistory
    config: dict


def _check(name: str, ok: bool, expected: str, value) -> None:
    if not ok:
        raise ValueError(f"{name} must be {expected}, got {value!r}")


def _expert_tensors(demos: Demonstrations, horizon: int):
    obs = torch.as_tensor(demos.obs, dtype=torch.float32)
    actions = torch.as_tensor(demos.actions)
    next_obs = torch.as_tensor(demos.next_obs, dtype=torch.float32)
    terminated = torch.as_tensor(demos.terminated, dtype=torch.bool)
    # steps the expert's episodes spent in the absorbing state, in units of kept pairs: an
    # episode of length L fills H - L steps after its end. Subsampled demonstrations (every k-th
    # pair) keep about L / k pairs of an episode, so their absorbing steps shrink by k too.
    every = int(demos.meta.get("subsample", 1))
    lengths = np.minimum(np.asarray(demos.episode_lengths) * every, horizon)
    ended = np.zeros(demos.num_episodes, bool)
    ended[demos.episode_ids[demos.terminated]] = True
    ended |= lengths < horizon - every          # a subsample may drop the terminal step itself
    absorbing_steps = float((np.where(ended, horizon - lengths, 0) / every).sum())
    return obs, actions, next_obs, terminated, absorbing_steps


def train_adversarial(demos: Demonstrations | None, env_id: str | None = None, kind: str = "gail",
                      iterations: int = 40, reward: str = "logit", absorbing: bool = True,
                      d_steps: int = 5, d_batch: int = 512, d_lr: float = 3e-4, d_hidden=(64, 64), d_replay: int = 5,
                      grad_penalty: float = 0.0, spectral_norm: bool = False, ent_coef: float = 0.0,
                      bc_epochs: int = 0, state_only: bool = True, ppo: PPOConfig | None = None,
                      horizon: int | None = None, seed: int = 0,
                      callback: Callable[[int, AdversarialHistory], None] | None = None) -> AdversarialResult:
    """GAIL (``kind="gail"``) or AIRL (``kind="airl"``) from demonstrations, with PPO as the generator.

    ``demos=None`` (GAIL only) is the *no demonstration* control of the termination-bias
    experiment: the discriminator knows nothing, ``D = 1/2`` everywhere, and is never trained.
    """
    _check("kind", kind in ("gail", "airl"), "'gail' or 'airl'", kind)
    if demos is None:
        _check("demos", kind == "gail", "given for AIRL (demos=None is GAIL's no-demonstration control)", demos)
        _check("env_id", env_id is not None, "given when demos is None", env_id)
    elif not isinstance(demos, Demonstrations):
        raise TypeError(f"demos must be il_helpers.Demonstrations (or None), got {type(demos).__name__}")
    else:
        if env_id is not None and env_id != demos.env_id:
            raise ValueError(f"env_id {env_id!r} does not match the demonstrations' environment {demos.env_id!r}; "
                             "pass demonstrations collected on the environment you train on")
        env_id = demos.env_id
    if kind == "airl":
        reward = "logit"   # AIRL's generator reward is its logit f - log pi
    _check("reward", reward in REWARD_FORMS, f"one of {list(REWARD_FORMS)}", reward)
    for name, value in (("iterations", iterations), ("d_steps", d_steps), ("d_batch", d_batch), ("d_replay", d_replay)):
        _check(name, not isinstance(value, bool) and isinstance(value, int) and value >= 1, "an integer >= 1", value)
    _check("bc_epochs", not isinstance(bc_epochs, bool) and isinstance(bc_epochs, int) and bc_epochs >= 0,
           "an integer >= 0", bc_epochs)
    _check("d_lr", isinstance(d_lr, (int, float)) and 0 < d_lr < 1, "in (0, 1)", d_lr)
    _check("grad_penalty", isinstance(grad_penalty, (int, float)) and grad_penalty >= 0, ">= 0", grad_penalty)
    _check("ent_coef", isinstance(ent_coef, (int, float)) and ent_coef >= 0, ">= 0", ent_coef)
    cfg = ppo or PPOConfig()
    cfg = PPOConfig(**{**cfg.__dict__, "ent_coef": ent_coef}) if ent_coef else cfg
    obs_space, act_space = env_spaces(env_id)
    with cpu_threads(1):
        return _train(demos, env_id, kind, iterations, reward, absorbing, d_steps, d_batch, d_lr, tuple(d_hidden),
                      d_replay, grad_penalty, spectral_norm, bc_epochs, state_only, cfg, horizon, seed, callback,
                      obs_space, act_space)


def _train(demos, env_id, kind, iterations, reward, absorbing, d_steps, d_batch, d_lr, d_hidden, d_replay, grad_penalty,
           spectral_norm, bc_epochs, state_only, cfg, horizon, seed, callback, obs_space, act_space):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    ac = ActorCritic(obs_space, act_space, cfg.hidden)
    first = collect(ac, env_id, cfg.n_envs, iteration_seed(seed, 10**6), horizon)
    H = first.horizon
    # observations are measured in units of the expert's spread (the first policy's without
    # demonstrations): the discriminator must resolve small departures from the expert's states
    ac.set_normalization(demos.obs if demos is not None else first.obs[first.alive].numpy())
    inputs = Inputs(ac)
    if demos is not None:
        e_obs, e_act, e_next, e_term, e_abs_steps = _expert_tensors(demos, H)
        if bc_epochs:
            bc_init(ac, e_obs, e_act, bc_epochs, gen)
    disc: nn.Module | None = None
    if demos is not None:
        disc = (GAILDiscriminator(inputs, d_hidden, spectral_norm) if kind == "gail"
                else AIRLDiscriminator(inputs, cfg.gamma, d_hidden, state_only, spectral_norm))
        d_opt = torch.optim.Adam(disc.parameters(), lr=d_lr)
    opt = torch.optim.Adam(ac.parameters(), lr=cfg.lr, eps=1e-5)
    hist, steps, t0 = AdversarialHistory(), 0, time.perf_counter()
    replay: list[tuple] = []

    for it in range(iterations):
        set_lr(opt, cfg, it, iterations)
        if disc is not None and cfg.anneal_lr:       # both players slow down together
            for group in d_opt.param_groups:
                group["lr"] = d_lr * (1.0 - it / iterations)
        batch = collect(ac, env_id, cfg.n_envs, iteration_seed(seed, it), horizon)
        m = batch.alive
        # the discriminator's policy samples: this iteration's and those of the last d_replay - 1
        # (a policy that stops falling must not let the discriminator forget the absorbing state)
        replay.append((batch.obs[m], batch.actions[m], batch.next_obs[m], batch.terminated[m],
                       float(((H - batch.alive.sum(1)) * batch.terminated.any(1)).sum()) if absorbing else 0.0))
        del replay[:-d_replay]
        p_obs, p_act, p_next, p_term = (torch.cat([r[i] for r in replay]) for i in range(4))
        p_abs_steps = sum(r[4] for r in replay)

        # ---- discriminator: d_steps minibatch updates on expert vs policy pairs ------------------
        d_loss = float("nan")
        if disc is not None:
            for _ in range(d_steps):
                ie = torch.randint(len(e_obs), (min(d_batch, len(e_obs)),), generator=gen)
                ip = torch.randint(len(p_obs), (min(d_batch, len(p_obs)),), generator=gen)
                l_e, l_p = _logits(disc, ac, kind, absorbing, (e_obs[ie], e_act[ie], e_next[ie], e_term[ie]),
                                   (p_obs[ip], p_act[ip], p_next[ip], p_term[ip]))
                # the absorbing state enters each side with the share of steps it fills
                w_e, w_p = _absorbing_weights(len(ie), len(e_obs), e_abs_steps if absorbing else 0.0,
                                              len(ip), len(p_obs), p_abs_steps)
                if absorbing and (w_e[-1] > 0 or w_p[-1] > 0):
                    l_abs = disc.absorbing_logit(cfg.gamma)[None]
                    l_e, l_p = torch.cat([l_e, l_abs]), torch.cat([l_p, l_abs])
                else:
                    w_e, w_p = w_e[:-1], w_p[:-1]
                loss = discriminator_loss(l_e, l_p, w_e, w_p)
                if grad_penalty > 0 and kind == "gail":
                    loss = loss + grad_penalty * gradient_penalty(
                        disc, inputs(e_obs[ie], e_act[ie]), inputs(p_obs[ip], p_act[ip]), gen)
                d_opt.zero_grad()
                loss.backward()
                d_opt.step()
                d_loss = loss.item()

        # ---- generator: rewards from the discriminator, then PPO -------------------------------
        with torch.no_grad():
            if disc is None:        # no demonstrations: D = 1/2 everywhere
                logits = torch.zeros(batch.alive.shape)
                l_abs = torch.tensor(0.0)
            else:
                every_step = (batch.obs.flatten(0, 1), batch.actions.flatten(0, 1), batch.next_obs.flatten(0, 1),
                              batch.terminated.flatten())
                flat = _logits(disc, ac, kind, absorbing, None, every_step)[1]
                logits = flat.view(batch.alive.shape)
                l_abs = disc.absorbing_logit(cfg.gamma)
            rewards = gail_reward(logits, reward)
            if absorbing:
                # every episode now lasts forever, so a constant added to every reward changes no
                # preference: subtract r_abs, and the absorbing state is worth exactly 0 (as a
                # termination is in GAE): the fix is the reward r(s, a) - r(absorbing)
                rewards = rewards - gail_reward(l_abs, reward)
            rewards = rewards * batch.alive
        adv, ret = advantages(ac, batch, rewards, cfg)
        stats = ppo_update(ac, opt, batch, adv, ret, cfg, gen)

        steps += batch.steps
        hist.env_steps.append(steps)
        hist.episode_return.append(float((batch.env_rewards * batch.alive).sum(1).mean()))
        hist.episode_length.append(float(batch.alive.sum(1).float().mean()))
        hist.entropy.append(stats["entropy"])
        hist.d_loss.append(d_loss)
        hist.learned_return.append(float(rewards.sum(1).mean()))
        with torch.no_grad():
            if disc is None:
                hist.d_expert.append(0.5), hist.d_policy.append(0.5)
            else:
                n = min(len(e_obs), 2048)
                le, lp = _logits(disc, ac, kind, absorbing, (e_obs[:n], e_act[:n], e_next[:n], e_term[:n]),
                                 replay[-1][:4])
                hist.d_expert.append(float(torch.sigmoid(le).mean()))
                hist.d_policy.append(float(torch.sigmoid(lp).mean()))
        hist.wall_s.append(time.perf_counter() - t0)
        if callback is not None:
            callback(it, hist)

    config = dict(kind=kind, iterations=iterations, reward=reward, absorbing=absorbing, d_steps=d_steps,
                  d_replay=d_replay, d_batch=d_batch, d_lr=d_lr, grad_penalty=grad_penalty, spectral_norm=spectral_norm,
                  bc_epochs=bc_epochs, state_only=state_only, ppo=cfg.__dict__, seed=seed,
                  demos=None if demos is None else demos.num_episodes)
    ac.name = f"{kind.upper()} policy"
    return AdversarialResult(policy=ac, discriminator=disc, history=hist, config=config)


def _logits(disc, ac, kind, absorbing, expert, policy):
    """Discriminator logits on expert and policy samples ``(obs, actions, next_obs, terminated)``."""
    out = []
    for sample in (expert, policy):
        if sample is None:
            out.append(None)
            continue
        obs, act, nxt, term = sample
        if kind == "gail":
            out.append(disc.logit(obs, act))
        else:
            log_pi = ac.log_prob(obs, act if ac.discrete else act.float()).detach()
            out.append(disc.logit(obs, act, nxt, log_pi, term if absorbing else None))
    return out


def _absorbing_weights(n_e, total_e, abs_e, n_p, total_p, abs_p):
    """Weights for a minibatch of ``n`` samples plus one absorbing token: the token carries the
    absorbing state's share of the occupancy, ``abs / (total + abs)``."""
    def side(n, total, a):
        share = a / (total + a)
        return torch.cat([torch.full((n,), (1 - share) / n), torch.tensor([share])])
    return side(n_e, total_e, abs_e), side(n_p, total_p, abs_p)


def bc_init(ac: ActorCritic, obs: torch.Tensor, actions: torch.Tensor, epochs: int, gen: torch.Generator) -> None:
    """Behavioral cloning of the actor (maximum likelihood of the expert's actions)."""
    opt = torch.optim.Adam(ac.actor.parameters(), lr=1e-3)
    for _ in range(epochs):
        perm = torch.randperm(len(obs), generator=gen)
        for start in range(0, len(obs), 256):
            idx = perm[start:start + 256]
            loss = -ac.log_prob(obs[idx], actions[idx] if ac.discrete else actions[idx].float()).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()


def train_gail(demos: Demonstrations | None, env_id: str | None = None, **kwargs) -> AdversarialResult:
    """GAIL (Ho & Ermon 2016): see :func:`train_adversarial` for the options."""
    return train_adversarial(demos, env_id, kind="gail", **kwargs)


def train_airl(demos: Demonstrations, env_id: str | None = None, **kwargs) -> AdversarialResult:
    """AIRL (Fu, Luo & Levine 2018): see :func:`train_adversarial`; ``result.discriminator.reward``
    is the recovered reward ``g``."""
    return train_adversarial(demos, env_id, kind="airl", **kwargs)


# ---------------------------------------------------------------------------------------------
# the bench CLI: python -m il_helpers.bench gail|airl --env ENV [--demos N] [--subsample K]
# ---------------------------------------------------------------------------------------------

# ---------------------------------------------------------------------------------------------
# plots
# ---------------------------------------------------------------------------------------------


def plot_adversarial(history: AdversarialHistory, axes=None, label: str | None = None,
                     expert_return: float | None = None):
    """Training curves against environment steps: the true return of the sampled episodes (never
    seen by the learner), the discriminator's mean D on expert and on policy pairs, and the
    policy's entropy. Returns the three axes."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(11, 3.0), constrained_layout=True)
    steps = np.asarray(history.env_steps) / 1000
    line, = axes[0].plot(steps, history.episode_return, label=label)
    if expert_return is not None:
        axes[0].axhline(expert_return, color="0.4", ls="--", lw=1, label="expert")
    axes[0].set(xlabel="environment steps (thousands)", ylabel="true return (sampled episodes)", title="return")
    prefix = label + ": " if label else ""
    axes[1].plot(steps, history.d_expert, color=line.get_color(), label=prefix + "expert pairs")
    axes[1].plot(steps, history.d_policy, color=line.get_color(), ls=":", label=prefix + "policy pairs")
    axes[1].axhline(0.5, color="0.6", lw=0.8)
    axes[1].set(xlabel="environment steps (thousands)", ylabel="mean D(s, a)", ylim=(0, 1),
                title="discriminator: P(expert)")
    axes[2].plot(steps, history.entropy, color=line.get_color(), label=label)
    axes[2].set(xlabel="environment steps (thousands)", ylabel="entropy (nats)", title="policy entropy")
    for ax in axes:
        ax.grid(alpha=0.3)
    if label or expert_return is not None:
        axes[0].legend(fontsize=8)
    axes[1].legend(fontsize=8)
    return axes


def plot_lane_reward(discriminator: AIRLDiscriminator, ax=None, curvature: float = 0.0, e_max: float = 4.0,
                     psi_max: float = 0.4, n: int = 81):
    """AIRL's recovered reward ``g(s)`` on LaneKeeping as a heatmap over the lateral offset ``e``
    and the heading error ``psi`` (road curvature fixed, straight road by default), with the road's
    edges (``|e| = 2 m``, where the true reward drops from 1 to 0) drawn as dashed lines."""
    import matplotlib.pyplot as plt

    from ..envs.lane_keeping import HALF_WIDTH

    if not isinstance(discriminator, AIRLDiscriminator) or not discriminator.state_only:
        raise TypeError("plot_lane_reward needs the state-only AIRL discriminator (train_airl(...).discriminator)")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2), constrained_layout=True)
    e, psi = np.meshgrid(np.linspace(-e_max, e_max, n), np.linspace(-psi_max, psi_max, n))
    obs = np.stack([e.ravel(), psi.ravel()] + [np.full(e.size, curvature)] * 3, axis=1)
    with torch.no_grad():
        g = discriminator.reward(torch.as_tensor(obs, dtype=torch.float32)).numpy().reshape(e.shape)
    im = ax.pcolormesh(e, psi, g, shading="auto", cmap="viridis")
    plt.colorbar(im, ax=ax, label="recovered reward g(s)")
    for edge in (-HALF_WIDTH, HALF_WIDTH):
        ax.axvline(edge, color="w", ls="--", lw=1.2)
    ax.set(xlabel="lateral offset e [m]", ylabel="heading error psi [rad]",
           title=f"AIRL's g(s) on LaneKeeping (curvature {curvature:g} 1/m)")
    return ax
