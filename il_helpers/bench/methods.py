"""The one table of method adapters: ``METHODS[name] = (adapter, needs_demos)``.

An adapter ``(args, demos) -> (policy, extra)`` calls one trainer with the bench's budget
(``args.fast`` shrinks it; ``args.settings``, a dict of the trainer's settings, replaces it) and
returns the trained :class:`~il_helpers.core.policies.Policy` and a dict of method-specific
figures that the JSON line carries, plus ``extra["history"]``: the trainer's history (left out of
the JSON line). ``ENV_CHECKS[name](env_id)`` returns
None where the method applies, else the message the command line shows. ``TAUGHT_FAILURES[(name,
env_id)]`` says where the course shows that the method fails there, and why (the results table marks
those cells, so a failure the course teaches does not look like a bug). ``TABLES[name]`` is the README
results table the method's column goes in (``make results``): ``"main"`` for notebooks 00-07's methods,
one table per later notebook (``RESULT_TABLES``), so that a new notebook's methods add a table of their
own instead of widening the first one. ``demos`` are the
``--demos`` expert episodes (collected with ``seed + DEMO_SEED_OFFSET``, subsampled with
``--subsample``), None for a method that needs none. Notebook 07's comparison calls the same
adapters (:func:`train_method`), so a method is dispatched in this one place.
"""

from __future__ import annotations

import argparse
import math
from typing import Callable

import numpy as np
from gymnasium import spaces

from ..core.checks import TRAIN_SEED_MAX, check_int, check_seed
from ..core.demonstrations import collect_demonstrations
from ..core.policies import RandomPolicy
from ..core.seeding import DEMO_SEED_OFFSET
from ..envs.registry import ENV_IDS, LANE_KEEPING, OBSTACLE_FORK, env_spaces, get_expert

METHODS: dict[str, tuple[Callable, bool]] = {}
ENV_CHECKS: dict[str, Callable[[str], str | None]] = {}  # method -> env_id -> error message or None
TAUGHT_FAILURES: dict[tuple[str, str], str] = {}  # (method, env_id) -> the notebook that shows why it fails
# the README's results tables, in order: name -> what its methods are (the heading line under the table)
RESULT_TABLES: dict[str, str] = {
    "main": "notebooks 00-07",
    "imperfect": "notebook 08, imperfect demonstrations",
    "beyond_gail": "notebook 09, beyond GAIL",
}
TABLES: dict[str, str] = {}  # method -> the name of its results table (a key of RESULT_TABLES)


def method(name: str, needs_demos: bool = True, check_env: Callable[[str], str | None] | None = None,
           taught_failures: dict[str, str] | None = None, table: str = "main"):
    """Decorator: enter an adapter in the table under ``name``; ``taught_failures`` maps an env id
    where the course *teaches* that the method fails to the notebook and the reason; ``table``: the
    README results table of its column (a key of ``RESULT_TABLES``)."""
    if table not in RESULT_TABLES:
        raise ValueError(f"method {name!r}: unknown results table {table!r}; add it to RESULT_TABLES "
                         f"(bench/methods.py) or use one of {list(RESULT_TABLES)}")

    def deco(fn):
        METHODS[name] = (fn, needs_demos)
        TABLES[name] = table
        if check_env is not None:
            ENV_CHECKS[name] = check_env
        for env_id, why in (taught_failures or {}).items():
            TAUGHT_FAILURES[name, env_id] = why
        return fn

    return deco


def expert_demos(args):
    """The ``--demos`` expert episodes of ``args.env`` (seed ``args.seed + DEMO_SEED_OFFSET``)."""
    demos = collect_demonstrations(args.env, args.demos, seed=args.seed + DEMO_SEED_OFFSET)
    return demos.subsample(args.subsample, seed=args.seed) if args.subsample > 1 else demos


def bench_args(env_id: str, seed: int = 0, fast: bool = False, episodes: int = 100, settings: dict | None = None,
               **extra) -> argparse.Namespace:
    """The ``args`` an adapter reads, for a call from Python (notebook 07's comparison)."""
    seed = check_seed("seed", seed, "bench_args", TRAIN_SEED_MAX)
    episodes = check_int("episodes", episodes, 1, where="bench_args")
    return argparse.Namespace(env=env_id, seed=seed, fast=bool(fast), episodes=episodes, demos=None,
                              subsample=1, env_options={}, settings=dict(settings or {}), **extra)


