"""The adversarial core shared by GAIL and AIRL (notebook 05): inputs, absorbing state, the loop.

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
its reward ``r_abs`` at every later step. Every episode then lasts forever, so a constant added to
every reward changes no preference: the generator is trained on the shifted reward
``r(s, a) - r_abs``, under which the absorbing state is worth exactly 0, which is what GAE already
gives a termination (no bootstrap). The episode length then leaks nothing: falling is good or bad
only if the discriminator says the expert's states are unlike the absorbing one. The discriminator sees
the absorbing state with the weight of the steps it fills up to the horizon (a fixed-horizon
view of the same MDP).

The methods: GAIL (:mod:`il_helpers.algorithms.gail`, a discriminator ``l(s, a)``) and AIRL
(:mod:`il_helpers.algorithms.airl`, ``l = f(s, a, s') - log pi(a|s)``) each pass their
discriminator to :func:`adversarial_loop`, with PPO (:mod:`il_helpers.algorithms.ppo`) as the
generator. Stabilizers shared by both, each an option of :class:`AdversarialConfig`: spectral
normalization of the discriminator's layers (``spectral_norm``), an entropy bonus for the
generator (``ent_coef``), the number of discriminator updates per generator iteration
(``d_steps``), a replay of the last ``d_replay`` iterations' policy samples, and BC
initialization of the generator (``bc_epochs``).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..core.checks import TRAIN_SEED_MAX, check, check_fields, check_int, check_number, check_seed, check_training_data
from ..core.demonstrations import Demonstrations
from ..core.nets import cpu_threads, mlp
from ..envs.registry import env_spaces
from .ppo import (
    NORMALIZATION_ITERATION,
    ActorCritic,
    PPOConfig,
    PPOHistory,
    ReturnScale,
    advantages,
    bc_init,
    collect,
    iteration_seed,
    off_the_clock,
    ppo_update,
    set_lr,
)

#: The adversarial loop's settings before reward scaling (notebook 05, "Staying learned"; VAIL, GAIfO
#: and InfoGAIL were measured at them and keep them). With them GAIL on CartPole reached 500 and fell
#: back again and again (benchmarks/stability.py, 5 seeds: held_fraction median 0.58; the defaults:
#: 0.95, and every seed holds for good from 1-2 s of training), and it never left the bottom of
#: MountainCar-v0 (0.00 on 5 of 5 seeds). Why: see :class:`AdversarialConfig`.
EARLIER = {"d_steps": 5, "d_lr": 3e-4, "reward_scale": False}


@dataclass
class AdversarialConfig:
    """The knobs GAIL and AIRL share (:class:`~il_helpers.algorithms.gail.GAILConfig` and
    :class:`~il_helpers.algorithms.airl.AIRLConfig` add their own). ``ppo`` configures the
    generator's updates (its ``iterations``, ``horizon`` and ``bc_epochs`` are not used: these
    fields are); a nonzero ``ent_coef`` replaces ``ppo.ent_coef``.

    The defaults (``reward_scale``, 20 discriminator steps at lr 1e-3) are what made GAIL and AIRL learn
    MountainCar, Acrobot, CartPole and LaneKeeping (not Pendulum: GAIL 0.30 on average), measured with
    the bench (10 demonstrations, seeds 0-4, normalized score). With the earlier 5 steps at 3e-4 and an
    unscaled reward, GAIL scored 0.00 on MountainCar-v0 and 0.67 on LaneKeepingDiscrete: the shifted
    logit reward (about -10 a step where the absorbing state is expert-like) makes returns of about
    -1000, the critic's gradient then fills PPO's shared gradient clip and the actor barely moves (the
    policy pushed right and never swung). Scaling the reward alone let it reach the flag (0.62-0.76) but
    the slow discriminator still rated the absorbing state like the expert's mean state early on (its
    input is the normalized mean), so a faster generator learned to crash on LaneKeeping; a faster
    discriminator alone left MountainCar at 0.00. Together (GAIL / AIRL): MountainCar 0.86-0.91 /
    0.77-0.92, LaneKeepingDiscrete 1.00 / 1.00 on 5 of 5, Acrobot 0.97-0.98 / 0.97-0.99, CartPole 1.00
    on 5 of 5 (GAIL)."""

    iterations: int = 40        # generator iterations (``ppo.n_envs`` episodes each)
    absorbing: bool = True      # the absorbing state after a termination (removes the termination bias)
    d_steps: int = 20           # discriminator minibatch updates per iteration
    d_batch: int = 512          # pairs per side in a discriminator minibatch
    d_lr: float = 1e-3
    d_hidden: tuple = (64, 64)
    d_replay: int = 5           # the discriminator sees the policy samples of the last d_replay iterations
    spectral_norm: bool = False
    ent_coef: float = 0.0       # the generator's entropy bonus (0: ppo.ent_coef)
    reward_scale: bool = True   # divide the generator's reward by its return's running std (ppo.ReturnScale)
    bc_epochs: int = 0          # epochs of BC initialization of the generator
    horizon: int | None = None  # episode length cap (None: the environment's)
    ppo: PPOConfig = field(default_factory=PPOConfig)

    def __post_init__(self):
        w = type(self).__name__
        for name in ("iterations", "d_steps", "d_batch", "d_replay"):
            check_int(name, getattr(self, name), 1, where=w)
        check_int("bc_epochs", self.bc_epochs, 0, where=w)
        if self.horizon is not None:
            check_int("horizon", self.horizon, 1, where=w)
        check_number("d_lr", self.d_lr, 0.0, 1.0, low_open=True, high_open=True, where=w)
        check_number("ent_coef", self.ent_coef, 0.0, where=w)
        check(isinstance(self.ppo, PPOConfig), "ppo", "a PPOConfig", self.ppo, where=w)
        check(isinstance(self.d_hidden, (tuple, list)) and all(
            isinstance(h, (int, np.integer)) and not isinstance(h, bool) and h >= 1 for h in self.d_hidden),
            "d_hidden", "a sequence of layer widths, each an integer >= 1 (e.g. (64, 64))", self.d_hidden, where=w)
        self.d_hidden = tuple(self.d_hidden)
        check_fields(self, w)

    def generator(self) -> PPOConfig:
        """The PPO configuration the generator runs with (``ent_coef`` applied)."""
        return dataclasses.replace(self.ppo, ent_coef=self.ent_coef) if self.ent_coef else self.ppo


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

    def __init__(self, ac: ActorCritic, obs_dim: int | None = None):
        # obs_dim: the environment's observation size, when the policy's observation is longer
        # (InfoGAIL appends its latent code; the discriminator never sees it)
        self.ac = ac
        self.obs_dim, self.act_dim, self.discrete = obs_dim or ac.obs_dim, ac.act_dim, ac.discrete
        self.dim = self.obs_dim + self.act_dim + 1

    def action_features(self, actions: torch.Tensor) -> torch.Tensor:
        if self.discrete:
            return nn.functional.one_hot(actions.long(), self.act_dim).float()
        return torch.maximum(torch.minimum(actions.float(), self.ac.high), self.ac.low)

    def __call__(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        zero = torch.zeros(len(obs), 1)
        return torch.cat([self.normalize(obs), self.action_features(actions), zero], dim=1)

    def normalize(self, obs: torch.Tensor) -> torch.Tensor:
        """The policy's normalization of the observation, without any latent code."""
        return self.ac.normalize(obs.float())[:, :self.obs_dim]

    def state(self, obs: torch.Tensor) -> torch.Tensor:
        """State-only features ``[s, absorbing]`` (AIRL's g(s) and h(s))."""
        return torch.cat([self.normalize(obs), torch.zeros(len(obs), 1)], dim=1)

    def absorbing(self) -> torch.Tensor:
        x = torch.zeros(1, self.dim)
        x[0, -1] = 1.0
        return x

    def absorbing_state(self) -> torch.Tensor:
        x = torch.zeros(1, self.obs_dim + 1)
        x[0, -1] = 1.0
        return x


