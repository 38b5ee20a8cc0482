"""Learning from suboptimal demonstrations: a mixed-quality dataset, and two ways to use it.

Real demonstrations come from demonstrators of varying skill. Plain BC imitates all of them
at once, so it learns something like their average. If each episode carries a quality score
(here its return), BC can lean towards the good ones:

* :func:`return_weights`: **return-weighted BC**. Every step of episode ``i`` gets the
  weight ``w_i ∝ exp(A_i / temperature)`` with ``A_i = (R_i - mean R) / std R``, the episode's
  standardized return (an episode-level advantage with the dataset's average as baseline).
  This is reward-weighted regression (Peters & Schaal, 2007) and advantage-weighted
  regression (Peng et al., 2019, "AWR"), with the Monte-Carlo episode return in place of a
  learned advantage. ``temperature -> inf`` gives plain BC, ``temperature -> 0`` only the
  best episode.
* :func:`top_k`: **filtered BC**. Keep the ``k`` episodes with the highest returns and run
  plain BC on them: the "%BC" baseline of Chen et al. (2021, Decision Transformer), also
  called filtered or top-k BC.

:func:`mixed_quality_demos` builds the dataset: the expert plus degraded demonstrators
(:func:`degraded_demonstrators`), each driving its own episodes, shuffled together. A
degraded demonstrator's labels are *its own* actions, since nobody relabels a human's data
with an expert: for a noisy expert the labels are the executed, noisy actions (unlike DART,
which keeps the expert's clean labels). Each episode's return is its quality score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..algorithms.bc import bc_loss, train_bc
from ..core.demonstrations import Demonstrations, collect_demonstrations
from ..core.evaluation import evaluate
from ..core.policies import Policy
from ..envs.registry import LANE_KEEPING, LANE_KEEPING_DISCRETE, check_env_id, get_expert


class LaneKeepingDriver(Policy):
    """The LaneKeeping expert's control law with knobs that make it worse.

    ``omega = feedforward * v * kappa - k_psi * psi - k_e * (e - offset)``, steering
    ``omega / omega_max`` clipped to [-1, 1] (rounded to right / straight / left for the
    discrete variant). ``feedforward=1, offset=0`` is the expert's law; ``feedforward=0``
    ignores the road's curvature and only reacts to errors (it drifts wide in every curve);
    ``offset=1.8`` keeps 1.8 m left of the centre line, 0.2 m from the edge.
    """

    def __init__(self, feedforward: float = 1.0, offset: float = 0.0, k_e: float = 0.1, k_psi: float = 2.0,
                 discrete: bool = False, name: str = "driver"):
        self.feedforward, self.offset, self.k_e, self.k_psi = feedforward, offset, k_e, k_psi
        self.discrete, self.name = discrete, name

    def act(self, obs: np.ndarray) -> np.ndarray:
        from ..envs.lane_keeping import DISCRETE_STEERING, OMEGA_MAX, SPEED

        e, psi, kappa = obs[:, 0], obs[:, 1], obs[:, 2]
        omega = self.feedforward * SPEED * kappa - self.k_psi * psi - self.k_e * (e - self.offset)
        u = np.clip(omega / OMEGA_MAX, -1.0, 1.0)
        if self.discrete:
            return np.abs(u[:, None] - DISCRETE_STEERING[None, :]).argmin(axis=1).astype(np.int64)
        return u[:, None].astype(np.float32)


@dataclass
class Demonstrator:
    """Who drives (``policy``, None = the expert), with how much action noise, and which
    actions become the labels: ``"executed"`` (what was done, noise included) or ``"expert"``
    (the expert's clean action at the visited state, DART-style)."""

    name: str
    policy: Policy | None = None
    noise: float = 0.0
    labels: str = "executed"
    description: str = ""


def degraded_demonstrators(env_id: str) -> list[Demonstrator]:
    """The expert and the degraded demonstrators used for ``env_id``'s mixed-quality data.

    Every environment gets a heavily noisy expert whose executed actions are the labels
    (LaneKeeping: noise 1.0, a steering noise with std as large as the half range [-1, 1];
    other environments: noise 0.5, see :func:`il_helpers.core.evaluation.perturb`). LaneKeeping
    also gets two *biased* drivers (:class:`LaneKeepingDriver`): one ignores the curvature
    preview, one hugs the left edge of the road.
    """
    env_id = check_env_id(env_id)
    out = [Demonstrator("expert", description="the expert"),
           Demonstrator("noisy expert", noise=1.0 if env_id == LANE_KEEPING else 0.5,
                        description="the expert with heavy action noise; the executed, noisy actions are the labels")]
    if env_id in (LANE_KEEPING, LANE_KEEPING_DISCRETE):
        discrete = env_id == LANE_KEEPING_DISCRETE
        out += [Demonstrator("no preview", LaneKeepingDriver(feedforward=0.0, discrete=discrete, name="no preview"),
                             description="ignores the road's curvature, corrects only its errors "
                                         "(drifts wide in curves)"),
                Demonstrator("edge hugger", LaneKeepingDriver(offset=1.8, discrete=discrete, name="edge hugger"),
                             description="keeps 1.8 m left of the centre line, 0.2 m from the edge")]
    return out


@dataclass
class MixedQuality:
    """A mixed-quality dataset: ``demos`` (episodes shuffled) and, per episode, who drove it."""

    demos: Demonstrations
    sources: np.ndarray  # (E,) demonstrator name of each episode
    demonstrators: list[Demonstrator]

    @property
    def returns(self) -> np.ndarray:
        """Each episode's return: its quality score."""
        return self.demos.episode_returns

    def table(self) -> list[tuple[str, int, float, float]]:
        """Rows ``(demonstrator, episodes, mean return, std return)``, in demonstrator order."""
        rows = []
        for d in self.demonstrators:
            r = self.returns[self.sources == d.name]
            if len(r):
                rows.append((d.name, int(len(r)), float(r.mean()), float(r.std())))
        return rows


def _collect(env_id: str, who: Demonstrator, n: int, seed: int, horizon: int | None) -> Demonstrations:
    expert = get_expert(env_id)
    policy = expert if who.policy is None else who.policy
    d = collect_demonstrations(env_id, n, policy=policy, seed=seed, noise=who.noise, horizon=horizon,
                               label_policy=expert if who.labels == "expert" else policy)
    if who.labels == "executed":
        d = Demonstrations(obs=d.obs, actions=d.taken.copy(), taken=d.taken, rewards=d.rewards, next_obs=d.next_obs,
                           terminated=d.terminated, episode_lengths=d.episode_lengths, env_id=env_id,
                           expert=who.name, meta=d.meta)
    elif who.labels != "expert":
        raise ValueError(f"Demonstrator.labels must be 'executed' or 'expert', got {who.labels!r}")
    return d


def mixed_quality_demos(env_id: str, n_per_demonstrator=4, seed: int = 0,
                        demonstrators: list[Demonstrator] | None = None, horizon: int | None = None) -> MixedQuality:
    """Each demonstrator drives ``n_per_demonstrator`` episodes (an int, or one int per
    demonstrator); the episodes are shuffled together (so that ties in return are broken at
    random, not in the expert's favour).

    Demonstrator ``j`` collects with the seed ``SeedSequence([seed, j])``, so its roads and
    initial states differ from the other demonstrators' and from any evaluation seed below
    ``2**31``. ``demonstrators`` defaults to :func:`degraded_demonstrators`.
    """
    env_id = check_env_id(env_id)
    demonstrators = degraded_demonstrators(env_id) if demonstrators is None else list(demonstrators)
    try:
        counts = np.broadcast_to(np.asarray(n_per_demonstrator), (len(demonstrators),))
    except ValueError:
        counts = np.zeros(0)
    if len(counts) != len(demonstrators) or counts.dtype.kind not in "iu" or counts.min() < 0 or counts.sum() < 1:
        raise ValueError("n_per_demonstrator must be an integer or one integer per demonstrator "
                         f"({len(demonstrators)}), >= 0 and not all 0, got {n_per_demonstrator!r}")
    parts, sources = [], []
    for j, (who, n) in enumerate(zip(demonstrators, counts)):
        if n == 0:
            continue
        sub_seed = int(np.random.SeedSequence([int(seed), j]).generate_state(1)[0]) + 2**31
        parts.append(_collect(env_id, who, int(n), sub_seed, horizon))
        sources += [who.name] * int(n)
    joined = Demonstrations.concatenate(parts)
    order = np.random.default_rng([int(seed), 7]).permutation(joined.num_episodes)
    shuffled = joined.episodes(order)
    demos = Demonstrations(**{k: getattr(shuffled, k) for k in ("obs", "actions", "taken", "rewards", "next_obs",
                                                                  "terminated", "episode_lengths")},
                           env_id=env_id, expert="mixed", meta={"seed": int(seed), "mixed_quality": True})
    return MixedQuality(demos=demos, sources=np.asarray(sources)[order], demonstrators=demonstrators)


def return_weights(demos: Demonstrations, temperature: float = 0.5) -> np.ndarray:
    """Per-step weights for return-weighted BC (see the module docstring), shape (N,), float32.

    ``w_i = exp((A_i - max A) / temperature)`` for episode ``i`` with ``A_i`` its standardized
    return, repeated over the episode's steps and scaled so the mean weight per step is 1
    (so the learning rate means the same as in plain BC). Equal returns give equal weights.
    """
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"return_weights: demos must be Demonstrations, got {type(demos).__name__}")
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"return_weights: temperature must be a positive number, got {temperature!r}")
    returns = demos.episode_returns
    spread = returns.std()
    adv = (returns - returns.mean()) / spread if spread > 0 else np.zeros_like(returns)
    w_episode = np.exp((adv - adv.max()) / temperature)
    w = w_episode[demos.episode_ids]
    return (w / w.mean()).astype(np.float32)