def train_method(name: str, demos, env_id: str | None = None, seed: int = 0, fast: bool = False,
                 episodes: int = 100, settings: dict | None = None):
    """Run the adapter of ``name`` from Python: ``(policy, extra)``. ``settings`` (the trainer's
    keyword settings) replace the bench's budget; ``env_id`` defaults to the demonstrations'."""
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; choose one of: {', '.join(sorted(METHODS))}")
    env_id = env_id if env_id is not None else getattr(demos, "env_id", None)
    if env_id is None:
        raise ValueError(f"train_method({name!r}): give env_id (there are no demonstrations to take it from)")
    problem = ENV_CHECKS.get(name, lambda _: None)(env_id)
    if problem:
        raise ValueError(problem)
    return METHODS[name][0](bench_args(env_id, seed, fast, episodes, settings), demos)


def _budget(args, **defaults) -> dict:
    """The adapter's budget ``defaults`` with ``args.settings`` laid over them."""
    return {**defaults, **getattr(args, "settings", {})}


# -- env checks ------------------------------------------------------------------------------------

def _is_gridworld(env_id: str) -> bool:
    from ..envs.gridworlds import is_gridworld

    return is_gridworld(env_id)


def _gridworld_only(env_id: str) -> str | None:
    return None if _is_gridworld(env_id) else (
        "maxent_irl needs a tabular gridworld env (il_helpers/FeatureGrid-v0 or il_helpers/ObjectWorld-v0), "
        f"got {env_id!r}")


def _continuous_state_env(name: str):
    def check(env_id: str) -> str | None:
        if env_id in ENV_IDS or (name == "airl" and _is_gridworld(env_id)):
            return None
        return f"{name} runs on the course's environments with an expert ({', '.join(ENV_IDS)}), got {env_id!r}"
    return check


def _continuous_actions(env_id: str) -> str | None:
    if isinstance(env_spaces(env_id)[1], spaces.Box):
        return None
    return f"mdn, discretized, cvae and diffusion model continuous actions; {env_id!r} has discrete ones (use bc)"


#: the methods whose adapters take ``--chunk K`` / ``--execute`` (action chunking, notebook 06)
CHUNKED = ("bc", "mdn", "discretized", "cvae", "diffusion")


def _chunking(args) -> tuple[int, str]:
    """``(k, execute)`` of ``args`` (``--chunk``, ``--execute``; 1 and "open_loop" when absent)."""
    return getattr(args, "chunk", 1) or 1, getattr(args, "execute", None) or "open_loop"


def _train_chunked(args, demos, base: str, **budget):
    """The chunked version of ``base`` (``--chunk K`` > 1) with the method's own budget."""
    from ..algorithms.chunking import train_chunked

    k, execute = _chunking(args)
    if demos.discrete:
        raise ValueError(f"--chunk applies to continuous actions; {args.env!r} has discrete ones (use --chunk 1)")
    policy, hist = train_chunked(demos, seed=args.seed, **_budget(args, base=base, chunk=k, execute=execute,
                                                                  **budget))
    return policy, {"pairs": len(demos), "epochs": hist.epochs_run, "chunk": k, "execute": execute,
                    "select": policy.select, "hold": policy.hold, "history": hist}


# -- notebook 00: the references -------------------------------------------------------------------

@method("expert", needs_demos=False)
def _expert(args, demos):
    return get_expert(args.env), {}


@method("random", needs_demos=False)
def _random(args, demos):
    return RandomPolicy(env_spaces(args.env)[1], seed=args.seed), {}


# -- notebook 02: behavioral cloning ---------------------------------------------------------------

#: the bc method's budget in gradient steps (--fast: BC_STEPS_FAST), whatever the size of the data:
#: epochs = steps / minibatches per epoch, on every demonstration (no held-out episodes, no early stop).
#: A fixed 50 epochs with 20 % of the episodes held out and a 10-epoch patience gave 10 Pendulum
#: demonstrations about 300 steps and 10 FeatureGrid ones about 100: BC underfit there (normalized
#: 0.16-0.54 and -0.01, seeds 0-4), not because the data was too little.
BC_STEPS, BC_STEPS_FAST = 2000, 500


def bc_epochs(n_pairs: int, steps: int, batch_size: int) -> int:
    """The epochs that give ``steps`` minibatch steps on ``n_pairs`` pairs (at least 1)."""
    return max(1, math.ceil(steps / math.ceil(n_pairs / batch_size)))


@method("bc", taught_failures={OBSTACLE_FORK: "notebook 06: one Gaussian fitted to swerves both ways around the "
                                              "obstacle predicts their average and drives into it, or, where its fit "
                                              "tips to one side, always passes on that side: it never splits as the "
                                              "expert does",
                        "Pendulum-v1": "notebook 02: the expert arrives at the top on one path and then stands "
                                       "still, so 10 clean demonstrations never show the torque at a tilted, "
                                       "resting pendulum; some clones extrapolate too weak a correction and let "
                                       "it fall (the same BC on demonstrations with a little noise injected "
                                       "balances on every run)"})
