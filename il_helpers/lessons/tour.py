"""Notebook 00's measurement: what noise injection does to demonstrations, over several seeds."""

from __future__ import annotations

import numpy as np

from ..core.demonstrations import collect_demonstrations


def noise_spread(env_id: str, seeds, *, n_episodes: int = 5, noise: float = 0.3, dim: int = 0) -> dict:
    """Clean and noise-injected demonstrations collected with the same seeds: per seed, the
    standard deviation of observation ``dim`` (on LaneKeeping, ``dim=0`` is the lateral offset
    ``e``) and the mean ``|taken - label|`` (the executed action against the expert's label).

    Returns ``{"clean_std", "noisy_std", "noisy_gap", "clean_gap"}``, numpy arrays with one value
    per seed (``clean_gap`` is 0: without noise the executed action is the label).
    """
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("noise_spread: seeds must name at least one seed")
    out = {"clean_std": [], "noisy_std": [], "clean_gap": [], "noisy_gap": []}
    for seed in seeds:
        for kind, level in (("clean", 0.0), ("noisy", noise)):
            d = collect_demonstrations(env_id, n_episodes=n_episodes, seed=seed, noise=level)
            out[f"{kind}_std"].append(float(d.obs[:, dim].std()))
            out[f"{kind}_gap"].append(float(np.abs(np.asarray(d.taken, float) - np.asarray(d.actions, float)).mean()))
    return {k: np.asarray(v) for k, v in out.items()}