def top_k_episodes(demos: Demonstrations, k: int) -> np.ndarray:
    """Indices (ascending) of the ``k`` episodes with the highest returns (ties: earlier first)."""
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"top_k: demos must be Demonstrations, got {type(demos).__name__}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= demos.num_episodes:
        raise ValueError(f"top_k: k must be an integer between 1 and {demos.num_episodes} (the number of episodes), "
                         f"got {k!r}")
    order = np.argsort(-demos.episode_returns, kind="stable")
    return np.sort(order[: int(k)])


def top_k(demos: Demonstrations, k: int) -> Demonstrations:
    """Filtered BC's data: the ``k`` episodes with the highest returns (in their original order)."""
    return demos.episodes(top_k_episodes(demos, k))


# --------------------------------------------------------------------------------------------
# early stopping: the best validation epoch's weights against the last epoch's, one run
# --------------------------------------------------------------------------------------------


def first_patience_stop(val_loss, patience: int) -> int:
    """The epoch at which early stopping with ``patience`` would have stopped on this validation
    curve: the first epoch ``patience`` epochs past the best so far (the last epoch if never)."""
    v = np.asarray(val_loss, dtype=float)
    if v.ndim != 1 or len(v) == 0:
        raise ValueError("first_patience_stop: val_loss must be a non-empty 1-d sequence")
    if isinstance(patience, bool) or not isinstance(patience, (int, np.integer)) or patience < 1:
        raise ValueError(f"first_patience_stop: patience must be an integer >= 1, got {patience!r}")
    best_so_far = np.minimum.accumulate(v)
    last_best = np.array([int(np.flatnonzero(v[: e + 1] == best_so_far[e])[0]) for e in range(len(v))])
    stale = np.arange(len(v)) - last_best
    hits = np.flatnonzero(stale >= patience)
    return int(hits[0]) if len(hits) else len(v) - 1