def discriminator_net(sizes, spectral: bool) -> nn.Sequential:
    """An MLP (:func:`~il_helpers.core.nets.mlp`), its linear layers spectrally normalized if ``spectral``."""
    net = mlp(sizes)
    if spectral:
        for i, layer in enumerate(net):
            if isinstance(layer, nn.Linear):
                net[i] = nn.utils.parametrizations.spectral_norm(layer)
    return net


class Discriminator(nn.Module):
    """What :func:`adversarial_loop` asks of a discriminator: its logits on samples
    ``(obs, actions, next_obs, terminated)``, the absorbing state's logit, and an optional
    regularizer added to its loss."""

    def __init__(self, inputs: Inputs):
        super().__init__()
        self.inputs = inputs

    def logits(self, obs, actions, next_obs, terminated, absorbing: bool) -> torch.Tensor:  # pragma: no cover
        raise NotImplementedError

    def absorbing_logit(self) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def penalty(self, expert: tuple, policy: tuple, gen: torch.Generator) -> torch.Tensor | None:
        """A term added to the loss on a minibatch of expert and policy ``(obs, actions)``; None: none."""
        return None


# ---------------------------------------------------------------------------------------------
# the training loop
# ---------------------------------------------------------------------------------------------


@dataclass
class AdversarialHistory(PPOHistory):
    """Per generator iteration: the true return of the sampled episodes (never seen by the
    learner), the discriminator's mean D on expert and on policy pairs, the policy's entropy,
    the discriminator loss, and the cumulative environment steps and wall time. After training:
    the ``discriminator`` (None without demonstrations), the ``config`` the run used (its ``ppo``
    with the effective ``ent_coef``), the ``seed``, the number of ``demo_episodes``, and for AIRL
    the recovered ``reward`` ``g`` (a function of observations, :meth:`AIRLDiscriminator.reward`)."""

    d_expert: list[float] = field(default_factory=list)
    d_policy: list[float] = field(default_factory=list)
    d_loss: list[float] = field(default_factory=list)
    learned_return: list[float] = field(default_factory=list)   # the mean return under the learned reward
    discriminator: nn.Module | None = field(default=None, repr=False)
    config: AdversarialConfig | None = None
    seed: int | None = None
    demo_episodes: int | None = None
    reward: Callable | None = field(default=None, repr=False)

    CURVES = (*PPOHistory.CURVES, "d_expert", "d_policy", "d_loss", "learned_return")


