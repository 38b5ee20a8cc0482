"""Bench adapters of notebook 09's methods: the adversarial variant ``vail``, learning from
observation (``bco``, ``gaifo``) and ``sqil`` (registered on import by :mod:`il_helpers.bench`,
into the one table of :mod:`.methods`)."""

from __future__ import annotations

from .methods import BC_STEPS, BC_STEPS_FAST, _adversarial, _budget, _continuous_state_env, bc_epochs, method


@method("vail", check_env=_continuous_state_env("vail"))
def _vail(args, demos):
    """VAIL (:func:`~il_helpers.algorithms.vail.train_vail`) with the bench's adversarial budget
    (that of ``gail``: the same iterations, curve and figures)."""
    from ..algorithms.vail import train_vail

    policy, extra = _adversarial(train_vail, args, demos)
    extra["beta"] = round(extra["history"].beta[-1], 5) if extra["history"].beta else None
    return policy, extra


# -- learning from observation: the demonstrations' states only ------------------------------------

@method("bco", check_env=_continuous_state_env("bco"))
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


@method("gaifo", check_env=_continuous_state_env("gaifo"))
def _gaifo(args, demos):
    """GAIfO (:func:`~il_helpers.algorithms.gaifo.train_gaifo`) with the bench's adversarial budget
    (that of ``gail``: the same iterations, curve and figures), from the demonstrations' states."""
    from ..algorithms.gaifo import train_gaifo

    return _adversarial(train_gaifo, args, demos)