def _bc(args, demos):
    """BC at a budget of ``BC_STEPS`` gradient steps (``BC_STEPS_FAST`` with --fast) on all the
    demonstrations; ``--chunk K``: least squares on chunks of K actions, the same budget."""
    from ..algorithms.bc import BCConfig, train_bc

    steps = BC_STEPS_FAST if args.fast else BC_STEPS
    epochs = bc_epochs(len(demos), steps, BCConfig.batch_size)
    budget = dict(epochs=epochs, val_frac=0.0, batch_size=BCConfig.batch_size)
    if _chunking(args)[0] > 1:  # least squares on chunks of k actions (BC's own budget)
        policy, extra = _train_chunked(args, demos, "mse", **budget, patience=epochs)
        return policy, {**extra, "steps": extra["epochs"] * math.ceil(len(demos) / BCConfig.batch_size)}
    policy, hist = train_bc(demos, seed=args.seed, **_budget(args, **budget))
    return policy, {"pairs": len(demos), "epochs": hist.epochs_run,
                    "steps": hist.epochs_run * math.ceil(len(demos) / hist.config.batch_size), "history": hist}


# -- notebook 03: DAgger ---------------------------------------------------------------------------

@method("dagger")
def _dagger(args, demos):
    """DAgger from the ``--demos`` expert episodes, 5 iterations of 2 episodes each (3 with --fast),
    the exponential schedule 0.5^i; its learner is the bc method's: every (re)fit trains on all the
    aggregated data for the epochs that give the demonstrations ``BC_STEPS`` minibatch steps
    (``BC_STEPS_FAST`` with --fast). With train_bc's validation split and 50 epochs it reached
    0.15-0.64 on FeatureGrid (seeds 0-4); with this budget 0.80-1.00."""
    from ..algorithms.bc import BCConfig
    from ..algorithms.dagger import train_dagger

    epochs = bc_epochs(len(demos), BC_STEPS_FAST if args.fast else BC_STEPS, BCConfig.batch_size)
    policy, h = train_dagger(demos, seed=args.seed, **_budget(
        args, iterations=3 if args.fast else 5, iteration_episodes=2, schedule=("exponential", 0.5),
        bc=BCConfig(epochs=epochs, val_frac=0.0),
        eval_episodes=0))  # the bench evaluates the final policy itself
    return policy, {"iterations": len(h) - 1, "labels_used": int(h.final.labels_used),
                    "pairs": len(h.data), "schedule": h.settings["schedule"], "history": h}


# -- notebook 04: MaxEnt IRL -----------------------------------------------------------------------

@method("maxent_irl", check_env=_gridworld_only)
def _maxent_irl(args, demos):
    from ..algorithms.maxent_irl import train_maxent_irl
    from ..envs.gridworlds import world_for
    from ..tabular.metrics import expected_value_difference, reward_correlation

    world = world_for(args.env)
    kind = "deep" if world.family == "ObjectWorld" else "linear"
    policy, hist = train_maxent_irl(demos, seed=args.seed, **_budget(
        args, reward=kind, steps=60 if args.fast else 200, eval_every=10_000))
    kind = hist.config.reward if isinstance(hist.config.reward, str) else type(hist.config.reward).__name__
    r = hist.reward
    ev = expected_value_difference(r, world.P, world.d0, world.horizon, world.r)
    return policy, {
        "evd": round(ev.evd, 6), "evd_relative": round(ev.relative, 6), "v_optimal": round(ev.v_optimal, 6),
        "reward_corr": round(reward_correlation(r, world.r), 6), "reward": kind, "steps": hist.steps,
        "log_likelihood": round(hist.log_likelihood[-1], 6), "history": hist}


# -- notebook 05: GAIL and AIRL --------------------------------------------------------------------

ADVERSARIAL_ITERATIONS, ADVERSARIAL_ITERATIONS_FAST = 40, 8