def expert_tensors(demos: Demonstrations, horizon: int):
    """The demonstrations as tensors ``(obs, actions, next_obs, terminated)``, and the number of
    steps their episodes spent in the absorbing state (in units of kept pairs)."""
    obs = torch.as_tensor(demos.obs, dtype=torch.float32)
    actions = torch.as_tensor(demos.actions)
    next_obs = torch.as_tensor(demos.next_obs, dtype=torch.float32)
    terminated = torch.as_tensor(demos.terminated, dtype=torch.bool)
    # an episode of length L fills H - L steps after its end. Subsampled demonstrations (every k-th
    # pair) keep about L / k pairs of an episode, so their absorbing steps shrink by k too.
    every = int(demos.meta.get("subsample", 1))
    lengths = np.minimum(np.asarray(demos.episode_lengths) * every, horizon)
    ended = np.zeros(demos.num_episodes, bool)
    ended[demos.episode_ids[demos.terminated]] = True
    ended |= lengths < horizon - every          # a subsample may drop the terminal step itself
    absorbing_steps = float((np.where(ended, horizon - lengths, 0) / every).sum())
    return obs, actions, next_obs, terminated, absorbing_steps


def check_demos(demos, env_id: str | None, where: str) -> str:
    """The environment to train on: ``demos.env_id`` (``env_id`` must agree), or ``env_id`` without demos."""
    if demos is None:
        check(env_id is not None, "env_id", "given when demos is None", env_id, where=where)
        return env_id
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"{where}: demos must be il_helpers.Demonstrations (or None), got {type(demos).__name__}")
    if env_id is not None and env_id != demos.env_id:
        raise ValueError(f"{where}: env_id {env_id!r} does not match the demonstrations' environment "
                         f"{demos.env_id!r}; pass demonstrations collected on the environment you train on")
    return demos.env_id


