"""Bench adapters of notebook 09's methods: the adversarial variants ``vail`` and ``infogail``, learning from
observation (``bco``, ``gaifo``) and ``sqil`` (registered on import by :mod:`il_helpers.bench`,
into the one table of :mod:`.methods`)."""

from __future__ import annotations

from .methods import BC_STEPS, BC_STEPS_FAST, _adversarial, _budget, _continuous_state_env, bc_epochs, method

INFOGAIL_ITERATIONS_FAST = 60


@method("vail", check_env=_continuous_state_env("vail"), table="beyond_gail")
def _vail(args, demos):
    """VAIL (:func:`~il_helpers.algorithms.vail.train_vail`) with the bench's adversarial budget
    (that of ``gail``: the same iterations, curve and figures)."""
    from ..algorithms.vail import train_vail

    policy, extra = _adversarial(train_vail, args, demos)
    extra["beta"] = round(extra["history"].beta[-1], 5) if extra["history"].beta else None
    return policy, extra


def _fork_only(env_id: str) -> str | None:
    from ..envs.registry import OBSTACLE_FORK

    if env_id == OBSTACLE_FORK:
        return None
    return (f"infogail's latent code names a mode of the expert's behaviour; the course's task with two modes is "
            f"{OBSTACLE_FORK} (two sides of the obstacle), got {env_id!r}")


@method("infogail", check_env=_fork_only, table="beyond_gail")
def _infogail(args, demos):
    """InfoGAIL (:func:`~il_helpers.algorithms.infogail.train_infogail`) at its defaults (two codes, its
    own budget of 200 iterations; 60 with --fast). The policy drives row ``i`` with code ``i mod 2``; the
    extras give each code's success and left share on the bench's evaluation episodes (the code chooses
    the side) and the bound's estimate."""
    from ..algorithms.infogail import train_infogail
    from ..core.rollout import rollout
    from ..core.seeding import EVAL_SEED_OFFSET
    from ..lessons.multimodal import fork_stats

    policy, h = train_infogail(demos, seed=args.seed, **_budget(
        args, **(dict(iterations=INFOGAIL_ITERATIONS_FAST) if args.fast else {})))
    per_code = [fork_stats(rollout(policy.with_code(c), args.env, args.episodes, seed=args.seed + EVAL_SEED_OFFSET))
                for c in range(policy.k)]
    return policy, {"pairs": len(demos), "iterations": len(h.env_steps), "env_steps": h.env_steps[-1],
                    "codes": policy.k, "info": round(h.info[-1], 4),
                    "code_success": [round(s["success_rate"], 4) for s in per_code],
                    "code_left_share": [round(s["left_share"], 4) for s in per_code], "history": h}


# -- learning from observation: the demonstrations' states only ------------------------------------

@method("bco", check_env=_continuous_state_env("bco"), table="beyond_gail")
def _bco(args, demos):
    """BCO(alpha) (:func:`~il_helpers.algorithms.bco.train_bco`) from the demonstrations' states:
    its defaults (20 random episodes, 2 alpha rounds of 10), the final BC fit at the bc method's
    budget (``BC_STEPS`` minibatch steps; with --fast ``BC_STEPS_FAST``, 1 round, 500 model steps)."""
    from ..algorithms.bc import BCConfig
    from ..algorithms.bco import train_bco

    steps = BC_STEPS_FAST if args.fast else BC_STEPS
    bc = BCConfig(epochs=bc_epochs(len(demos), steps, BCConfig.batch_size), val_frac=0.0)
    fast = dict(alpha_rounds=1, idm_steps=500) if args.fast else {}
    policy, h = train_bco(demos, seed=args.seed, **_budget(args, bc=bc, **fast))
    return policy, {"pairs": len(demos), "rounds": len(h.env_steps) - 1, "env_steps": h.env_steps[-1],
                    "idm_loss": round(h.idm_loss[-1], 5), "history": h}


@method("gaifo", check_env=_continuous_state_env("gaifo"), table="beyond_gail")
def _gaifo(args, demos):
    """GAIfO (:func:`~il_helpers.algorithms.gaifo.train_gaifo`) with the bench's adversarial budget
    (that of ``gail``: the same iterations, curve and figures), from the demonstrations' states."""
    from ..algorithms.gaifo import train_gaifo

    return _adversarial(train_gaifo, args, demos)


def _discrete_env(env_id: str) -> str | None:
    from gymnasium import spaces

    from ..envs.registry import ENV_IDS, env_spaces

    if env_id in ENV_IDS and isinstance(env_spaces(env_id)[1], spaces.Discrete):
        return None
    return (f"sqil is soft Q-learning over discrete actions; it runs on the course's environments with an expert "
            f"and discrete actions (e.g. CartPole-v1, il_helpers/LaneKeepingDiscrete-v0), got {env_id!r}")


@method("sqil", check_env=_discrete_env, table="beyond_gail")
def _sqil(args, demos):
    """SQIL (:func:`~il_helpers.algorithms.sqil.train_sqil`) at its defaults (20 iterations of 4
    episodes and 250 updates; 6 iterations with --fast)."""
    from ..algorithms.sqil import train_sqil

    fast = dict(iterations=6) if args.fast else {}
    policy, h = train_sqil(demos, seed=args.seed, **_budget(args, **fast))
    return policy, {"pairs": len(demos), "iterations": len(h.env_steps), "env_steps": h.env_steps[-1],
                    "q_expert": round(h.q_expert[-1], 4), "q_agent": round(h.q_agent[-1], 4), "history": h}
