"""T-REX: a reward learned from ranked, suboptimal demonstrations, then RL on it (notebook 08).

Trajectory-ranked reward extrapolation (Brown et al. 2019). Plain imitation copies the
demonstrators, so it cannot do better than they do. T-REX instead asks *what the better
demonstrations have more of*: a reward network ``r_theta(s)`` on observations is fitted so that
a better (sub)trajectory gets a larger predicted return, and RL (PPO) then maximizes that reward,
which can extrapolate beyond the best demonstration.

**The Bradley-Terry model.** For two snippets ``tau_i, tau_j`` with predicted returns
``R_theta(tau) = sum_{s in tau} r_theta(s)``, the probability that ``tau_j`` is the better one is ::

    P(tau_j > tau_i) = exp R_theta(tau_j) / (exp R_theta(tau_i) + exp R_theta(tau_j))

**The T-REX loss** over ranked pairs (``tau_i < tau_j``: ``tau_j`` comes from a better-ranked
episode) is the cross-entropy of that model ::

    L(theta) = -sum_{tau_i < tau_j} log P(tau_j > tau_i)

(:func:`trex_loss`). Ranks are the episodes' returns (default) or any order given in ``ranks=``
(higher is better); ``rank_noise`` flips each pair's label with that probability (a careless
ranker). Snippets are ``snippet`` consecutive steps from a random start in each episode, so
one ranked set of ``E`` episodes gives many more training pairs than ``E(E-1)/2``.

Then PPO (:mod:`il_helpers.algorithms.ppo`) runs on the learned reward, standardized with the
demonstrations' statistics (mean 0, std 1 over their states), in place of the environment's:
the environment's reward is only recorded, never used (``history.episode_return``).

**Episodes that end early** (CartPole falls, MountainCar reaches the flag): after its last step an
episode that terminated sits in an *absorbing state* forever, whose reward is 0 before the
standardization (as in :mod:`~il_helpers.algorithms.preferences`; the net's offset is learned around
it). Snippets of such an episode may run past its end, the steps beyond it masked, so the ranking
itself says whether ending is good (MountainCar's better episodes end sooner) or bad (CartPole's worse
episodes fall sooner); PPO then values a termination as the absorbing state's standardized reward
forever, ``(0 - mean) / std / (1 - gamma)`` (:meth:`RewardNet.absorbing_reward`). Without it the
ranking says nothing about ending, and a reward standardized to mean 0 on the way taught PPO to fall
on CartPole on 3 of 4 seeds (normalized -0.02 to 0.07, below the random policy); with it the bench's
seeds 0-4 reach 1.00, 1.00, 0.21, 0.92 and 0.20: on seed 2 PPO balances the pole and drives the cart
off the track (every test episode ends at |x| = 2.4), a state no demonstration shows, whose learned
reward is an extrapolation (reward hacking; 4 ranked episodes of one noisy demonstrator are little to
learn from). Episodes that never terminate (LaneKeeping)
are unaffected.

D-REX (Brown et al. 2020, :func:`train_drex`) needs no ranks: it clones the demonstrations
(BC), rolls the clone out with increasing injected noise and ranks the rollouts by their noise
level (less noise is better), the demonstrations above all of them; then the same T-REX.

Measured (notebook 08; LaneKeeping, 8 episodes from each of three suboptimal demonstrators, the
best of them at 0.78): with the defaults T-REX + PPO scores 1.00 on seeds 0-4 and the learned
return correlates 0.904-0.947 with the true one over 30 held-out episodes (5,000 pairs and 2,000
steps gave 0.866-0.920, under 0.9 on two seeds). D-REX on the same data fails (seed 0: -0.13).
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
    check_int,
    check_number,
    check_probability,
    check_seed,
    check_training_data,
    make_config,
)
from ..core.demonstrations import Demonstrations, collect_demonstrations
from ..core.nets import STD_FLOOR, cpu_threads, mlp, normalization_stats
from .ppo import (
    ActorCritic,
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

RANK_BY = ("snippet", "episode")


@dataclass
class TREXConfig:
    """T-REX's settings: the ranked pairs and the reward net (``pairs`` snippet pairs of
    ``snippet`` steps, fitted for ``steps`` Adam steps on minibatches of ``batch`` pairs), the
    ranking noise, then ``iterations`` PPO iterations on the learned reward (``ppo``: the update's
    knobs; its own ``iterations``, ``horizon`` and ``bc_epochs`` are replaced by these fields)."""

    pairs: int = 10000          # ranked snippet pairs drawn from the demonstrations
    snippet: int = 20           # steps per snippet (capped at the shorter episode's length)
    steps: int = 4000           # gradient steps on the Bradley-Terry loss
    batch: int = 64             # pairs per minibatch
    lr: float = 1e-3
    weight_decay: float = 1e-4
    hidden: tuple = (64, 64)
    rank_noise: float = 0.0     # probability that a pair's label is flipped
    rank_by: str = "snippet"    # "snippet": by the snippets' own returns; "episode": by their episodes' ranks
    iterations: int = 40        # PPO iterations on the learned reward
    bc_epochs: int = 0          # BC warm start of PPO's actor on the demonstrations
    horizon: int | None = None
    ppo: PPOConfig = field(default_factory=PPOConfig)

    def __post_init__(self):
        w = type(self).__name__
        for name in ("pairs", "snippet", "steps", "batch", "iterations"):
            check_int(name, getattr(self, name), 1, where=w)
        check_int("bc_epochs", self.bc_epochs, 0, where=w)
        check_number("lr", self.lr, 0.0, 1.0, low_open=True, high_open=True, where=w)
        check_number("weight_decay", self.weight_decay, 0.0, where=w)
        check_probability("rank_noise", self.rank_noise, where=w)
        check(self.rank_by in RANK_BY, "rank_by", f"one of {RANK_BY}", self.rank_by, where=w)
        check(isinstance(self.ppo, PPOConfig), "ppo", "a PPOConfig", self.ppo, where=w)


class RewardNet(nn.Module):
    """``r_theta(s)``: an MLP on observations standardized with the demonstrations' statistics.
    ``predicted_return(obs)`` sums it over the last-but-one axis (a snippet's ``R_theta``);
    ``reward(obs)`` is the per-step reward PPO sees, scaled to mean 0, std 1 over the
    demonstrations' states (:meth:`calibrate`)."""

    def __init__(self, obs_dim: int, hidden=(64, 64)):
        super().__init__()
        self.net = mlp([obs_dim, *hidden, 1])
        self.register_buffer("obs_mean", torch.zeros(obs_dim))
        self.register_buffer("obs_std", torch.ones(obs_dim))
        self.register_buffer("r_mean", torch.zeros(()))
        self.register_buffer("r_std", torch.ones(()))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net((obs.float() - self.obs_mean) / self.obs_std).squeeze(-1)

    def predicted_return(self, obs: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """``R_theta(tau)`` over the last-but-one axis; ``mask`` (obs' shape less its last axis, 1 where the
        step counts) leaves out the steps after an episode ended (they add 0: the absorbing state's reward)."""
        r = self(obs)
        return (r if mask is None else r * mask).sum(-1)                # R_theta(tau) = sum_s r_theta(s)

    @torch.no_grad()
    def calibrate(self, obs: torch.Tensor) -> None:
        r = self(obs)
        self.r_mean.copy_(r.mean())
        self.r_std.copy_(r.std().clamp_min(1e-6))

    @torch.no_grad()
    def reward(self, obs) -> torch.Tensor:
        """The standardized learned reward of each observation (numpy or torch, any leading shape)."""
        return (self(torch.as_tensor(obs)) - self.r_mean) / self.r_std

    @torch.no_grad()
    def absorbing_reward(self) -> torch.Tensor:
        """The standardized reward of the absorbing state (after a termination): 0 before the
        standardization, where the masked snippets put it (the net's own offset is learned around it)."""
        return (0.0 - self.r_mean) / self.r_std

    @torch.no_grad()
    def episode_returns(self, demos: Demonstrations) -> np.ndarray:
        """The learned (standardized) return of every episode of ``demos``, shape (E,)."""
        r = self.reward(demos.obs).numpy()
        return np.add.reduceat(r, demos.episode_starts) if len(r) else np.zeros(0)


def return_correlation(reward: RewardNet, demos: Demonstrations) -> float:
    """Pearson correlation, over the episodes of ``demos``, of the learned return with the true one
    (needs at least 2 episodes whose true returns differ)."""
    check(isinstance(demos, Demonstrations) and demos.num_episodes >= 2, "demos",
          "Demonstrations with at least 2 episodes", getattr(demos, "num_episodes", demos), "return_correlation")
    true = demos.episode_returns
    check(true.std() > 0, "demos", "episodes whose true returns differ", "all equal", "return_correlation")
    return float(np.corrcoef(reward.episode_returns(demos), true)[0, 1])


# ---------------------------------------------------------------------------------------------
# the ranked pairs and the loss
# ---------------------------------------------------------------------------------------------


def ranked_pairs(demos: Demonstrations, ranks: np.ndarray | None, n_pairs: int, snippet: int, rank_noise: float,
                 gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``n_pairs`` ranked pairs of snippets: step indices ``(P, 2, L)`` into ``demos.obs``, the label
    (0 or 1: which of the two is the better, after ``rank_noise`` flips) ``(P,)``, whether the label
    was flipped ``(P,)``, and the mask ``(P, 2, L)``: False on the steps past a termination (the
    absorbing state; their index repeats the episode's last step).

    ``ranks`` (one per episode, higher is better): a pair's label is its episodes' order (pairs from
    equally ranked episodes are not drawn). ``ranks=None``: its label is the order of the two
    snippets' own returns (``demos.rewards`` summed over the snippet, 0 in the absorbing state; ties
    are not drawn). A snippet of an episode that terminated starts anywhere in it and may run past
    its end; one of an episode cut by the time limit lies inside it."""
    lengths, starts = demos.episode_lengths, demos.episode_starts
    ended = demos.terminated[starts + lengths - 1].astype(bool)   # the episode terminated (not truncated)
    L = int(min(snippet, lengths[~ended].min())) if (~ended).any() else int(snippet)
    E = demos.num_episodes
    room = np.where(ended, lengths, lengths - L + 1)                 # where a snippet may start
    cum = np.concatenate([[0.0], np.cumsum(demos.rewards, dtype=np.float64)])
    out = np.zeros((n_pairs, 2, L), dtype=np.int64)
    inside = np.ones((n_pairs, 2, L), dtype=bool)
    labels = np.zeros(n_pairs, dtype=np.int64)
    made, tries = 0, 0
    while made < n_pairs:
        tries += 1
        if tries > 100:
            raise ValueError("ranked_pairs: almost every pair drawn is a tie; give episodes (or snippets) of "
                             "different quality, or a longer snippet")
        ep = gen.integers(0, E, size=(2, 4 * n_pairs))
        offset = (gen.random(ep.shape) * room[ep]).astype(np.int64)
        begin = starts[ep] + offset
        end = np.minimum(begin + L, starts[ep] + lengths[ep])           # the snippet's own steps end here
        score = ranks[ep] if ranks is not None else cum[end] - cum[begin]
        keep = np.flatnonzero(np.abs(score[1] - score[0]) > 1e-9)[: n_pairs - made]
        steps = begin[:, keep].T[:, :, None] + np.arange(L)[None, None, :]
        last = (starts[ep] + lengths[ep] - 1)[:, keep].T[:, :, None]
        out[made:made + len(keep)] = np.minimum(steps, last)
        inside[made:made + len(keep)] = steps <= last
        labels[made:made + len(keep)] = (score[1, keep] > score[0, keep]).astype(np.int64)
        made += len(keep)
    flipped = gen.random(n_pairs) < rank_noise
    return out, np.where(flipped, 1 - labels, labels), flipped, inside


def trex_loss(reward: RewardNet, snippets: torch.Tensor, labels: torch.Tensor,
              mask: torch.Tensor | None = None, *, with_returns: bool = False):
    """The T-REX loss (the Bradley-Terry cross-entropy) of a batch of pairs: ``snippets`` (B, 2, L, obs_dim),
    ``labels`` (B,) the index of the better snippet of each pair, or (B, 2) the probability that each
    is the better one (soft labels: a tie is (0.5, 0.5)); ``mask`` (B, 2, L): see
    :meth:`RewardNet.predicted_return`. ``with_returns``: also the predicted returns (B, 2), detached
    (the training loops' pair accuracy, without a second forward pass)."""
    logits = reward.predicted_return(snippets, mask)                    # (B, 2): R_theta(tau_i), R_theta(tau_j)
    loss = nn.functional.cross_entropy(logits, labels)                  # -log P(better one wins)
    return (loss, logits.detach()) if with_returns else loss


@dataclass
class TREXHistory(PPOHistory):
    """The reward fit (``reward_loss`` and ``pair_accuracy`` per step, on the ranked pairs) and the
    PPO run on it (:class:`~il_helpers.algorithms.ppo.PPOHistory`'s records: the true return is
    measured, never used). ``reward`` is the learned :class:`RewardNet`; ``ranks`` the episode ranks
    used; ``labels_flipped`` how many pair labels the ranking noise flipped; ``ranked``: the ranked
    episodes (D-REX's rollouts, or the demonstrations)."""

    reward_loss: list[float] = field(default_factory=list)
    pair_accuracy: list[float] = field(default_factory=list)
    reward: RewardNet | None = field(default=None, repr=False)
    ranks: np.ndarray | None = field(default=None, repr=False)
    labels_flipped: int = 0
    ranked: Demonstrations | None = field(default=None, repr=False)


def fit_reward(demos: Demonstrations, ranks, cfg: TREXConfig, seed: int, hist: TREXHistory) -> RewardNet:
    """Fit a :class:`RewardNet` to the ranked pairs of ``demos`` (the T-REX loss), records on ``hist``."""
    gen = np.random.default_rng([seed, 1])
    idx, labels, flipped, inside = ranked_pairs(demos, ranks if cfg.rank_by == "episode" else None, cfg.pairs,
                                                cfg.snippet, cfg.rank_noise, gen)
    masked = not inside.all()                                           # some snippet runs past a termination
    hist.labels_flipped = int(flipped.sum())
    obs = torch.as_tensor(demos.obs)
    with torch.random.fork_rng(devices=[]), cpu_threads(1):
        torch.manual_seed(seed)
        net = RewardNet(obs.shape[1], cfg.hidden)
        mean, std = normalization_stats(obs, STD_FLOOR)
        net.obs_mean.copy_(mean)
        net.obs_std.copy_(std)
        opt = torch.optim.Adam(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        tg = torch.Generator().manual_seed(seed)
        idx_t, lab_t, in_t = torch.as_tensor(idx), torch.as_tensor(labels), torch.as_tensor(inside)
        for _ in range(cfg.steps):
            b = torch.randint(0, len(idx_t), (min(cfg.batch, len(idx_t)),), generator=tg)
            snippets, lab = obs[idx_t[b]], lab_t[b]
            loss, pred = trex_loss(net, snippets, lab, in_t[b] if masked else None, with_returns=True)
            opt.zero_grad()
            loss.backward()
            opt.step()
            acc = (pred.argmax(1) == lab).float().mean()               # this minibatch, before its step
            hist.reward_loss.append(loss.item())
            hist.pair_accuracy.append(acc.item())
        net.calibrate(obs)
    net.eval()
    return net


def ppo_on_reward(demos: Demonstrations, net: RewardNet, cfg: TREXConfig, seed: int, hist: TREXHistory,
                  progress: Callable | None, checkpoint: Callable | None) -> ActorCritic:
    """PPO for ``cfg.iterations`` iterations on ``net``'s standardized reward (the environment's is only recorded)."""
    env_id = demos.env_id
    pcfg = PPOConfig(**{**cfg.ppo.__dict__, "iterations": cfg.iterations, "horizon": cfg.horizon,
                        "bc_epochs": cfg.bc_epochs})
    ac = initial_actor_critic(env_id, pcfg, seed, demos)
    with cpu_threads(1):
        opt = torch.optim.Adam(ac.parameters(), lr=pcfg.lr, eps=1e-5)
        gen = torch.Generator().manual_seed(seed)
        steps, t0 = 0, time.perf_counter()
        for it in range(pcfg.iterations):
            set_lr(opt, pcfg, it, pcfg.iterations)
            batch = collect(ac, env_id, pcfg.n_envs, iteration_seed(seed, it), pcfg.horizon)
            rewards = net.reward(batch.obs) * batch.alive                # r_theta(s_t), standardized
            terminal = net.absorbing_reward() / (1.0 - pcfg.gamma)       # a termination: r_abs forever
            adv, ret = advantages(ac, batch, rewards, pcfg, terminal_value=terminal)
            stats = ppo_update(ac, opt, batch, adv, ret, pcfg, gen)
            steps += batch.steps
            hist.record(batch, stats["entropy"], steps)
            hist.wall_s.append(time.perf_counter() - t0)
            if progress is not None:
                progress(it + 1, pcfg.iterations, hist.latest())
            t0 += off_the_clock(checkpoint, ac, hist.latest())
    return ac


def _episode_ranks(demos: Demonstrations, ranks, where: str) -> np.ndarray:
    if ranks is None:
        ranks = demos.episode_returns
    ranks = np.asarray(ranks, dtype=float)
    check(ranks.shape == (demos.num_episodes,), "ranks", f"one number per episode, shape ({demos.num_episodes},)",
          ranks.shape, where)
    check(bool(np.all(np.isfinite(ranks))), "ranks", "finite numbers", "non-finite values", where)
    check(len(np.unique(ranks)) >= 2, "ranks", "at least two different values (T-REX learns from differences; "
          "give episodes of different quality)", "all equal", where)
    return ranks


def train_trex(demos: Demonstrations, *, env_id: str | None = None, seed: int = 0,
               progress: Callable[[int, int, dict], None] | None = None, config: TREXConfig | None = None,
               ranks=None, checkpoint: Callable | None = None, **settings) -> tuple[ActorCritic, TREXHistory]:
    """T-REX on ranked demonstrations, then PPO on the learned reward: ``(policy, history)``.

    ``ranks``: one number per episode, higher is better (default: the episodes' returns), used with
    ``rank_by="episode"``; with ``rank_by="snippet"`` (the default) each pair is ranked by its
    snippets' own returns. The
    learned reward is ``history.reward`` (a :class:`RewardNet`); ``progress(done, total, info)``
    is called after every PPO iteration, then ``checkpoint(policy, info)`` (off the clock).
    """
    where = "train_trex"
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"{where}: demos must be Demonstrations, got {type(demos).__name__}")
    seed = check_seed("seed", seed, where, TRAIN_SEED_MAX)
    check_training_data(demos, env_id, where)
    cfg = make_config(TREXConfig, config, where, **settings)
    check(demos.num_episodes >= 2, "demos", "at least 2 episodes to rank", demos.num_episodes, where)
    check(ranks is None or cfg.rank_by == "episode", "rank_by",
          "'episode' when ranks are given (rank_by='snippet' ranks snippets by their own returns)", cfg.rank_by, where)
    ranks = _episode_ranks(demos, ranks, where)
    hist = TREXHistory(config=cfg, ranks=ranks, ranked=demos)
    hist.reward = fit_reward(demos, ranks, cfg, seed, hist)
    return ppo_on_reward(demos, hist.reward, cfg, seed, hist, progress, checkpoint), hist


@dataclass
class DREXConfig(TREXConfig):
    """D-REX: T-REX's settings plus the automatic ranking: a BC clone (``bc_epochs_clone`` epochs)
    rolled out ``rollouts`` episodes at each of ``noise_levels`` (action noise, see
    :func:`~il_helpers.core.rollout.perturb`), ranked by their noise (less is better); with
    ``include_demos`` the demonstrations rank above every rollout."""

    noise_levels: tuple = (0.0, 0.25, 0.5, 0.75, 1.0)
    rollouts: int = 5
    bc_epochs_clone: int = 50
    include_demos: bool = True

    def __post_init__(self):
        super().__post_init__()
        check_int("rollouts", self.rollouts, 1, where="DREXConfig")
        check_int("bc_epochs_clone", self.bc_epochs_clone, 1, where="DREXConfig")
        levels = tuple(self.noise_levels)
        check(len(levels) >= 2 and len(set(levels)) == len(levels)
              and all(isinstance(x, (int, float)) and not isinstance(x, bool) and 0 <= x <= 1 for x in levels),
              "noise_levels", "at least 2 different noise levels in [0, 1]", self.noise_levels, "DREXConfig")
        self.noise_levels = levels


def noise_ranked_rollouts(policy, env_id: str, noise_levels, rollouts: int, seed: int,
                          horizon: int | None = None) -> tuple[Demonstrations, np.ndarray]:
    """D-REX's ranked data: ``rollouts`` episodes of ``policy`` at each noise level, and their ranks
    (``-noise``: less noise ranks higher)."""
    parts, ranks = [], []
    for k, eps in enumerate(noise_levels):
        parts.append(collect_demonstrations(env_id, rollouts, policy=policy, seed=iteration_seed(seed, 500 + k),
                                            noise=float(eps), horizon=horizon))
        ranks += [-float(eps)] * rollouts
    return Demonstrations.concatenate(parts), np.asarray(ranks)


def train_drex(demos: Demonstrations, *, env_id: str | None = None, seed: int = 0,
               progress: Callable[[int, int, dict], None] | None = None, config: DREXConfig | None = None,
               checkpoint: Callable | None = None, **settings) -> tuple[ActorCritic, TREXHistory]:
    """D-REX: T-REX on noise-ranked rollouts of a BC clone of ``demos`` (no ranks needed), then PPO
    on the learned reward: ``(policy, history)`` (``history.ranked``: the ranked episodes)."""
    from .bc import train_bc

    where = "train_drex"
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"{where}: demos must be Demonstrations, got {type(demos).__name__}")
    seed = check_seed("seed", seed, where, TRAIN_SEED_MAX)
    check_training_data(demos, env_id, where)
    cfg = make_config(DREXConfig, config, where, **settings)
    clone, _ = train_bc(demos, seed=seed, epochs=cfg.bc_epochs_clone)
    ranked, ranks = noise_ranked_rollouts(clone, demos.env_id, cfg.noise_levels, cfg.rollouts, seed, cfg.horizon)
    if cfg.include_demos:
        ranked = Demonstrations.concatenate([ranked, demos.episodes(np.arange(demos.num_episodes))])
        ranks = np.concatenate([ranks, np.full(demos.num_episodes, 1.0)])
    hist = TREXHistory(config=cfg, ranks=ranks, ranked=ranked)
    hist.reward = fit_reward(ranked, ranks, cfg, seed, hist)
    return ppo_on_reward(demos, hist.reward, cfg, seed, hist, progress, checkpoint), hist


__all__ = ["TREXConfig", "DREXConfig", "RewardNet", "TREXHistory", "ranked_pairs", "trex_loss", "fit_reward",
           "ppo_on_reward", "return_correlation", "noise_ranked_rollouts", "train_trex", "train_drex"]