def adversarial_loop(demos: Demonstrations | None, config: AdversarialConfig,
                      discriminator: Callable[[Inputs], Discriminator], *, env_id: str | None = None, seed: int = 0,
                      progress: Callable[[int, int, dict], None] | None = None, reward: str = "logit",
                      name: str = "GAIL", checkpoint: Callable[[ActorCritic, dict], None] | None = None,
                      d_loss: Callable | None = None, reward_fn: Callable | None = None, latent=None
                      ) -> tuple[ActorCritic, AdversarialHistory]:
    """The adversarial loop, with PPO as the generator: ``(policy, history)``.

    ``discriminator(inputs)`` builds the method's :class:`Discriminator`; ``reward`` is the
    generator's reward form (:data:`REWARD_FORMS`). ``demos=None`` is the *no demonstration*
    control of the termination-bias experiment: the discriminator knows nothing, ``D = 1/2``
    everywhere, and is never trained. ``checkpoint(policy, info)`` is called after every iteration
    (after ``progress``) and its time is not counted in ``history.wall_s``. Call it through
    :func:`~il_helpers.algorithms.gail.train_gail` or :func:`~il_helpers.algorithms.airl.train_airl`.
    ``d_loss(l_e, l_p, w_e, w_p)`` replaces :func:`discriminator_loss`, ``reward_fn(logits, l_abs)`` the
    generator's reward with its absorbing-state shift (``l_abs`` None without the absorbing state): the hooks
    of notebook 05's graded assignment (None: the library's, the numbers unchanged). ``latent`` is InfoGAIL's
    latent code (:class:`~il_helpers.algorithms.infogail.LatentCode`): it widens the policy's observation,
    draws each episode's code, and adds its information reward to the generator's.
    """
    where = f"train_{name.lower()}"
    seed = check_seed("seed", seed, where, TRAIN_SEED_MAX)
    env_id = check_demos(demos, env_id, where)
    if demos is not None:
        check_training_data(demos, env_id, where)
    check(reward in REWARD_FORMS, "reward", f"one of {list(REWARD_FORMS)}", reward, where=where)
    for hook, fn in (("d_loss", d_loss), ("reward_fn", reward_fn)):
        check(fn is None or callable(fn), hook, "a function (or None for the library's)", fn, where=where)
    cfg = config.generator()
    obs_space, act_space = env_spaces(env_id)
    with torch.random.fork_rng(devices=[]), cpu_threads(1):
        torch.manual_seed(seed)
        ac, hist = _train(demos, env_id, config, cfg, discriminator, reward, seed, progress, obs_space, act_space,
                          checkpoint, d_loss, reward_fn, latent)
    hist.config, hist.seed = dataclasses.replace(config, ppo=cfg), seed
    hist.demo_episodes = None if demos is None else demos.num_episodes
    ac.name = f"{name} policy"
    return ac, hist


