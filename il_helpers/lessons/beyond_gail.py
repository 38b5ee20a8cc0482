"""Notebook 09's experiments: imitation without actions, across bodies, and GAIL's variants.

* :func:`stability_study`: the 10-seed study of ``benchmarks/gail_stability.py`` (plain GAIL, GAIL +
  gradient penalty, GAIL + spectral norm and VAIL on the same demonstrations and budget), read from
  the JSON it wrote: 40 runs of about 20 s each are too long for a notebook cell, so the notebook
  shows the committed measurement and names the command that makes it.
"""

from __future__ import annotations

import json
from pathlib import Path

STABILITY_JSON = Path(__file__).resolve().parents[2] / "benchmarks" / "gail_stability.json"
STABILITY_COMMAND = "python benchmarks/gail_stability.py --seeds 10 --iterations 40"
_STUDY_KEYS = ("env", "seeds", "iterations", "threshold", "variants", "rows", "summary")


def stability_study(path: str | Path = STABILITY_JSON) -> dict:
    """The stability study's JSON (``benchmarks/gail_stability.py``): its settings, one row per
    (variant, seed) with the final normalized score and the learning curve, and per variant the
    seeds reaching the expert, the mean, the worst and the variance of the final score."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"stability_study: no {path}; make it with `{STABILITY_COMMAND}` "
                                f"(about 6 minutes on 2 cores)")
    try:
        study = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"stability_study: {path} is not valid JSON ({err}); remake it with "
                         f"`{STABILITY_COMMAND}`") from err
    missing = [k for k in _STUDY_KEYS if not isinstance(study, dict) or k not in study]
    if missing:
        raise ValueError(f"stability_study: {path} lacks {missing}; remake it with `{STABILITY_COMMAND}`")
    return study


def seeds_reaching(study: dict, variant: str) -> list[int]:
    """The seeds on which ``variant`` reached the expert (normalized >= the study's threshold)."""
    if variant not in study["variants"]:
        raise ValueError(f"seeds_reaching: no variant {variant!r} in the study; it has {list(study['variants'])}")
    return [r["seed"] for r in study["rows"] if r["variant"] == variant and r["normalized"] >= study["threshold"]]
