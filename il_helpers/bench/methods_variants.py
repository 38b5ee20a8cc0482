"""Bench adapters of notebook 09's adversarial variants: ``vail`` (registered on import by
:mod:`il_helpers.bench`, into the one table of :mod:`.methods`)."""

from __future__ import annotations

from .methods import _adversarial, _continuous_state_env, method


@method("vail", check_env=_continuous_state_env("vail"), table="beyond_gail")
def _vail(args, demos):
    """VAIL (:func:`~il_helpers.algorithms.vail.train_vail`) with the bench's adversarial budget
    (that of ``gail``: the same iterations, curve and figures)."""
    from ..algorithms.vail import train_vail

    policy, extra = _adversarial(train_vail, args, demos)
    extra["beta"] = round(extra["history"].beta[-1], 5) if extra["history"].beta else None
    return policy, extra