def _train(demos, env_id, config, cfg, make_discriminator, reward, seed, progress, obs_space, act_space,
           checkpoint=None, loss_fn=None, reward_fn=None, latent=None):
    iterations, absorbing, horizon = config.iterations, config.absorbing, config.horizon
    gen = torch.Generator().manual_seed(seed)
    ac = ActorCritic(latent.space(obs_space) if latent else obs_space, act_space, cfg.hidden,
                     init_log_std=cfg.init_log_std)

    def sample(it):
        s = iteration_seed(seed, it)
        return collect(ac, env_id, cfg.n_envs, s, horizon, codes=latent.draw(cfg.n_envs, s) if latent else None)

    first = sample(NORMALIZATION_ITERATION)
    H = first.horizon
    # observations are measured in units of the expert's spread (the first policy's without
    # demonstrations): the discriminator must resolve small departures from the expert's states
    pad = latent.pad if latent else torch.as_tensor     # the expert's states under a code (unseen by D)
    ac.set_normalization(pad(demos.obs).numpy() if demos is not None else first.obs[first.alive].numpy())
    inputs = Inputs(ac, obs_space.shape[0])
    disc: Discriminator | None = None
    if demos is not None:
        e_obs, e_act, e_next, e_term, e_abs_steps = expert_tensors(demos, H)
        e_obs, e_next = pad(e_obs), pad(e_next)
        if config.bc_epochs:
            bc_init(ac, e_obs, e_act, config.bc_epochs, gen)
        disc = make_discriminator(inputs)
        d_opt = torch.optim.Adam(disc.parameters(), lr=config.d_lr)
    opt = torch.optim.Adam(ac.parameters(), lr=cfg.lr, eps=1e-5)
    hist, steps, t0 = AdversarialHistory(discriminator=disc), 0, time.perf_counter()
    replay: list[tuple] = []
    scale = ReturnScale(cfg.gamma) if config.reward_scale else None

    for it in range(iterations):
        set_lr(opt, cfg, it, iterations)
        if disc is not None and cfg.anneal_lr:       # both players slow down together
            for group in d_opt.param_groups:
                group["lr"] = config.d_lr * (1.0 - it / iterations)
        batch = sample(it)
        m = batch.alive
        # the discriminator's policy samples: this iteration's and those of the last d_replay - 1
        # (a policy that stops falling must not let the discriminator forget the absorbing state)
        replay.append((batch.obs[m], batch.actions[m], batch.next_obs[m], batch.terminated[m],
                       float(((H - batch.alive.sum(1)) * batch.terminated.any(1)).sum()) if absorbing else 0.0))
        del replay[:-config.d_replay]
        p_obs, p_act, p_next, p_term = (torch.cat([r[i] for r in replay]) for i in range(4))
        p_abs_steps = sum(r[4] for r in replay)

        # ---- discriminator: d_steps minibatch updates on expert vs policy pairs ------------------
        d_loss = float("nan")
        if disc is not None:
            for _ in range(config.d_steps):
                ie = torch.randint(len(e_obs), (min(config.d_batch, len(e_obs)),), generator=gen)
                ip = torch.randint(len(p_obs), (min(config.d_batch, len(p_obs)),), generator=gen)
                l_e = disc.logits(e_obs[ie], e_act[ie], e_next[ie], e_term[ie], absorbing)
                l_p = disc.logits(p_obs[ip], p_act[ip], p_next[ip], p_term[ip], absorbing)
                # the absorbing state enters each side with the share of steps it fills
                w_e, w_p = _absorbing_weights(len(ie), len(e_obs), e_abs_steps if absorbing else 0.0,
                                              len(ip), len(p_obs), p_abs_steps)
                if absorbing and (w_e[-1] > 0 or w_p[-1] > 0):
                    l_abs = disc.absorbing_logit()[None]
                    l_e, l_p = torch.cat([l_e, l_abs]), torch.cat([l_p, l_abs])
                else:
                    w_e, w_p = w_e[:-1], w_p[:-1]
                loss = (loss_fn or discriminator_loss)(l_e, l_p, w_e, w_p)
                penalty = disc.penalty((e_obs[ie], e_act[ie]), (p_obs[ip], p_act[ip]), gen)
                if penalty is not None:
                    loss = loss + penalty
                d_opt.zero_grad()
                loss.backward()
                d_opt.step()
                d_loss = loss.item()

        # ---- generator: rewards from the discriminator (and InfoGAIL's posterior), then PPO ----
        bonus = latent.reward(batch, inputs, gen) if latent else 0.0
        with torch.no_grad():
            if disc is None:        # no demonstrations: D = 1/2 everywhere
                logits = torch.zeros(batch.alive.shape)
                l_abs = torch.tensor(0.0)
            else:
                flat = disc.logits(batch.obs.flatten(0, 1), batch.actions.flatten(0, 1), batch.next_obs.flatten(0, 1),
                                   batch.terminated.flatten(), absorbing)
                logits = flat.view(batch.alive.shape)
                l_abs = disc.absorbing_logit()
            if reward_fn is not None:
                rewards = _custom_rewards(reward_fn, logits, l_abs if absorbing else None)
            else:
                rewards = gail_reward(logits, reward)
            if absorbing and reward_fn is None:
                # every episode now lasts forever, so a constant added to every reward changes no
                # preference: subtract r_abs, and the absorbing state is worth exactly 0 (as a
                # termination is in GAE): the fix is the reward r(s, a) - r(absorbing)
                rewards = rewards - gail_reward(l_abs, reward)
            rewards = (rewards + bonus) * batch.alive
        adv, ret = advantages(ac, batch, rewards if scale is None else scale(rewards, batch.alive), cfg)
        stats = ppo_update(ac, opt, batch, adv, ret, cfg, gen)

        steps += batch.steps
        hist.record(batch, stats["entropy"], steps)
        hist.d_loss.append(d_loss)
        hist.learned_return.append(float(rewards.sum(1).mean()))
        with torch.no_grad():
            if disc is None:
                hist.d_expert.append(0.5), hist.d_policy.append(0.5)
            else:
                n = min(len(e_obs), 2048)
                le = disc.logits(e_obs[:n], e_act[:n], e_next[:n], e_term[:n], absorbing)
                lp = disc.logits(*replay[-1][:4], absorbing)
                hist.d_expert.append(float(torch.sigmoid(le).mean()))
                hist.d_policy.append(float(torch.sigmoid(lp).mean()))
        hist.wall_s.append(time.perf_counter() - t0)
        if progress is not None:
            progress(it + 1, iterations, hist.latest())
        t0 += off_the_clock(checkpoint, ac, hist.latest())
    return ac, hist


