"""The environment registry: ids, spaces, clear errors for unknown ids."""

import gymnasium as gym
import pytest

import il_helpers as il


def test_every_env_has_a_batched_twin_and_an_expert():
    for env_id in il.ENV_IDS:
        env = il.make_batched(env_id, 4)
        assert env.env_id == env_id and env.num_envs == 4
        obs = env.reset(seed=0)
        assert obs.shape == (4, *env.observation_space.shape)
        assert il.get_expert(env_id) is not None


def test_batched_spaces_match_gymnasium():
    for env_id in il.ENV_IDS:
        env = il.make_env(env_id)
        obs_space, act_space = il.env_spaces(env_id)
        assert env.observation_space == obs_space, env_id
        assert env.action_space == act_space, env_id


def test_horizon_override():
    assert il.make_batched("CartPole-v1", 2).horizon == 500
    assert il.make_batched("CartPole-v1", 2, horizon=50).horizon == 50
    assert il.make_batched(il.LANE_KEEPING, 2, horizon=1000).horizon == 1000


def test_unknown_env_id_names_the_fix():
    with pytest.raises(ValueError, match="Did you mean 'CartPole-v1'") as err:
        il.make_batched("CartPole-v0", 2)
    assert "Supported ids" in str(err.value)
    with pytest.raises(ValueError, match="unknown environment id"):
        il.make_env("Nope-v9")


def test_lane_keeping_is_registered_with_gymnasium():
    assert il.LANE_KEEPING in gym.registry and il.LANE_KEEPING_DISCRETE in gym.registry


def test_registry_imports_no_environment_module():
    import ast
    import pathlib

    import il_helpers.envs.registry as registry

    tree = ast.parse(pathlib.Path(registry.__file__).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert imported <= {"__future__", "typing", "base"}, imported  # only the BatchedEnv base


def test_register_env_adds_twin_gym_id_and_expert(monkeypatch):
    from il_helpers.envs import registry

    monkeypatch.setattr(registry, "BATCHED", dict(registry.BATCHED))
    monkeypatch.setattr(registry, "EXPERTS", dict(registry.EXPERTS))
    monkeypatch.setattr(registry, "ENV_IDS", list(registry.ENV_IDS))
    twin = registry.BATCHED["CartPole-v1"]
    expert = registry.EXPERTS["CartPole-v1"]
    registry.register_env("test/Twin-v0", twin, expert=expert, listed=False)
    assert registry.make_batched("test/Twin-v0", 3).num_envs == 3
    assert registry.get_expert("test/Twin-v0").name == il.get_expert("CartPole-v1").name
    assert "test/Twin-v0" not in registry.ENV_IDS
    with pytest.raises(TypeError, match="factory must be callable"):
        registry.register_expert("test/Twin-v0", 3)
    with pytest.raises(ValueError, match="no expert for 'nope'"):
        registry.get_expert("nope")


VARIANT = "il_helpers/ObjectWorld-12x12-seed3-wind0.25-T40-v0"


def test_a_variant_id_is_registered_on_first_use_in_a_fresh_process(tmp_path):
    """Before: a gridworld variant's saved demonstrations could not be loaded in a new process."""
    import subprocess
    import sys
    from pathlib import Path

    from il_helpers.envs.gridworlds import gridworld_id
    assert gridworld_id("ObjectWorld", size=12, world_seed=3, wind=0.25, horizon=40) == VARIANT
    path = il.collect_demonstrations(VARIANT, 2, seed=0).save(tmp_path / "v.npz")
    code = ("import sys, il_helpers as il; from il_helpers.envs import registry as r; "
            f"assert {VARIANT!r} not in r.BATCHED; d = il.load_demonstrations(sys.argv[1]); "
            "print(d.env_id, d.num_episodes, len(d), il.make_batched(d.env_id, 2).num_envs)")
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120,
                         cwd=root, env={**__import__("os").environ, "PYTHONPATH": str(root)})
    assert out.returncode == 0, out.stderr
    back = il.load_demonstrations(path)
    assert out.stdout.split() == [VARIANT, "2", str(len(back)), "2"]


@pytest.mark.parametrize("env_id", ["il_helpers/ObjectWorld-12x12-seed3-wind0.250-T40-v0",  # not the maker's spelling
                                    "il_helpers/ObjectWorld-999x999-seed0-wind0.3-T50-v0",  # a size it refuses
                                    "il_helpers/ObjectWorld-12x13-seed0-wind0.3-T50-v0",
                                    "il_helpers/Nothing-12x12-seed0-v0", "CartPole-12x12-v1"])
def test_an_id_no_resolver_can_build_stays_unknown(env_id):
    from il_helpers.envs import registry
    with pytest.raises(ValueError, match="unknown environment id"):
        registry.check_env_id(env_id)
    assert env_id not in registry.BATCHED


def test_a_registered_resolver_is_asked_and_non_string_ids_are_refused(monkeypatch):
    from il_helpers.envs import registry
    monkeypatch.setattr(registry, "RESOLVERS", [])
    asked = []
    registry.register_resolver(lambda env_id: asked.append(env_id))
    with pytest.raises(ValueError, match="unknown environment id 'Foo-v0'"):
        registry.check_env_id("Foo-v0")
    assert asked == ["Foo-v0"]
    with pytest.raises(TypeError, match="resolver must be callable"):
        registry.register_resolver(3)
    for bad in (3, ["CartPole-v1"], None):
        with pytest.raises(ValueError, match="env_id must be a str such as 'CartPole-v1'"):
            registry.check_env_id(bad)
