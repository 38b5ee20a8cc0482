"""The one trainer contract (il_helpers' docstring), checked over every trainer of the package:

    policy, history = train_X(demos, *, env_id=None, seed=0, progress=None, config=None, **settings)

- the signature, and a configuration dataclass whose fields the keyword settings replace;
- an unknown setting is refused with the list of the ones that exist;
- ``progress(done, total, info)`` after each unit of work, counting from 1;
- a Policy that ``evaluate`` accepts as it is, and a history that carries the configuration;
- the same seed gives the same policy; no global RNG is touched.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import random

import numpy as np
import pytest
import torch

import il_helpers as il
import il_helpers.algorithms as algorithms
from il_helpers.envs.gridworlds import gridworld_id

GRID = gridworld_id("FeatureGrid", size=6, world_seed=0)
BC_TINY = il.BCConfig(epochs=2)
TINY_PPO = il.PPOConfig(n_envs=2, epochs=1)
#: every trainer: (the env its demonstrations come from, the settings of a tiny budget)
TRAINERS = {
    "bc.train_bc": ("CartPole-v1", {"epochs": 2}),
    "ensemble.train_bc_ensemble": ("CartPole-v1", {"n_members": 2, "bc": BC_TINY}),
    "dagger.train_dagger": ("CartPole-v1", {"iterations": 1, "iteration_episodes": 1, "bc": BC_TINY,
                                            "eval_episodes": 0}),
    "dagger_variants.train_safe_dagger": ("CartPole-v1", {"iterations": 1, "iteration_episodes": 1, "bc": BC_TINY,
                                                          "eval_episodes": 0}),
    "dagger_variants.train_hg_dagger": ("il_helpers/LaneKeeping-v0", {"iterations": 1, "iteration_episodes": 1,
                                                                      "bc": BC_TINY, "eval_episodes": 0}),
    "dagger_variants.train_selective_dagger": ("CartPole-v1", {"iterations": 1, "iteration_episodes": 1,
                                                               "n_members": 2, "bc": BC_TINY, "eval_episodes": 0}),
    "maxent_irl.train_maxent_irl": (GRID, {"steps": 3}),
    "airl_tabular.train_airl_tabular": (GRID, {"steps": 3}),
    "ppo.train_ppo": ("CartPole-v1", {"iterations": 1, "n_envs": 2, "epochs": 1}),
    "gail.train_gail": ("CartPole-v1", {"iterations": 1, "ppo": TINY_PPO}),
    "airl.train_airl": ("CartPole-v1", {"iterations": 1, "ppo": TINY_PPO}),
    "vail.train_vail": ("CartPole-v1", {"iterations": 1, "ppo": TINY_PPO}),
    "gaifo.train_gaifo": ("CartPole-v1", {"iterations": 1, "ppo": TINY_PPO}),
    "infogail.train_infogail": ("il_helpers/ObstacleFork-v0", {"iterations": 1, "bc_epochs": 1, "ppo": TINY_PPO}),
    "sqil.train_sqil": ("CartPole-v1", {"iterations": 1, "n_envs": 2, "updates": 3}),
    "bco.train_bco": ("CartPole-v1", {"pre_episodes": 2, "alpha_rounds": 1, "alpha_episodes": 1, "idm_steps": 20,
                                      "bc": BC_TINY}),
    "mdn.train_mdn": ("il_helpers/ObstacleFork-v0", {"epochs": 2}),
    "discretized.train_discretized": ("il_helpers/ObstacleFork-v0", {"epochs": 2}),
    "cvae.train_cvae": ("il_helpers/ObstacleFork-v0", {"epochs": 2}),
    "diffusion.train_diffusion": ("il_helpers/ObstacleFork-v0", {"epochs": 2, "patience": 2}),
    "chunking.train_chunked": ("il_helpers/ObstacleFork-v0", {"epochs": 2, "chunk": 3}),
    # Pendulum: its expert's episodes differ in return, so there is something to rank
    "trex.train_trex": ("Pendulum-v1", {"pairs": 50, "steps": 3, "iterations": 1, "ppo": TINY_PPO}),
    "trex.train_drex": ("Pendulum-v1", {"pairs": 50, "steps": 3, "iterations": 1, "ppo": TINY_PPO,
                                        "noise_levels": (0.0, 1.0), "rollouts": 1, "bc_epochs_clone": 1}),
    "preferences.train_preferences": ("CartPole-v1", {"comparisons": 8, "iterations": 2, "reward_steps": 2,
                                                      "ppo": TINY_PPO}),
    "self_improve.train_self_improve": ("Pendulum-v1", {"rounds": 1, "rollouts": 4, "attempts": 2, "bc": BC_TINY}),
}


def _all_trainers() -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules(algorithms.__path__):
        module = importlib.import_module(f"il_helpers.algorithms.{info.name}")
        for name, fn in vars(module).items():
            if name.startswith("train_") and inspect.isfunction(fn) and fn.__module__ == module.__name__:
                found[f"{info.name}.{name}"] = fn
    return found


ALL = _all_trainers()


def test_the_table_lists_every_trainer_of_the_package():
    assert set(ALL) == set(TRAINERS), "a trainer was added or renamed: give it a row in TRAINERS"


@pytest.fixture(scope="module")
def demos():
    return {env_id: il.collect_demonstrations(env_id, 3, seed=1) for env_id in {e for e, _ in TRAINERS.values()}}


@pytest.mark.parametrize("name", sorted(TRAINERS))
def test_signature(name):
    params = inspect.signature(ALL[name]).parameters
    first = next(iter(params.values()))
    assert first.name == "demos" and first.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    for keyword, default in (("env_id", None), ("seed", 0), ("progress", None), ("config", None)):
        assert params[keyword].kind is inspect.Parameter.KEYWORD_ONLY, (name, keyword)
        assert params[keyword].default == default, (name, keyword)
    assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()), f"{name} takes no **settings"


def _rng_states():
    return torch.get_rng_state().clone(), np.random.get_state()[1].copy(), random.getstate()


@pytest.mark.parametrize("name", sorted(TRAINERS))
def test_contract(name, demos):
    env_id, settings = TRAINERS[name]
    train, data = ALL[name], demos[env_id]
    calls = []
    before = _rng_states()
    policy, history = train(data, seed=3, progress=lambda done, total, info: calls.append((done, total, info)),
                            **settings)
    after = _rng_states()
    assert torch.equal(before[0], after[0]) and np.array_equal(before[1], after[1]) and before[2] == after[2], \
        f"{name} changed a global random generator"
    # progress: one signature, counted from 1 up to at most the total
    assert calls, f"{name} never called progress"
    dones = [c[0] for c in calls]
    assert dones == list(range(1, len(calls) + 1)), (name, dones)
    assert all(isinstance(total, int) and done <= total and isinstance(info, dict) for done, total, info in calls)
    # the policy: evaluate takes it as it is
    assert isinstance(policy, il.Policy)
    res = il.evaluate(policy, env_id, n_episodes=2, seed=0)
    assert np.isfinite(res.return_mean)
    # the history carries the configuration, a dataclass whose fields are the settings
    config = history.config
    assert dataclasses.is_dataclass(config), f"{name}: history.config is {type(config).__name__}"
    fields = {f.name for f in dataclasses.fields(config)}
    assert set(settings) <= fields, (name, set(settings) - fields)
    for key, value in settings.items():
        assert getattr(config, key) == value, (name, key)
    # the same seed, the same policy (its actions on the demonstrations' states)
    again, _ = train(data, seed=3, config=config)
    if hasattr(policy, "reset"):
        policy.reset(16, seed=0)
        again.reset(16, seed=0)
    np.testing.assert_array_equal(policy(data.obs[:16]), again(data.obs[:16]))
    with pytest.raises(TypeError, match="unknown setting"):
        train(data, seed=3, no_such_setting=1)
