"""Preference comparisons: a reward learned from which of two clips of its own behaviour is better (notebook 08).

Deep RL from human preferences (Christiano et al. 2017), with a synthetic oracle in place of the
human. T-REX (:mod:`il_helpers.algorithms.trex`) ranks *demonstrations*; here there are none: the
agent's own episodes are cut into short clips, an oracle says which clip of a pair is better, and
the same reward model is fitted to those answers, interleaved with PPO on the learned reward. One
PPO iteration:

1. **Collect** ``n_envs`` episodes of the current stochastic policy (:func:`~il_helpers.algorithms.ppo.collect`).
2. **Query** (the iteration's share of the budget, :func:`query_schedule`): draw pairs of clips of
   ``clip`` steps from those episodes at random and ask the oracle (:func:`oracle_labels`).
3. **Fit** the :class:`~il_helpers.algorithms.trex.RewardNet` for ``reward_steps`` Adam steps on every
   label so far with the Bradley-Terry loss (:func:`~il_helpers.algorithms.trex.trex_loss`) ::

       P(sigma_1 > sigma_0) = exp R_theta(sigma_1) / (exp R_theta(sigma_0) + exp R_theta(sigma_1)),
       R_theta(sigma) = sum_{s in sigma, alive} r_theta(s)

4. **Update** the policy with PPO on ``r_theta`` (the environment's reward is only recorded).

**The oracle** answers with the clips' true returns: the better one (a tie: half and half);
``label_noise`` flips an answer with that probability; ``rationality = beta`` makes it
Boltzmann-rational instead, answering "clip 1" with probability ``sigmoid(beta (R_1 - R_0))``.

**Episodes that end.** A clip may run past its episode's termination (CartPole's pole falls): the
steps after it are masked and add 0 to ``R_theta``, the reward of the absorbing state. That anchors
the learned reward's zero, so PPO sees it *unshifted* (only divided by its root mean square over the
labelled states): subtracting a mean would turn a reward for staying alive into one for dying
early. (Christiano et al. removed the termination of their MuJoCo tasks instead, since a variable
length leaks the reward; with the mask the oracle's answer is the only channel.)

**The paper's settings, and ours.** The paper used clips of 1-2 s (MuJoCo: 1.5 s; Atari: 25
frames), an ensemble of 3 reward nets with queries chosen where they disagree most, 25 % of the
labels before RL starts, a query rate decaying as ``T / (T + t)``, and 700-1,400 synthetic labels to
match RL on the true reward in MuJoCo. Here: clips of 25 steps (0.5 s of CartPole), one net, random
pairs, a quarter of the budget before the first update and the rest decaying as ``d / (d + k)``
over the iterations ``k``; random pairs were enough on CartPole (measured: :mod:`notebook 08 <il_helpers>`'s
note, ``benchmarks/imperfect_demonstrations.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from ..core.checks import TRAIN_SEED_MAX, check, check_int, check_number, check_probability, check_seed, make_config
from ..core.demonstrations import Demonstrations
from ..core.nets import STD_FLOOR, cpu_threads, normalization_stats
from ..envs.registry import env_spaces
from .ppo import (
    ActorCritic,
    Batch,
    PPOConfig,
    PPOHistory,
    advantages,
    collect,
    initial_actor_critic,
    iteration_seed,
    off_the_clock,
    ppo_update,
    set_lr,
)
from .trex import RewardNet, trex_loss


@dataclass
class PreferencesConfig:
    """Preference comparisons' settings: the budget of ``comparisons`` labels and when they are asked
    (``initial_fraction`` of them before the first update, the rest at a rate ``decay / (decay + k)``
    at PPO iteration ``k``), the clips, the oracle, the reward fit (``reward_steps`` Adam steps on
    minibatches of ``batch`` labels after each query round), then ``iterations`` PPO iterations
    (``ppo``: the update's knobs; its own ``iterations`` and ``horizon`` are replaced by these fields)."""

    comparisons: int = 500          # labels queried over the whole run
    initial_fraction: float = 0.25  # of them on the first policy's clips, before the first PPO update
    decay: float = 5.0              # query rate at iteration k: decay / (decay + k)
    clip: int = 25                  # steps per clip (capped at the horizon)
    label_noise: float = 0.0        # probability that the oracle's answer is flipped
    rationality: float | None = None  # Boltzmann beta of the oracle (None: it always names the better clip)
    reward_steps: int = 100         # Adam steps on all the labels so far, after each query round
    batch: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-4
    hidden: tuple = (64, 64)
    iterations: int = 40            # PPO iterations on the learned reward
    horizon: int | None = None
    ppo: PPOConfig = field(default_factory=PPOConfig)

    def __post_init__(self):
        w = type(self).__name__
        for name in ("comparisons", "clip", "reward_steps", "batch", "iterations"):
            check_int(name, getattr(self, name), 1, where=w)
        if self.horizon is not None:
            check_int("horizon", self.horizon, 1, where=w)
        check_probability("initial_fraction", self.initial_fraction, where=w)
        check_number("decay", self.decay, 0.0, low_open=True, where=w)
        check_probability("label_noise", self.label_noise, where=w)
        if self.rationality is not None:
            check_number("rationality", self.rationality, 0.0, low_open=True, where=w)
        check_number("lr", self.lr, 0.0, 1.0, low_open=True, high_open=True, where=w)
        check_number("weight_decay", self.weight_decay, 0.0, where=w)
        check(isinstance(self.ppo, PPOConfig), "ppo", "a PPOConfig", self.ppo, where=w)


def query_schedule(comparisons: int, iterations: int, initial_fraction: float, decay: float) -> np.ndarray:
    """The comparisons asked at each PPO iteration, shape ``(iterations,)``, summing to ``comparisons``:
    ``round(initial_fraction * comparisons)`` at iteration 0, the rest spread in proportion to
    ``decay / (decay + k)`` (largest remainders, so the counts are integers)."""
    first = int(round(initial_fraction * comparisons))
    w = decay / (decay + np.arange(iterations))
    share = (comparisons - first) * w / w.sum()
    counts = np.floor(share).astype(np.int64)
    counts[np.argsort(-(share - counts), kind="stable")[: comparisons - first - counts.sum()]] += 1
    counts[0] += first
    return counts


# ---------------------------------------------------------------------------------------------
# the clips and the oracle
# ---------------------------------------------------------------------------------------------


def sample_clips(batch: Batch, n_pairs: int, clip: int, gen: np.random.Generator):
    """``n_pairs`` pairs of clips of ``clip`` steps (at most the batch's horizon) from the episodes of
    ``batch``, each starting at an alive step: ``(obs (P, 2, L, d), mask (P, 2, L), true return (P, 2))``.
    ``mask`` is 1 while the episode runs; the true return sums the environment's reward over it."""
    alive = batch.alive.numpy()
    E, W = alive.shape                                               # W: up to the last step any episode lived
    L = min(clip, batch.horizon)
    lengths = alive.sum(1)
    ep = gen.integers(0, E, size=(n_pairs, 2))
    last_start = np.minimum(lengths[ep], batch.horizon - L + 1)      # the clip stays inside the time limit
    start = (gen.random(ep.shape) * last_start).astype(np.int64)
    steps = start[..., None] + np.arange(L)                          # (P, 2, L)
    ep_t, steps_t = torch.as_tensor(ep)[..., None], torch.as_tensor(np.minimum(steps, W - 1))
    mask = (batch.alive[ep_t, steps_t] & torch.as_tensor(steps < W)).float()
    true_return = (batch.env_rewards[ep_t, steps_t].double() * mask).sum(-1).numpy()
    return batch.obs[ep_t, steps_t].float(), mask, true_return


def oracle_labels(true_return: np.ndarray, gen: np.random.Generator, label_noise: float = 0.0,
                  rationality: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The synthetic oracle's answers for pairs with true returns ``(P, 2)``: the probability it gives
    each clip of being the better one ``(P, 2)`` (1/0, or 0.5/0.5 for a tie; with ``rationality = beta``
    a Boltzmann-rational answer, clip 1 with probability ``sigmoid(beta (R_1 - R_0))``, drawn), and
    which answers ``label_noise`` flipped ``(P,)``."""
    diff = true_return[:, 1] - true_return[:, 0]
    if rationality is None:
        p1 = np.where(np.abs(diff) < 1e-9, 0.5, (diff > 0).astype(float))
    else:
        p1 = (gen.random(len(diff)) < 1.0 / (1.0 + np.exp(-rationality * diff))).astype(float)
    flipped = gen.random(len(diff)) < label_noise
    p1 = np.where(flipped, 1.0 - p1, p1)
    return np.stack([1.0 - p1, p1], axis=1), flipped & (p1 != 0.5)


# ---------------------------------------------------------------------------------------------
# the loop
# ---------------------------------------------------------------------------------------------


@dataclass
class PreferencesHistory(PPOHistory):
    """PPO's records (the true return is measured, never used) plus the queries: ``labels_used`` (the
    comparisons asked so far, after each iteration), ``reward_loss`` and ``pair_accuracy`` per fit step
    (on the labels so far, a tie counting as right), ``labels_flipped`` (answers the oracle's noise
    flipped), ``ties`` (answers of half and half) and ``reward``, the learned :class:`RewardNet`."""

    labels_used: list[int] = field(default_factory=list)
    reward_loss: list[float] = field(default_factory=list)
    pair_accuracy: list[float] = field(default_factory=list)
    labels_flipped: int = 0
    ties: int = 0
    reward: RewardNet | None = field(default=None, repr=False)

    CURVES = PPOHistory.CURVES + ("labels_used",)


class _Labels:
    """The labelled clips so far (tensors grown by :meth:`add`)."""

    def __init__(self):
        self.obs = self.mask = self.target = None

    def add(self, obs, mask, target):
        new = (obs, mask, torch.as_tensor(target, dtype=torch.float32))
        if self.obs is None:
            self.obs, self.mask, self.target = new
        else:
            self.obs, self.mask, self.target = (torch.cat([a, b]) for a, b in
                                                zip((self.obs, self.mask, self.target), new))

    def __len__(self):
        return 0 if self.obs is None else len(self.obs)


def fit_on_labels(net: RewardNet, opt: torch.optim.Optimizer, labels: _Labels, cfg: PreferencesConfig,
                  gen: torch.Generator, hist: PreferencesHistory) -> None:
    """``cfg.reward_steps`` Adam steps of the Bradley-Terry loss on minibatches of the labels so far,
    then the reward's scale: its root mean square over the labelled alive states (its zero stays put)."""
    for _ in range(cfg.reward_steps):
        b = torch.randint(0, len(labels), (min(cfg.batch, len(labels)),), generator=gen)
        obs, mask, target = labels.obs[b], labels.mask[b], labels.target[b]
        loss, pred = trex_loss(net, obs, target, mask, with_returns=True)   # -sum p log P(sigma_1 > sigma_0) ...
        opt.zero_grad()
        loss.backward()
        opt.step()
        right = torch.where(target[:, 1] == 0.5, True, pred.argmax(1) == target.argmax(1))   # before the step
        hist.reward_loss.append(loss.item())
        hist.pair_accuracy.append(right.float().mean().item())
    with torch.no_grad():
        r = net(labels.obs[labels.mask > 0])
        net.r_mean.zero_()
        net.r_std.copy_(r.pow(2).mean().sqrt().clamp_min(1e-6))        # r / rms(r): the zero is the absorbing state's


def train_preferences(demos: Demonstrations | None = None, *, env_id: str | None = None, seed: int = 0,
                      progress: Callable[[int, int, dict], None] | None = None,
                      config: PreferencesConfig | None = None, checkpoint: Callable | None = None,
                      **settings) -> tuple[ActorCritic, PreferencesHistory]:
    """PPO on a reward learned from a synthetic oracle's preferences between clips of the agent's own
    episodes: ``(policy, history)`` (``history.reward``: the learned :class:`RewardNet`;
    ``history.labels_used``: the comparisons asked so far, per iteration).

    No demonstrations are needed: ``env_id`` names the environment (``demos``, if given, only name it).
    ``progress(done, total, info)`` after every PPO iteration, then ``checkpoint(policy, info)`` (off the clock).
    """
    where = "train_preferences"
    seed = check_seed("seed", seed, where, TRAIN_SEED_MAX)
    if demos is not None:
        if not isinstance(demos, Demonstrations):
            raise TypeError(f"{where}: demos must be Demonstrations (or None), got {type(demos).__name__}")
        check(env_id is None or env_id == demos.env_id, "env_id", f"the demonstrations' {demos.env_id!r}", env_id,
              where=where)
        env_id = demos.env_id
    check(isinstance(env_id, str), "env_id", "an environment id (there are no demonstrations to take it from)",
          env_id, where=where)
    env_spaces(env_id)
    cfg = make_config(PreferencesConfig, config, where, **settings)
    pcfg = PPOConfig(**{**cfg.ppo.__dict__, "iterations": cfg.iterations, "horizon": cfg.horizon, "bc_epochs": 0})
    schedule = query_schedule(cfg.comparisons, cfg.iterations, cfg.initial_fraction, cfg.decay)
    ac = initial_actor_critic(env_id, pcfg, seed)
    hist = PreferencesHistory(config=cfg)
    labels, qgen = _Labels(), np.random.default_rng([seed, 2])
    with cpu_threads(1):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed + 1)
            net = RewardNet(ac.obs_dim, cfg.hidden)
        opt_r = torch.optim.Adam(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        opt = torch.optim.Adam(ac.parameters(), lr=pcfg.lr, eps=1e-5)
        gen, rgen = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed + 1)
        steps, t0 = 0, time.perf_counter()
        for it in range(pcfg.iterations):
            set_lr(opt, pcfg, it, pcfg.iterations)
            batch = collect(ac, env_id, pcfg.n_envs, iteration_seed(seed, it), pcfg.horizon)
            if it == 0:
                mean, std = normalization_stats(batch.obs[batch.alive].float(), STD_FLOOR)
                net.obs_mean.copy_(mean)
                net.obs_std.copy_(std)
            if schedule[it]:
                obs, mask, true_return = sample_clips(batch, int(schedule[it]), cfg.clip, qgen)
                target, flipped = oracle_labels(true_return, qgen, cfg.label_noise, cfg.rationality)
                hist.labels_flipped += int(flipped.sum())
                hist.ties += int((target[:, 1] == 0.5).sum())
                labels.add(obs, mask, target)
                net.train()
                fit_on_labels(net, opt_r, labels, cfg, rgen, hist)
                net.eval()
            rewards = net.reward(batch.obs) * batch.alive               # r_theta(s_t) / rms, 0 after the end
            adv, ret = advantages(ac, batch, rewards, pcfg)
            stats = ppo_update(ac, opt, batch, adv, ret, pcfg, gen)
            steps += batch.steps
            hist.record(batch, stats["entropy"], steps)
            hist.labels_used.append(len(labels))
            hist.wall_s.append(time.perf_counter() - t0)
            if progress is not None:
                progress(it + 1, pcfg.iterations, hist.latest())
            t0 += off_the_clock(checkpoint, ac, hist.latest())
    hist.reward = net
    return ac, hist


__all__ = ["PreferencesConfig", "PreferencesHistory", "query_schedule", "sample_clips", "oracle_labels",
           "fit_on_labels", "train_preferences"]