def _adversarial(train, args, demos):
    """GAIL or AIRL with the bench's budget; with ``--curve-episodes N`` (default 10; 0: off) the
    policy is also evaluated on N fixed episodes after every iteration, off the training clock
    (:class:`~il_helpers.bench.curve.LearningCurve`: did it hold the expert's level?)."""
    from .curve import LearningCurve

    episodes = getattr(args, "curve_episodes", 0)
    curve = LearningCurve(args.env, args.seed, episodes) if episodes else None
    policy, h = train(demos, seed=args.seed, checkpoint=curve, **_budget(
        args, iterations=ADVERSARIAL_ITERATIONS_FAST if args.fast else ADVERSARIAL_ITERATIONS))
    return policy, {"pairs": len(demos), "iterations": len(h.env_steps), "env_steps": h.env_steps[-1],
                    "d_expert": round(h.d_expert[-1], 4), "d_policy": round(h.d_policy[-1], 4),
                    **(curve.summary() if curve else {}), "history": h}


def _airl_tabular(args, demos):
    """State-only tabular AIRL on the demonstrations' counts (discounted, gamma 0.9) under the
    world's own dynamics; the policy is optimal (hard value iteration, the world's finite horizon)
    for the recovered ``g``."""
    from ..algorithms.airl_tabular import AIRLTabularConfig, train_airl_tabular
    from ..envs.gridworlds import world_for
    from ..lessons.gail_airl import transfer_score

    policy, hist = train_airl_tabular(demos, seed=args.seed, **_budget(
        args, state_only=True, steps=75 if args.fast else AIRLTabularConfig.steps))
    return policy, {
        "reward_corr": round(hist.reward_corr[-1], 6),
        "score_discounted": round(transfer_score(hist.reward, world_for(args.env)), 6),
        "d_expert": round(hist.d_expert[-1], 6), "d_policy": round(hist.d_policy[-1], 6), "steps": hist.steps,
        "gamma": hist.gamma, "reward": "state-only" if hist.config.state_only else "state-action", "history": hist}


@method("gail", check_env=_continuous_state_env("gail"))
def _gail(args, demos):
    from ..algorithms.gail import train_gail

    return _adversarial(train_gail, args, demos)


@method("airl", check_env=_continuous_state_env("airl"))
def _airl(args, demos):
    if _is_gridworld(args.env):
        return _airl_tabular(args, demos)
    from ..algorithms.airl import train_airl

    return _adversarial(train_airl, args, demos)


# -- notebook 06: multimodal policies --------------------------------------------------------------

def _multimodal(train, args, demos, **budget):
    """``train`` (a multimodal trainer) with notebook 06's budget (its fast one with --fast), the
    keyword ``budget`` laid over it."""
    from ..lessons.multimodal import TRAIN, TRAIN_FAST

    budget = {**(TRAIN_FAST if args.fast else TRAIN), **budget}
    policy, hist = train(demos, seed=args.seed, **_budget(args, **budget))
    return policy, {"pairs": len(demos), "epochs": hist.epochs_run, "select": policy.select, "hold": policy.hold,
                    "history": hist}


@method("mdn", check_env=_continuous_actions)
def _mdn(args, demos):
    from ..algorithms.mdn import train_mdn
    from ..lessons.multimodal import TRAIN, TRAIN_FAST

    if _chunking(args)[0] > 1:
        return _train_chunked(args, demos, "mdn", **(TRAIN_FAST if args.fast else TRAIN))
    return _multimodal(train_mdn, args, demos)


@method("discretized", check_env=_continuous_actions)
def _discretized(args, demos):
    from ..algorithms.discretized import train_discretized
    from ..lessons.multimodal import TRAIN, TRAIN_FAST

    if _chunking(args)[0] > 1:
        return _train_chunked(args, demos, "discretized", **(TRAIN_FAST if args.fast else TRAIN))
    return _multimodal(train_discretized, args, demos)


@method("cvae", check_env=_continuous_actions)
def _cvae(args, demos):
    from ..algorithms.cvae import train_cvae
    from ..lessons.multimodal import TRAIN, TRAIN_FAST

    if _chunking(args)[0] > 1:
        return _train_chunked(args, demos, "cvae", **(TRAIN_FAST if args.fast else TRAIN))
    return _multimodal(train_cvae, args, demos)


DIFFUSION_EPOCHS_FAST = 150  #: --fast: a diffusion policy needs more steps than the mixtures (see DiffusionConfig)


@method("diffusion", check_env=_continuous_actions)
def _diffusion(args, demos):
    """A diffusion policy at :class:`~il_helpers.algorithms.diffusion.DiffusionConfig`'s budget
    (``DIFFUSION_EPOCHS_FAST`` epochs with --fast); ``--chunk K``: chunks of K actions."""
    from ..algorithms.diffusion import DiffusionConfig, train_diffusion

    epochs = DIFFUSION_EPOCHS_FAST if args.fast else DiffusionConfig.epochs
    if _chunking(args)[0] > 1:
        return _train_chunked(args, demos, "diffusion", epochs=epochs, patience=epochs)
    return _multimodal(train_diffusion, args, demos, epochs=epochs, patience=epochs)


