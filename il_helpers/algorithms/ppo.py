"""PPO, compact: the reinforcement-learning engine inside GAIL and AIRL (notebook 05).

Proximal policy optimization (Schulman et al. 2017) in one file, CleanRL style: the configuration
(:class:`PPOConfig`), the actor-critic, the loss (GAE and the clipped update), then the loop
(:func:`train_ppo`). One iteration:

1. **Collect** ``n_envs`` whole episodes at once on the batched environment (``rollout``): the
   actor samples ``a ~ pi(.|s)``; we keep the raw samples and their log-probabilities.
2. **Reward** each step: the environment's reward (plain RL), or a learned one (GAIL's
   discriminator, :mod:`il_helpers.algorithms.adversarial`), as an ``(E, T)`` tensor.
3. **Advantages** by GAE (Schulman et al. 2016), with ``delta_t = r_t + gamma V(s_{t+1}) - V(s_t)``::

       A_t = delta_t + gamma lambda A_{t+1}        (A = 0 after the last step of an episode)

   At a **termination** ``V(s_{t+1})`` is replaced by ``terminal_value`` (0, or the value of an
   absorbing state: see :mod:`il_helpers.algorithms.adversarial`); at the **time limit** it is
   bootstrapped with the critic, because the horizon is a limit of the experiment, not of the task
   (Pardo et al. 2018).
4. **Update** for ``epochs`` passes over minibatches, minimizing ::

       L = -E[min(rho A, clip(rho, 1-eps, 1+eps) A)] + c_v E[(V(s) - R)^2] - c_H E[H(pi(.|s))]

   with ``rho = pi(a|s) / pi_old(a|s)``, advantages normalized per minibatch, and gradients
   clipped to norm ``max_grad_norm``.

Actions: a categorical policy for discrete spaces, a Gaussian with a state-independent
log-std for continuous ones (samples are clipped to the bounds when executed; the log-prob is
that of the unclipped sample). Everything runs on one CPU thread: the networks are tiny.

Given demonstrations, :func:`train_ppo` starts from their observation statistics and, with
``bc_epochs > 0``, from a behavioral-cloning warm start of the actor (notebook 07's "BC, then PPO").
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from gymnasium import spaces
from torch import nn

from ..core.checks import TRAIN_SEED_MAX, check, check_int, check_number, check_seed, check_training_data, make_config
from ..core.demonstrations import Demonstrations
from ..core.nets import cpu_threads, mlp
from ..core.policies import Policy, TorchPolicy
from ..core.rollout import rollout
from ..envs.registry import env_spaces

#: PPO's floor under the observations' standard deviation (its inputs are also clamped to +-NORM_CLIP)
PPO_STD_FLOOR = 1e-3
NORM_CLIP = 10.0
#: the iteration index whose seed (:func:`iteration_seed`) draws the first policy's normalization episodes
NORMALIZATION_ITERATION = 10**6
#: the behavioral-cloning warm start (:func:`bc_init`): Adam's learning rate and the minibatch size
BC_LR, BC_BATCH = 1e-3, 256


@dataclass
class PPOConfig:
    """PPO's hyperparameters (defaults tuned for the course's tasks; each is explained above).

    Inside GAIL and AIRL (their config's ``ppo`` field) only the update's knobs count: the
    adversarial config's own ``iterations``, ``horizon`` and ``bc_epochs`` replace these."""

    iterations: int = 50        # rounds of collect + update
    n_envs: int = 16            # episodes per iteration
    gamma: float = 0.99
    gae_lambda: float = 0.95
    clip: float = 0.2
    epochs: int = 10
    minibatch: int = 1024
    lr: float = 1e-3
    vf_coef: float = 0.5
    ent_coef: float = 0.0
    max_grad_norm: float = 0.5
    # lr decays linearly to 0 over the run (CleanRL's default; GAIL then decays the
    # discriminator's lr too). Off by default: on GAIL CartPole it cost 2 of 5 seeds (the cart
    # drifted off the track late in training), measured with benchmarks/gail_benchmark.py
    anneal_lr: bool = False
    hidden: tuple = (64, 64)
    init_log_std: float = -0.5  # the Gaussian's initial log-std (continuous actions)
    horizon: int | None = None  # episode length cap (None: the environment's)
    bc_epochs: int = 0          # with demonstrations: epochs of BC warm start of the actor

    def __post_init__(self):
        w = "PPOConfig"
        for name in ("iterations", "n_envs", "epochs", "minibatch"):
            check_int(name, getattr(self, name), 1, where=w)
        check_int("bc_epochs", self.bc_epochs, 0, where=w)
        if self.horizon is not None:
            check_int("horizon", self.horizon, 1, where=w)
        check_number("gamma", self.gamma, 0.0, 1.0, low_open=True, where=w)
        check_number("gae_lambda", self.gae_lambda, 0.0, 1.0, where=w)
        check_number("clip", self.clip, 0.0, 1.0, low_open=True, high_open=True, where=w)
        check_number("lr", self.lr, 0.0, 1.0, low_open=True, high_open=True, where=w)
        for name in ("vf_coef", "ent_coef"):
            check_number(name, getattr(self, name), 0.0, where=w)
        check_number("max_grad_norm", self.max_grad_norm, 0.0, low_open=True, where=w)
        check_number("init_log_std", self.init_log_std, where=w)
        check(all(isinstance(h, (int, np.integer)) and not isinstance(h, bool) and h >= 1 for h in self.hidden),
              "hidden", "a sequence of positive integers", self.hidden, where=w)


class ActorCritic(TorchPolicy):
    """Separate actor and critic MLPs on normalized observations.

    Called on a numpy batch it acts **deterministically** (argmax / mean, clipped): that is the
    policy the course evaluates. :meth:`sampler` gives the stochastic version used for training.
    Observations are normalized with PPO's own floor (``PPO_STD_FLOOR``) and clamped to
    ``+-NORM_CLIP``. ``loss(obs, actions)`` is the per-sample BC loss ``-log pi(a|s)``.
    """

    def __init__(self, observation_space: spaces.Box, action_space: spaces.Space, hidden=(64, 64),
                 init_log_std: float = -0.5):
        discrete = isinstance(action_space, spaces.Discrete)
        act_dim = int(action_space.n) if discrete else int(action_space.shape[0])
        super().__init__(int(observation_space.shape[0]), act_dim, None if discrete else action_space.low,
                         None if discrete else action_space.high)
        self.discrete = discrete
        self.actor = mlp([self.obs_dim, *hidden, self.act_dim])
        self.critic = mlp([self.obs_dim, *hidden, 1])
        # CleanRL's initialization: small last actor layer, so the first policy is close to uniform
        for net, gain in ((self.actor, 0.01), (self.critic, 1.0)):
            for i, layer in enumerate(m for m in net if isinstance(m, nn.Linear)):
                last = i == len(hidden)
                nn.init.orthogonal_(layer.weight, gain if last else math.sqrt(2))
                nn.init.zeros_(layer.bias)
        self.log_std = None if self.discrete else nn.Parameter(torch.full((self.act_dim,), float(init_log_std)))
        if self.discrete:
            self.low = self.high = None
        else:
            self.low = torch.as_tensor(action_space.low, dtype=torch.float32)
            self.high = torch.as_tensor(action_space.high, dtype=torch.float32)
        self.name = "PPO actor-critic"

    def set_normalization(self, obs=None, *, mean=None, std=None, floor: float = PPO_STD_FLOOR) -> None:
        """Fix the observation normalization to the statistics of ``obs`` (std floored at 1e-3)."""
        super().set_normalization(obs, mean=mean, std=std, floor=floor)

    def normalize(self, obs: torch.Tensor) -> torch.Tensor:
        return super().normalize(obs).clamp(-NORM_CLIP, NORM_CLIP)

    def distribution(self, obs: torch.Tensor):
        """``pi(.|s)`` as a torch distribution over a batch of observations."""
        out = self.actor(self.normalize(obs))
        if self.discrete:
            return torch.distributions.Categorical(logits=out)
        return torch.distributions.Normal(out, self.log_std.exp())

    def log_prob(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        dist = self.distribution(obs)
        lp = dist.log_prob(actions)
        return lp if self.discrete else lp.sum(-1)

    def loss(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """Per-sample behavioral-cloning loss ``-log pi(a|s)`` (shape (B,))."""
        return -self.log_prob(obs, actions if self.discrete else actions.float())

    def entropy(self, obs: torch.Tensor) -> torch.Tensor:
        ent = self.distribution(obs).entropy()
        return ent if self.discrete else ent.sum(-1)

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return self.critic(self.normalize(obs)).squeeze(-1)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.actor(self.normalize(obs))

    def _act(self, x: torch.Tensor) -> torch.Tensor:
        out = self(x)
        return out.argmax(-1) if self.discrete else out

    def sampler(self, seed: int) -> "Sampler":
        return Sampler(self, seed)

    def __repr__(self) -> str:
        return f"ActorCritic(actor={self.actor}, critic={self.critic})"


class Sampler(Policy):
    """The stochastic policy ``a ~ pi(.|s)``, seeded; keeps the raw (unclipped) samples it drew."""

    def __init__(self, ac: ActorCritic, seed: int):
        self.ac, self.name = ac, "PPO sampler"
        self.gen = torch.Generator().manual_seed(int(seed))
        self.raw: list[torch.Tensor] = []

    @torch.no_grad()
    def act(self, obs: np.ndarray) -> np.ndarray:
        out = self.ac.actor(self.ac.normalize(torch.as_tensor(obs, dtype=torch.float32)))
        if self.ac.discrete:
            a = torch.multinomial(out.softmax(-1), 1, generator=self.gen).squeeze(-1)
            self.raw.append(a)
            return a.numpy().astype(np.int64)
        a = out + self.ac.log_std.exp() * torch.randn(out.shape, generator=self.gen)
        self.raw.append(a)
        return torch.maximum(torch.minimum(a, self.ac.high), self.ac.low).numpy()


def bc_init(ac: ActorCritic, obs: torch.Tensor, actions: torch.Tensor, epochs: int, gen: torch.Generator) -> None:
    """Behavioral cloning of the actor (maximum likelihood of the expert's actions), in place:
    ``epochs`` passes of Adam (lr ``BC_LR``, minibatches of ``BC_BATCH``, order drawn from ``gen``)
    on the actor's weights only (the log-std and the critic stay as they are)."""
    opt = torch.optim.Adam(ac.actor.parameters(), lr=BC_LR)
    for _ in range(epochs):
        perm = torch.randperm(len(obs), generator=gen)
        for start in range(0, len(obs), BC_BATCH):
            idx = perm[start:start + BC_BATCH]
            loss = ac.loss(obs[idx], actions[idx]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()


@dataclass
class Batch:
    """One iteration's episodes, ``(E, T, ...)`` arrays (``alive`` masks the padding after a termination)."""

    obs: torch.Tensor
    actions: torch.Tensor        # the raw samples (unclipped for continuous actions)
    next_obs: torch.Tensor
    env_rewards: torch.Tensor
    terminated: torch.Tensor
    alive: torch.Tensor
    log_probs: torch.Tensor
    horizon: int

    @property
    def steps(self) -> int:
        return int(self.alive.sum())


def with_codes(obs, codes: torch.Tensor):
    """Observations with each episode's latent code appended: ``(E, ..., d)`` and ``codes`` ``(E, K)``
    -> ``(E, ..., d + K)`` (InfoGAIL's policy input, :mod:`il_helpers.algorithms.infogail`)."""
    obs = torch.as_tensor(obs, dtype=torch.float32)
    c = codes.view(codes.shape[0], *([1] * (obs.ndim - 2)), codes.shape[1]).expand(*obs.shape[:-1], codes.shape[1])
    return torch.cat([obs, c], dim=-1)


def collect(ac: ActorCritic, env_id: str, n_episodes: int, seed: int, horizon: int | None = None,
            env_kwargs: dict | None = None, codes: torch.Tensor | None = None) -> Batch:
    """Run ``n_episodes`` of the stochastic policy at once; record log-probs in one pass after.
    ``codes`` (``(n_episodes, K)``, one row per episode, held for its whole length) are appended to the
    policy's observations, and to the batch's ``obs`` and ``next_obs``."""
    sampler = ac.sampler(seed)
    policy = sampler if codes is None else (lambda o: sampler.act(with_codes(o, codes).numpy()))
    r = rollout(policy, env_id, n_episodes, seed=seed, horizon=horizon, env_kwargs=env_kwargs)
    actions = torch.stack(sampler.raw, dim=1)  # (E, T, ...)
    obs, next_obs = torch.from_numpy(r.obs), torch.from_numpy(r.next_obs)
    if codes is not None:
        obs, next_obs = with_codes(obs, codes), with_codes(next_obs, codes)
    with torch.no_grad(), cpu_threads(1):
        log_probs = ac.log_prob(obs, actions)
    return Batch(obs=obs, actions=actions, next_obs=next_obs,
                 env_rewards=torch.from_numpy(r.rewards), terminated=torch.from_numpy(r.terminated),
                 alive=torch.from_numpy(r.alive), log_probs=log_probs, horizon=r.horizon)


class ReturnScale:
    """Reward scaling by the running standard deviation of the discounted return (Engstrom et al.
    2020, "Implementation matters in deep policy gradients"; the ``NormalizeReward`` wrapper of
    Gymnasium, SB3's ``VecNormalize(norm_reward=True)``): ``scale(rewards, alive)`` returns the
    rewards divided by the std of every discounted return-to-go seen so far (this batch's included).

    Why it matters here: the actor and the critic share one gradient-norm clip (``max_grad_norm``).
    When returns are in the hundreds or thousands, the critic's loss is in the millions, its gradient
    takes the whole clipped norm, and the actor's steps shrink to nothing: the policy stops learning
    while its entropy drifts. A learned reward (GAIL's logit, shifted by the absorbing state's) has
    exactly that scale. Dividing by the return's std keeps the value targets near 1 whatever the
    reward's units; no mean is subtracted (a shift would change what ending an episode is worth)."""

    def __init__(self, gamma: float):
        self.gamma, self.count, self.mean, self.m2 = float(gamma), 0, 0.0, 0.0

    def __call__(self, rewards: torch.Tensor, alive: torch.Tensor) -> torch.Tensor:
        E, T = rewards.shape
        g = torch.zeros(E, dtype=torch.float64)
        togo = torch.zeros(E, T, dtype=torch.float64)
        live = alive.to(torch.float64)
        for t in range(T - 1, -1, -1):
            g = rewards[:, t].double() * live[:, t] + self.gamma * g * live[:, t]
            togo[:, t] = g
        x = togo[alive.bool()]
        if len(x):      # Chan et al.'s parallel update of the running mean and variance
            n, mean, m2 = len(x), float(x.mean()), float(((x - x.mean()) ** 2).sum())
            total = self.count + n
            delta = mean - self.mean
            self.m2 += m2 + delta * delta * self.count * n / total
            self.mean += delta * n / total
            self.count = total
        std = (self.m2 / self.count) ** 0.5 if self.count else 0.0
        return rewards / max(std, 1e-8) if std > 0 else rewards


def iteration_seed(seed: int, iteration: int) -> int:
    """A distinct, reproducible environment seed for each iteration of a run."""
    return int(np.random.SeedSequence([seed, iteration]).generate_state(1)[0])


# ---------------------------------------------------------------------------------------------
# the loss: GAE, then clipped policy-gradient minibatch updates
# ---------------------------------------------------------------------------------------------


def gae(rewards: torch.Tensor, values: torch.Tensor, next_values: torch.Tensor, alive: torch.Tensor,
        gamma: float, lam: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalized advantage estimation over ``(E, T)`` arrays.

    ``next_values[e, t]`` is ``V(s_{t+1})``, or the terminal value where the episode terminated
    at ``t``. Returns ``(advantages, returns)`` with ``returns = advantages + values``.
    """
    E, T = rewards.shape
    adv = torch.zeros_like(rewards)
    last = torch.zeros(E, dtype=rewards.dtype)
    cont = torch.zeros(E, T, dtype=rewards.dtype)
    cont[:, :-1] = alive[:, 1:].to(rewards.dtype)              # the episode goes on after step t
    deltas = rewards + gamma * next_values - values             # delta_t = r_t + gamma V(s_t+1) - V(s_t)
    for t in range(T - 1, -1, -1):
        last = deltas[:, t] + gamma * lam * cont[:, t] * last   # A_t = delta_t + gamma lambda A_t+1
        adv[:, t] = last
    adv = adv * alive
    return adv, adv + values


def advantages(ac: ActorCritic, batch: Batch, rewards: torch.Tensor, cfg: PPOConfig,
               terminal_value: float | torch.Tensor = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """GAE for a batch under the given per-step rewards ``(E, T)``."""
    with torch.no_grad():
        values = ac.value(batch.obs)
        next_values = ac.value(batch.next_obs)
    next_values = torch.where(batch.terminated, torch.as_tensor(terminal_value, dtype=values.dtype), next_values)
    return gae(rewards.to(values.dtype), values, next_values, batch.alive, cfg.gamma, cfg.gae_lambda)


def ppo_update(ac: ActorCritic, opt: torch.optim.Optimizer, batch: Batch, adv: torch.Tensor,
               returns: torch.Tensor, cfg: PPOConfig, gen: torch.Generator) -> dict:
    """``cfg.epochs`` passes of clipped-PPO minibatch updates on the alive steps of ``batch``."""
    m = batch.alive
    obs, act, logp_old = batch.obs[m], batch.actions[m], batch.log_probs[m]
    adv, ret = adv[m], returns[m]
    n = len(obs)
    stats = {"policy_loss": 0.0, "value_loss": 0.0, "entropy": 0.0, "clip_frac": 0.0}
    count = 0
    for _ in range(cfg.epochs):
        perm = torch.randperm(n, generator=gen)
        for start in range(0, n, cfg.minibatch):
            idx = perm[start:start + cfg.minibatch]
            dist = ac.distribution(obs[idx])
            logp = dist.log_prob(act[idx])
            entropy = dist.entropy()
            if not ac.discrete:
                logp, entropy = logp.sum(-1), entropy.sum(-1)
            a = adv[idx]
            a = (a - a.mean()) / (a.std() + 1e-8) if len(idx) > 1 else a
            ratio = (logp - logp_old[idx]).exp()                                # rho = pi / pi_old
            policy_loss = -torch.min(ratio * a, ratio.clamp(1 - cfg.clip, 1 + cfg.clip) * a).mean()
            value_loss = (ac.value(obs[idx]) - ret[idx]).pow(2).mean()
            loss = policy_loss + cfg.vf_coef * value_loss - cfg.ent_coef * entropy.mean()
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(ac.parameters(), cfg.max_grad_norm)
            opt.step()
            stats["policy_loss"] += policy_loss.item()
            stats["value_loss"] += value_loss.item()
            stats["entropy"] += entropy.mean().item()
            stats["clip_frac"] += ((ratio - 1).abs() > cfg.clip).float().mean().item()
            count += 1
    return {k: v / max(count, 1) for k, v in stats.items()}


def set_lr(opt: torch.optim.Optimizer, cfg: PPOConfig, iteration: int, iterations: int) -> None:
    """``lr * (1 - iteration / iterations)`` when ``cfg.anneal_lr``, else ``lr``."""
    lr = cfg.lr * (1.0 - iteration / iterations) if cfg.anneal_lr else cfg.lr
    for group in opt.param_groups:
        group["lr"] = lr


# ---------------------------------------------------------------------------------------------
# the loop
# ---------------------------------------------------------------------------------------------


@dataclass
class PPOHistory:
    """Per-iteration record of a PPO run (the true environment return is always measured);
    ``config`` is the :class:`PPOConfig` it ran with."""

    env_steps: list[int] = field(default_factory=list)
    episode_return: list[float] = field(default_factory=list)   # mean true return of the sampled episodes
    episode_length: list[float] = field(default_factory=list)
    entropy: list[float] = field(default_factory=list)
    wall_s: list[float] = field(default_factory=list)
    config: PPOConfig | None = None

    #: the per-iteration records (what ``progress`` reports in its ``info`` dict)
    CURVES = ("env_steps", "episode_return", "episode_length", "entropy", "wall_s")

    def record(self, batch: Batch, entropy: float, steps: int) -> None:
        """Append an iteration's figures: the cumulative steps, the true return and the length of
        the sampled episodes, the policy's entropy (the caller appends ``wall_s``)."""
        self.env_steps.append(steps)
        self.episode_return.append(float((batch.env_rewards * batch.alive).sum(1).mean()))
        self.episode_length.append(float(batch.alive.sum(1).float().mean()))
        self.entropy.append(entropy)

    def latest(self) -> dict:
        """The last iteration's figures, by name (``progress``'s ``info``)."""
        return {k: getattr(self, k)[-1] for k in self.CURVES}


def initial_actor_critic(env_id: str, cfg: PPOConfig, seed: int = 0,
                         demos: Demonstrations | None = None) -> ActorCritic:
    """The policy :func:`train_ppo` starts from: a fresh :class:`ActorCritic` (weights from
    ``seed``) normalized to the demonstrations' observations, BC-initialized for ``cfg.bc_epochs``
    epochs, or without demonstrations normalized to ``cfg.n_envs`` episodes of itself. The global
    torch RNG is left as it was."""
    obs_space, act_space = env_spaces(env_id)
    with torch.random.fork_rng(devices=[]), cpu_threads(1):
        torch.manual_seed(seed)
        ac = ActorCritic(obs_space, act_space, cfg.hidden, init_log_std=cfg.init_log_std)
        if demos is not None:
            ac.set_normalization(demos.obs)
            if cfg.bc_epochs:
                bc_init(ac, torch.as_tensor(demos.obs), torch.as_tensor(demos.actions), cfg.bc_epochs,
                        torch.Generator().manual_seed(seed))
        else:
            first = collect(ac, env_id, cfg.n_envs, iteration_seed(seed, NORMALIZATION_ITERATION), cfg.horizon)
            ac.set_normalization(first.obs[first.alive])
    return ac


def off_the_clock(checkpoint: Callable | None, *args) -> float:
    """Call ``checkpoint(*args)`` (if given) and return the seconds it took: a trainer moves the start
    of its clock by them, so an evaluation run at every iteration is not counted in ``wall_s``."""
    if checkpoint is None:
        return 0.0
    c0 = time.perf_counter()
    checkpoint(*args)
    return time.perf_counter() - c0


def train_ppo(demos: Demonstrations | None = None, *, env_id: str | None = None, seed: int = 0,
              progress: Callable[[int, int, dict], None] | None = None, config: PPOConfig | None = None,
              policy: ActorCritic | None = None, checkpoint: Callable[[ActorCritic, dict], None] | None = None,
              **settings) -> tuple[ActorCritic, PPOHistory]:
    """Plain PPO on the environment's own reward: ``(policy, history)``.

    ``env_id`` is required without ``demos``. With ``demos`` the first policy is normalized to
    their observations and, with ``bc_epochs > 0``, BC-initialized on them (notebook 07's "BC,
    then PPO"); otherwise see :func:`initial_actor_critic`. ``policy`` continues training an
    existing :class:`ActorCritic` in place instead (``demos`` then only name the environment).
    ``settings`` override the fields of ``config`` (:class:`PPOConfig`); ``progress(done, total,
    info)`` is called after every iteration with the latest figures of the history, and then
    ``checkpoint(policy, info)``, whose time is not counted in ``history.wall_s`` (e.g. the bench's
    evaluation of the learning curve).
    """
    seed = check_seed("seed", seed, "train_ppo", TRAIN_SEED_MAX)
    cfg = make_config(PPOConfig, config, where="train_ppo", **settings)
    if demos is not None:
        check_training_data(demos, env_id, "train_ppo")
        if not isinstance(demos, Demonstrations):
            raise TypeError(f"train_ppo: demos must be Demonstrations (or None), got {type(demos).__name__}")
        check(env_id is None or env_id == demos.env_id, "env_id", f"the demonstrations' {demos.env_id!r}", env_id,
              where="train_ppo")
        env_id = demos.env_id
    check(env_id is not None, "env_id", "given when demos is None", env_id, where="train_ppo")
    if policy is not None:
        check(isinstance(policy, ActorCritic), "policy", "an ActorCritic (or None)", type(policy).__name__,
              where="train_ppo")
    ac = policy if policy is not None else initial_actor_critic(env_id, cfg, seed, demos)
    iterations, horizon = cfg.iterations, cfg.horizon
    with cpu_threads(1):
        opt = torch.optim.Adam(ac.parameters(), lr=cfg.lr, eps=1e-5)
        gen = torch.Generator().manual_seed(seed)
        hist, steps, t0 = PPOHistory(config=cfg), 0, time.perf_counter()
        for it in range(iterations):
            set_lr(opt, cfg, it, iterations)
            batch = collect(ac, env_id, cfg.n_envs, iteration_seed(seed, it), horizon)
            adv, ret = advantages(ac, batch, batch.env_rewards, cfg)
            stats = ppo_update(ac, opt, batch, adv, ret, cfg, gen)
            steps += batch.steps
            hist.record(batch, stats["entropy"], steps)
            hist.wall_s.append(time.perf_counter() - t0)
            if progress is not None:
                progress(it + 1, iterations, hist.latest())
            t0 += off_the_clock(checkpoint, ac, hist.latest())
    return ac, hist


__all__ = ["PPOConfig", "ActorCritic", "Sampler", "bc_init", "Batch", "with_codes", "collect", "iteration_seed",
           "ReturnScale", "gae",
           "advantages", "ppo_update", "set_lr", "PPOHistory", "initial_actor_critic", "off_the_clock", "train_ppo",
           "PPO_STD_FLOOR", "NORM_CLIP", "NORMALIZATION_ITERATION"]
