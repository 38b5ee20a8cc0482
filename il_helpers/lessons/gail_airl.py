"""Notebook 05's tabular lesson: does an AIRL reward transfer to new dynamics? (Fu et al. 2018,
section 7.1, where a tabular reward was re-optimized under a newly drawn transition matrix.)

:func:`~il_helpers.envs.gridworlds.changed_dynamics` relabels what the actions do (``"reverse"``,
the default: up moves down, left moves right; ``"rotate"``: the controls turn 90 degrees;
``"shuffle"``: every cell gets its own random relabeling of the 5 moves), optionally with new
wind. A relabeling leaves the set of cells reachable from each cell unchanged, so the *task* is
exactly as easy as before (the expert re-optimized on the true reward earns exactly its old
value) and only a reward that is tied to action labels can fail. (A change of wind alone is a
weak test: the expert's buttons still point the right way, so even a reward that only says
"press the expert's buttons" keeps working.) :func:`transfer_score` re-optimizes a reward there
(soft-optimal policy), evaluates the policy with the true reward, and normalizes: 0 = uniform
random policy, 1 = the soft-optimal expert re-optimized on the true reward in the new dynamics.
:func:`transfer_experiment` runs it over several worlds; measured on five 8x8 FeatureGrids
(wind 0 for training): the state-only reward scores 1.00 on the training dynamics and 1.00 with
reversed controls, the state-action reward 1.00 and -0.10 to 0.18.

:func:`few_demonstrations` is the section before it: Ho & Ermon's CartPole table (BC against GAIL
from 1, 4, 7 or 10 expert trajectories subsampled with
:data:`~il_helpers.core.demonstrations.HO_ERMON_SUBSAMPLE`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from ..algorithms.airl_tabular import AIRLTabularConfig, AIRLTabularHistory, train_airl_tabular
from ..algorithms.bc import train_bc
from ..algorithms.gail import train_gail
from ..core.demonstrations import HO_ERMON_SUBSAMPLE, Demonstrations
from ..core.evaluation import evaluate
from ..core.nets import one_thread
from ..core.seeding import EVAL_SEED_OFFSET
from ..envs.gridworlds import changed_dynamics, make_world
from ..tabular.mdp import as_transitions, reward_table
from ..tabular.solvers import DEFAULT_GAMMA, check_gamma, policy_return, soft_policy


@one_thread
def transfer_score(reward, world, new_P=None, gamma: float = DEFAULT_GAMMA) -> float:
    """How well a reward does when re-optimized under dynamics ``new_P`` (default: the world's own,
    the training dynamics).

    The soft-optimal policy for ``reward`` under ``new_P``
    (:func:`~il_helpers.tabular.solvers.soft_policy`) is evaluated with the world's **true** reward
    under ``new_P`` (discounted return from ``world.d0``) and normalized:
    ``(J(pi) - J(random)) / (J(expert) - J(random))``, where random is the uniform policy and
    expert the soft-optimal policy for the true reward under ``new_P``. So 0 = random, 1 = the
    expert re-optimized in the new dynamics (a policy greedier than the expert can score above 1).
    ``reward``: (S,) or (S, A); ``new_P``: :class:`~il_helpers.tabular.mdp.Transitions` or a dense
    (S, A, S) array, e.g. from :func:`~il_helpers.envs.gridworlds.changed_dynamics`.
    """
    gamma = check_gamma(gamma)
    P = as_transitions(world.P if new_P is None else new_P)
    S, A = P.n_states, P.n_actions
    r = reward_table(reward, S, A)
    pi, _ = soft_policy(r, P, gamma)
    pi_e, _ = soft_policy(world.r, P, gamma)
    uniform = torch.full((S, A), 1.0 / A, dtype=torch.float64)
    j, j_e, j_0 = (policy_return(p, world.r, P, world.d0, gamma) for p in (pi, pi_e, uniform))
    return (j - j_0) / (j_e - j_0)


@dataclass
class TransferExperiment:
    """Section 7.1's experiment over several worlds: train a state-only and a state-action AIRL
    reward on each world's training dynamics, re-optimize both under the training dynamics and
    under :func:`~il_helpers.envs.gridworlds.changed_dynamics`, and score them (:func:`transfer_score`).

    ``scores[kind][dynamics]``: one score per world seed, ``kind`` in ``("state-only",
    "state-action")``, ``dynamics`` in ``("training", change)``; ``reward_corr[kind]``: the
    correlation of ``g`` with the true reward; ``results[kind]``: the
    :class:`~il_helpers.algorithms.airl_tabular.AIRLTabularHistory` of each seed (``.reward`` is ``g``).
    """

    world_seeds: list[int]
    change: str
    worlds: list
    scores: dict[str, dict[str, np.ndarray]]
    reward_corr: dict[str, np.ndarray]
    results: dict[str, list[AIRLTabularHistory]]
    wall_s: float = 0.0

    KINDS = ("state-only", "state-action")

    def table(self) -> str:
        """One line per world seed: the scores of both rewards on both dynamics."""
        lines = [f"{'world seed':>10s}  " + "  ".join(f"{k + ', ' + d:>26s}" for k in self.KINDS
                                                     for d in ("training", self.change))]
        for i, seed in enumerate(self.world_seeds):
            lines.append(f"{seed:>10d}  " + "  ".join(f"{self.scores[k][d][i]:26.3f}" for k in self.KINDS
                                                     for d in ("training", self.change)))
        lines.append(f"{'mean':>10s}  " + "  ".join(f"{self.scores[k][d].mean():26.3f}" for k in self.KINDS
                                                   for d in ("training", self.change)))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"TransferExperiment({len(self.world_seeds)} worlds, change={self.change!r}, {self.wall_s:.1f} s)\n"
                + self.table())


def transfer_experiment(world_seeds=(0, 1, 2, 3, 4), size: int = 8, change: str = "reverse", *,
                        family: str = "FeatureGrid", wind: float = 0.0, new_wind: float | None = None,
                        gamma: float = DEFAULT_GAMMA, seed: int = 0, config: AIRLTabularConfig | None = None,
                        **settings) -> TransferExperiment:
    """Run the transfer experiment on ``family`` worlds of ``size`` x ``size`` (one per seed).

    Training dynamics: the world with ``wind`` (0: deterministic, where AIRL's theorem holds);
    new dynamics: ``changed_dynamics(world, change, wind=new_wind)``. ``seed``, ``config`` and
    ``settings`` go to :func:`~il_helpers.algorithms.airl_tabular.train_airl_tabular` (``steps``,
    ``lr``, ...), which learns from the expert's exact occupancy.
    """
    t0 = time.perf_counter()
    seeds = [int(s) for s in world_seeds]
    if not seeds:
        raise ValueError("world_seeds must name at least one world")
    worlds = [make_world(family, size=size, world_seed=s, wind=wind) for s in seeds]
    kinds = TransferExperiment.KINDS
    scores = {k: {"training": [], change: []} for k in kinds}
    corr = {k: [] for k in kinds}
    results = {k: [] for k in kinds}
    for w in worlds:
        P_new = changed_dynamics(w, change, wind=new_wind)
        for kind in kinds:
            _, hist = train_airl_tabular(None, env_id=w.env_id, seed=seed, config=config,
                                         state_only=kind == "state-only", gamma=gamma, **settings)
            results[kind].append(hist)
            corr[kind].append(hist.reward_corr[-1])
            scores[kind]["training"].append(transfer_score(hist.reward, w, gamma=gamma))
            scores[kind][change].append(transfer_score(hist.reward, w, P_new, gamma=gamma))
    return TransferExperiment(
        world_seeds=seeds, change=change, worlds=worlds,
        scores={k: {d: np.asarray(v) for d, v in scores[k].items()} for k in kinds},
        reward_corr={k: np.asarray(v) for k, v in corr.items()}, results=results,
        wall_s=time.perf_counter() - t0)


def few_demonstrations(full: Demonstrations, sizes, seeds, *, iterations: int, eval_episodes: int,
                       every: int = HO_ERMON_SUBSAMPLE, eval_seed: int = EVAL_SEED_OFFSET) -> dict:
    """Ho & Ermon's (2016) CartPole table: BC against GAIL from few subsampled expert trajectories.

    For each ``n`` in ``sizes`` the first ``n`` episodes of ``full`` are subsampled (every
    ``every``-th pair from a random offset, :meth:`Demonstrations.subsample`); BC and GAIL
    (``iterations`` generator iterations) are trained on the same pairs with each training seed
    and scored by the normalized return over ``eval_episodes`` test episodes (seed ``eval_seed +
    seed``). ``seeds``: a list of training seeds for every size, or a dict ``{n: seeds}``.

    Returns ``{"BC": {n: scores}, "GAIL": {n: scores}, "pairs": {n: number of pairs}}`` with one
    score per seed (numpy arrays, in the order of the seeds).
    """
    sizes = [int(n) for n in sizes]
    if not sizes:
        raise ValueError("few_demonstrations: sizes must name at least one number of trajectories")
    seeds_of = {n: list(seeds[n]) for n in sizes} if isinstance(seeds, dict) else {n: list(seeds) for n in sizes}
    if any(not s for s in seeds_of.values()):
        raise ValueError("few_demonstrations: every size needs at least one seed")
    out = {"BC": {}, "GAIL": {}, "pairs": {}}
    for n in sizes:
        demos = full.first(n).subsample(every)
        out["pairs"][n] = len(demos)
        for method in ("BC", "GAIL"):
            out[method][n] = []
        for seed in seeds_of[n]:
            bc_policy, _ = train_bc(demos, seed=seed)
            gail_policy, _ = train_gail(demos, iterations=iterations, seed=seed)
            for method, policy in (("BC", bc_policy), ("GAIL", gail_policy)):
                score = evaluate(policy, full.env_id, eval_episodes, seed=eval_seed + seed).normalized
                out[method][n].append(score)
        for method in ("BC", "GAIL"):
            out[method][n] = np.asarray(out[method][n])
    return out