def early_stopping_runs(demos: Demonstrations, seeds, epochs: int = 300, n_eval: int = 100,
                        patience: int = 5, eval_seed: int = 1000) -> list[dict]:
    """Notebook 02's early-stopping experiment: per seed, ONE least-squares BC run of ``epochs``
    epochs on ``demos`` (one episode in five held out for validation), and both of its candidates.

    * the **best epoch's** weights, those with the lowest validation loss (what ``train_bc`` keeps);
    * the **last epoch's** weights: the same run, repeated with ``val_frac=0`` on the same training
      episodes, so the same initial weights and minibatches (checked: the training losses agree).

    Each is scored on ``n_eval`` test episodes (seed ``eval_seed + seed``). Returns one dict per
    seed: ``seed``, ``best_epoch``, ``held_best`` / ``held_last`` (held-out MSE), ``score_best`` /
    ``score_last`` (normalized return), and ``stop_at`` / ``held_at_stop``: where early stopping
    with ``patience`` would have stopped on the same curve, and the best held-out loss by then.
    """
    rows = []
    for s in seeds:
        s = int(s)
        best_pol, curve = train_bc(demos, loss="mse", epochs=epochs, patience=epochs, seed=s)
        train_part, val_part = demos.split(val_frac=0.2, seed=s)
        last_pol, last_hist = train_bc(train_part, loss="mse", epochs=epochs, val_frac=0, seed=s)
        if not np.allclose(curve.train_loss, last_hist.train_loss, rtol=1e-3):
            raise RuntimeError("early_stopping_runs: the run without validation is not the same run")
        vo, va = torch.as_tensor(val_part.obs), torch.as_tensor(val_part.actions)
        with torch.no_grad():
            held_best = bc_loss(best_pol, vo, va).mean().item()
            held_last = bc_loss(last_pol, vo, va).mean().item()
        stop = first_patience_stop(curve.val_loss, patience)
        rows.append(dict(seed=s, best_epoch=int(curve.best_epoch), held_best=held_best, held_last=held_last,
                         stop_at=stop, held_at_stop=float(np.min(curve.val_loss[: stop + 1])),
                         score_best=evaluate(best_pol, demos.env_id, n_episodes=n_eval, seed=eval_seed + s).normalized,
                         score_last=evaluate(last_pol, demos.env_id, n_episodes=n_eval, seed=eval_seed + s).normalized,
                         val_loss=list(curve.val_loss), train_loss=list(curve.train_loss)))
    return rows