# -- notebook 08: imperfect demonstrations ---------------------------------------------------------

def _ranked_env(name: str):
    def check(env_id: str) -> str | None:
        if env_id in ENV_IDS:
            return None
        return f"{name} runs on the course's environments with an expert ({', '.join(ENV_IDS)}), got {env_id!r}"
    return check


def _reward_figures(hist) -> dict:
    return {"pairs": hist.config.pairs, "labels_flipped": hist.labels_flipped,
            "pair_accuracy": round(float(sum(hist.pair_accuracy[-50:]) / len(hist.pair_accuracy[-50:])), 4),
            "ranked_episodes": hist.ranked.num_episodes, "iterations": len(hist.env_steps),
            "env_steps": hist.env_steps[-1], "history": hist}


@method("trex", needs_demos=False, check_env=_ranked_env("trex"), table="imperfect")
def _trex(args, demos):
    """T-REX + PPO from ranked suboptimal demonstrations: notebook 02's degraded demonstrators without
    the expert (4 episodes each, seed + DEMO_SEED_OFFSET; the ``--demos`` expert episodes are not used:
    T-REX needs episodes of different quality), ranked by their snippets' returns."""
    from ..algorithms.trex import train_trex
    from ..lessons.behavioral_cloning import degraded_demonstrators, mixed_quality_demos

    who = [d for d in degraded_demonstrators(args.env) if d.name != "expert"]
    mq = mixed_quality_demos(args.env, 8 if args.env in (LANE_KEEPING,) else 4, seed=args.seed + DEMO_SEED_OFFSET,
                             demonstrators=who)
    fast = dict(pairs=1000, steps=300, iterations=10) if args.fast else {}
    # where every step earns the same reward (CartPole's +1, MountainCar's -1), equal-length snippets all
    # tie: rank them by their episodes' returns instead (the T-REX paper's ranking)
    rank_by = "episode" if float(np.ptp(mq.demos.rewards)) == 0.0 else "snippet"
    policy, hist = train_trex(mq.demos, seed=args.seed, **_budget(args, rank_by=rank_by, **fast))
    best = max(float(mq.returns[mq.sources == d.name].mean()) for d in who)
    return policy, {"best_demonstrator_return": round(best, 3), "rank_by": rank_by, **_reward_figures(hist)}


@method("drex", check_env=_ranked_env("drex"), table="imperfect")
def _drex(args, demos):
    """D-REX + PPO from the ``--demos`` episodes: a BC clone rolled out at 5 noise levels, ranked by noise."""
    from ..algorithms.trex import train_drex

    fast = dict(pairs=1000, steps=300, iterations=10, rollouts=2, bc_epochs_clone=20) if args.fast else {}
    policy, hist = train_drex(demos, seed=args.seed, **_budget(args, rank_by="episode", **fast))
    return policy, _reward_figures(hist)


@method("self_improve", check_env=_ranked_env("self_improve"), table="imperfect")
def _self_improve(args, demos):
    """The self-improvement loop from the ``--demos`` episodes (5 rounds; 2 rounds of 64 attempts with --fast)."""
    from ..algorithms.bc import BCConfig
    from ..algorithms.self_improve import train_self_improve

    fast = dict(rounds=2, rollouts=64, bc=BCConfig(epochs=20)) if args.fast else {}
    policy, hist = train_self_improve(demos, seed=args.seed, **_budget(args, **fast))
    return policy, {"rounds": len(hist.policies) - 1, "kept_episodes": hist.kept_episodes[-1],
                    "attempt_return": round(hist.attempt_return[-1], 3), "history": hist}


@method("preferences", needs_demos=False, check_env=_ranked_env("preferences"), table="imperfect")
def _preferences(args, demos):
    """Preference comparisons + PPO: a synthetic oracle's answers on pairs of clips of the agent's own
    episodes (500 comparisons, 40 PPO iterations; 100 and 8 with --fast); no demonstrations."""
    from ..algorithms.preferences import train_preferences

    fast = dict(comparisons=100, iterations=8) if args.fast else {}
    policy, hist = train_preferences(env_id=args.env, seed=args.seed, **_budget(args, **fast))
    return policy, {"comparisons": hist.labels_used[-1], "ties": hist.ties, "labels_flipped": hist.labels_flipped,
                    "pair_accuracy": round(float(sum(hist.pair_accuracy[-50:]) / len(hist.pair_accuracy[-50:])), 4),
                    "iterations": len(hist.env_steps), "env_steps": hist.env_steps[-1], "history": hist}