def _custom_rewards(reward_fn, logits, l_abs):
    """``reward_fn(logits, l_abs)``, checked: a tensor of the logits' shape, every value finite."""
    rewards = reward_fn(logits, l_abs)
    if not isinstance(rewards, torch.Tensor) or rewards.shape != logits.shape:
        raise ValueError(f"reward_fn must return a tensor of the logits' shape {tuple(logits.shape)}, got "
                         f"{tuple(rewards.shape) if isinstance(rewards, torch.Tensor) else type(rewards).__name__}")
    if not torch.isfinite(rewards).all():
        raise ValueError(f"reward_fn returned {int((~torch.isfinite(rewards)).sum())} NaN or infinite rewards "
                         f"(logits from {logits.min().item():.3g} to {logits.max().item():.3g}): compute it stably "
                         "from the logit")
    return rewards.float()


def _absorbing_weights(n_e, total_e, abs_e, n_p, total_p, abs_p):
    """Weights for a minibatch of ``n`` samples plus one absorbing token: the token carries the
    absorbing state's share of the occupancy, ``abs / (total + abs)``."""
    def side(n, total, a):
        share = a / (total + a)
        return torch.cat([torch.full((n,), (1 - share) / n), torch.tensor([share])])
    return side(n_e, total_e, abs_e), side(n_p, total_p, abs_p)


__all__ = ["AdversarialConfig", "EARLIER", "REWARD_FORMS", "LOGIT_CLIP", "gail_reward", "discriminator_loss",
           "Inputs", "discriminator_net", "Discriminator", "AdversarialHistory", "expert_tensors", "check_demos",
           "adversarial_loop"]
