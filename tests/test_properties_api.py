"""Property-based tests of the public boundary (issue 14, wing API): random seeds, random config
values, random observation shapes and dtypes, out-of-range widget arguments. Each gives a
ValueError/TypeError naming the argument, or a correct result. Every refusal happens before any
training, so the whole file stays cheap (hypothesis example counts are kept small)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import il_helpers as il
from il_helpers import widgets as W
from il_helpers.algorithms import airl_tabular
from il_helpers.algorithms import dagger_variants as dv
from il_helpers.core.checks import SEED_MAX, TRAIN_SEED_MAX, check_fields, check_seed, check_training_data, make_config

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# A seed that is not one: negative, huge, floats, bools, strings, None, numpy floats.
BAD_SEEDS = st.one_of(
    st.integers(max_value=-1),
    st.integers(min_value=SEED_MAX + 1, max_value=2**200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=4),
    st.none(),
    st.builds(np.float64, st.floats(-1e6, 1e6)),
)
GOOD_SEEDS = st.one_of(st.integers(0, SEED_MAX), st.builds(np.uint64, st.integers(0, 2**64 - 1)))


@pytest.fixture(scope="module")
def cartpole():
    return il.collect_demonstrations("CartPole-v1", 2, seed=0)


@pytest.fixture(scope="module")
def lane():
    return il.collect_demonstrations(il.LANE_KEEPING, 1, seed=0, horizon=20)


@pytest.fixture(scope="module")
def cartpole_policy(cartpole):
    policy, _ = il.train_bc(cartpole, epochs=1, seed=0)
    return policy


# -- seeds ----------------------------------------------------------------------------------------

@FAST
@given(GOOD_SEEDS)
def test_check_seed_accepts_what_numpy_and_torch_accept(seed):
    out = check_seed("seed", seed)
    assert type(out) is int and out == int(seed)
    np.random.default_rng(out)
    torch.Generator().manual_seed(out)


@FAST
@given(BAD_SEEDS)
def test_check_seed_refuses_everything_else_naming_it(seed):
    with pytest.raises(ValueError, match=r"where: seed must be a non-negative integer in \[0, 2\*\*64 - 1\], got"):
        check_seed("seed", seed, "where")


@FAST
@given(BAD_SEEDS)
def test_seed_everything_rollout_evaluate_refuse_bad_seeds(seed):
    with pytest.raises(ValueError, match=r"seed_everything: seed must be"):
        il.seed_everything(seed)
    with pytest.raises(ValueError, match=r"rollout: seed must be"):
        il.rollout(il.get_expert("CartPole-v1"), "CartPole-v1", 1, seed=seed)
    with pytest.raises(ValueError, match=r"evaluate: seed must be"):
        il.evaluate(il.get_expert("CartPole-v1"), "CartPole-v1", 1, seed=seed)
    with pytest.raises(ValueError, match=r"collect_demonstrations|rollout: seed must be"):
        il.collect_demonstrations("CartPole-v1", 1, seed=seed)


def test_largest_seeds_run():
    il.seed_everything(SEED_MAX)
    r = il.rollout(il.get_expert("CartPole-v1"), "CartPole-v1", 1, seed=SEED_MAX, horizon=5)
    assert r.obs.shape[1] == 5


TRAINERS = {
    "train_bc": lambda d, **k: il.train_bc(d, **k),
    "train_bc_ensemble": lambda d, **k: il.train_bc_ensemble(d, **k),
    "DAgger": lambda d, **k: il.train_dagger(d, **k),
    "SafeDAgger": lambda d, **k: il.train_safe_dagger(d, **k),
    "train_gail": lambda d, **k: il.train_gail(d, **k),
    "train_airl": lambda d, **k: il.train_airl(d, **k),
    "train_ppo": lambda d, **k: il.train_ppo(d, **k),
    "train_mdn": lambda d, **k: il.train_mdn(d, **k),
    "train_discretized": lambda d, **k: il.train_discretized(d, **k),
    "train_cvae": lambda d, **k: il.train_cvae(d, **k),
}
LANE_ONLY = {"SafeDAgger", "train_mdn", "train_discretized", "train_cvae"}


@pytest.mark.parametrize("name", sorted(TRAINERS))
@FAST
@given(seed=st.one_of(BAD_SEEDS, st.integers(TRAIN_SEED_MAX + 1, SEED_MAX)))
def test_every_trainer_refuses_a_bad_seed_before_training(name, seed, cartpole, lane):
    demos = lane if name in LANE_ONLY else cartpole
    with pytest.raises(ValueError, match=r"seed must be a non-negative integer in \[0, 2\*\*63 - 1\]"):
        TRAINERS[name](demos, seed=seed)


def test_tabular_trainers_refuse_a_bad_seed():
    from il_helpers.envs import gridworlds as gw
    w = gw.make_world("FeatureGrid", size=4)
    for bad in (-1, 1.5, True, 2**64):
        with pytest.raises(ValueError, match="train_maxent_irl: seed must be"):
            il.train_maxent_irl(None, env_id=w.env_id, seed=bad)
        with pytest.raises(ValueError, match="train_airl_tabular: seed must be"):
            airl_tabular.train_airl_tabular(None, env_id=w.env_id, seed=bad)


def test_ensemble_seed_times_members_stays_in_range(cartpole):
    with pytest.raises(ValueError, match=r"train_bc_ensemble: seed must be at most"):
        il.train_bc_ensemble(cartpole, seed=TRAIN_SEED_MAX // 2, n_members=5)


# -- what the trainers train on --------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(TRAINERS))
def test_every_trainer_refuses_empty_demonstrations(name, cartpole, lane):
    demos = (lane if name in LANE_ONLY else cartpole).episodes([])
    assert len(demos) == 0
    with pytest.raises(ValueError, match=r"demos must hold at least one step, got 0 steps"):
        TRAINERS[name](demos)


@pytest.mark.parametrize("name", ["train_bc", "train_bc_ensemble", "train_gail", "train_airl", "train_ppo",
                                  "train_mdn"])
def test_trainers_refuse_demonstrations_of_another_env(name, cartpole, lane):
    demos, other = (lane, "CartPole-v1") if name in LANE_ONLY else (cartpole, "Acrobot-v1")
    with pytest.raises(ValueError, match=rf"env_id '{other}' does not match|the demonstrations' "):
        TRAINERS[name](demos, env_id=other)


def test_check_training_data_passes_other_objects():
    assert check_training_data((np.zeros((1, 2)), np.zeros((1, 2))), "x") == "x"


# -- every numeric config field: NaN, inf, 0, negative, huge, wrong kinds ----------------------------

CONFIGS = [il.BCConfig, il.EnsembleConfig, il.DAggerConfig, dv.SafeDAggerConfig, dv.HGDAggerConfig,
           dv.SelectiveDAggerConfig, il.MaxEntConfig, il.PPOConfig, il.GAILConfig, il.AIRLConfig,
           airl_tabular.AIRLTabularConfig, il.MDNConfig, il.DiscretizedConfig, il.CVAEConfig]
NUMERIC = [(cls, f.name) for cls in CONFIGS for f in dataclasses.fields(cls)
           if isinstance(getattr(cls(), f.name), (int, float)) and not isinstance(getattr(cls(), f.name), bool)]
ODD = st.one_of(st.sampled_from([math.nan, math.inf, -math.inf, 0, 0.0, -1, -1e-9, 1e300, 10**30, True, "1", None]),
                st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12))


@pytest.mark.parametrize("cls, name", NUMERIC, ids=[f"{c.__name__}.{n}" for c, n in NUMERIC])
@settings(max_examples=12, deadline=None)
@given(value=ODD)
def test_config_fields_refuse_or_keep(cls, name, value):
    try:
        cfg = make_config(cls, None, "train_x", **{name: value})
    except (ValueError, TypeError) as e:
        assert name in str(e) and str(e).startswith("train_x: "), str(e)
        return
    kept = getattr(cfg, name)
    # what passed is a finite number (or None where the field allows "the default")
    assert kept is None or (not isinstance(kept, str) and math.isfinite(kept)), (name, value)
    if value is not None and not isinstance(value, bool):
        assert not (isinstance(value, float) and not math.isfinite(value))


def test_non_finite_coefficients_never_reach_torch(cartpole):
    for bad in ({"ent_coef": math.inf}, {"grad_penalty": math.nan}, {"d_lr": math.inf}, {"d_hidden": (0,)},
                {"d_hidden": (64, -3)}, {"d_batch": 0}):
        with pytest.raises(ValueError, match="train_gail: " + next(iter(bad))):
            il.train_gail(cartpole, **bad)


def test_direct_construction_refuses_too():
    with pytest.raises(ValueError, match="GAILConfig: d_hidden must be"):
        il.GAILConfig(d_hidden=(0,))
    with pytest.raises(ValueError, match="BCConfig: lr must be a finite number > 0, got nan"):
        il.BCConfig(lr=math.nan)
    with pytest.raises(ValueError, match="MaxEntConfig: weight_decay must be a finite number >= 0"):
        il.MaxEntConfig(weight_decay=-1.0)
    with pytest.raises(ValueError, match="EnsembleConfig: n_members must be an integer >= 1"):
        il.EnsembleConfig(n_members=0)
    with pytest.raises(ValueError, match="BCConfig: epochs must be an integer >= 1, got 2.0"):
        il.BCConfig(epochs=2.0)
    for cls in CONFIGS:
        check_fields(cls())  # every default passes


@FAST
@given(kind=st.sampled_from(["constant", "linear", "exponential", "indicator", "bogus", 3]),
       param=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True, width=32)))
def test_beta_schedule_built_directly_is_checked_as_make_schedule(kind, param):
    try:
        made = il.make_schedule(kind, param)
    except ValueError as e:
        with pytest.raises(ValueError, match=str(e)[:20].replace("(", r"\(").replace(")", r"\)")):
            il.BetaSchedule(kind, param)
        return
    direct = il.BetaSchedule(kind, param)
    assert direct == made
    assert all(0.0 <= b <= 1.0 for b in direct.values(6))


def test_beta_schedule_exponential_5_is_refused():
    with pytest.raises(ValueError, match=r"exponential schedule's parameter .* must be in \[0, 1\], got 5.0"):
        il.BetaSchedule("exponential", 5.0)


def test_maxent_irl_with_a_huge_lr_stops_naming_lr():
    from il_helpers.envs import gridworlds as gw
    w = gw.make_world("FeatureGrid", size=8)
    demos = il.collect_demonstrations(w.env_id, 8, seed=0)
    with pytest.raises(ValueError, match=r"train_maxent_irl: the objective became non-finite .* lr=1000000.0 is "
                                         r"likely too large"):
        il.train_maxent_irl(demos, lr=1e6, steps=30)


# -- observations: sizes, shapes, dtypes ---------------------------------------------------------------

def test_a_cartpole_policy_on_acrobot_names_both_sizes(cartpole_policy):
    with pytest.raises(ValueError, match=r"trained on CartPole-v1 \(4-d observations\); Acrobot-v1 gives 6-d"):
        il.evaluate(cartpole_policy, "Acrobot-v1", n_episodes=2)


@FAST
@given(shape=st.lists(st.integers(0, 7), min_size=0, max_size=3),
       dtype=st.sampled_from([np.float32, np.float64, np.int64, np.int8, np.bool_, np.float16]))
def test_policy_on_random_observation_shapes(cartpole_policy, shape, dtype):
    obs = np.ones(shape, dtype=dtype)
    try:
        out = cartpole_policy(obs)
    except ValueError as e:
        assert "observations" in str(e)
        assert not (len(shape) in (1, 2) and shape[-1] == 4 and (len(shape) == 1 or shape[0] > 0))
        return
    assert len(shape) in (1, 2) and shape[-1] == 4
    assert out.shape == (() if len(shape) == 1 else (shape[0],)) and out.dtype == np.int64


@FAST
@given(n=st.one_of(st.integers(-3, 0), st.floats(allow_nan=True), st.booleans(), st.text(max_size=2)),
       noise=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-2, 2)))
def test_rollout_refuses_bad_knobs_by_name(n, noise):
    with pytest.raises(ValueError, match="n_episodes"):
        il.rollout(il.get_expert("CartPole-v1"), "CartPole-v1", n_episodes=n)
    if not (isinstance(noise, (int, float)) and not isinstance(noise, bool) and 0 <= noise <= 1):
        with pytest.raises(ValueError, match="noise"):
            il.rollout(il.get_expert("CartPole-v1"), "CartPole-v1", n_episodes=1, noise=noise)


# -- widgets: no silent clamping ------------------------------------------------------------------------

@pytest.mark.parametrize("build, match", [
    (lambda: W.dagger_widget(param=1.0), r"dagger_widget .*param must be a finite number in \[0.0, 0.95\]"),
    (lambda: W.dagger_widget(iterations=50), r"iterations must be an integer in \[1, 10\]"),
    (lambda: W.dagger_widget(seed=5000), r"seed must be an integer in \[0, 999\], got 5000"),
    (lambda: W.maxent_irl_widget(size=1000), r"maxent_irl_widget .*size must be an integer in \[8, 32\]"),
    (lambda: W.maxent_irl_widget(lr=5.0), r"lr must be a finite number in \[0.0001, 1.0\]"),
    (lambda: W.maxent_irl_widget(steps=2.5), r"steps must be an integer >= 1, got 2.5"),
    (lambda: W.maxent_irl_widget(world="Nope"), r"unknown gridworld family"),
    (lambda: W.gail_widget(seed=-1), r"gail_widget .*seed must be an integer in \[0, 999\]"),
    (lambda: W.behavioral_cloning_widget(n_demos=60), r"n_demos must be an integer in \[1, 50\]"),
    (lambda: W.behavioral_cloning_widget(noise=0.9), r"noise must be a finite number in \[0.0, 0.5\]"),
    (lambda: W.distribution_shift_widget(epochs=1000), r"epochs must be an integer in \[5, 100\]"),
    (lambda: W.multimodal_widget(n_components=9), r"n_components must be an integer in \[1, 6\]"),
    (lambda: W.tour_widget(n_episodes=10**6), r"tour_widget .*n_episodes must be an integer in"),
    (lambda: W.tour_widget(env_id="Pong"), r"env_id must be one of"),
])
def test_widgets_refuse_out_of_range_arguments(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_bc_drift_run_refuses_fractional_counts():
    from il_helpers.widgets.behavioral_cloning import bc_drift_run
    with pytest.raises(ValueError, match="bc_drift_run: n_demos must be an integer"):
        bc_drift_run(n_demos=2.5)
    with pytest.raises(ValueError, match="bc_drift_run: seed must be"):
        bc_drift_run(seed=1.5)


# -- the bench and the package -----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", ["-1", str(2**64), str(2**63)])
def test_bench_seed_out_of_range_is_an_argparse_error(seed, capsys):
    from il_helpers.bench.cli import parse_args
    with pytest.raises(SystemExit) as exc:
        parse_args(["bc", "--seed", seed])
    assert exc.value.code == 2
    assert "--seed must be an integer in [0, 2**63 - 1]" in capsys.readouterr().err


def test_bench_args_refuses_fractional_seeds_and_episodes():
    from il_helpers.bench.methods import bench_args
    with pytest.raises(ValueError, match="bench_args: seed must be"):
        bench_args("CartPole-v1", seed=2.5)
    with pytest.raises(ValueError, match="bench_args: episodes must be an integer >= 1, got 2.5"):
        bench_args("CartPole-v1", episodes=2.5)


def test_il_data_is_reachable():
    assert il.data.load_expert_demos is il.load_expert_demos


@FAST
@given(obs=st.one_of(st.text(max_size=3), st.lists(st.text(min_size=1, max_size=2), min_size=1, max_size=3),
                     st.none(), st.dictionaries(st.text(max_size=1), st.integers(), max_size=1)))
def test_policy_refuses_non_numeric_observations(cartpole_policy, obs):
    with pytest.raises((TypeError, ValueError), match="observations"):
        cartpole_policy(obs)


def test_timed_refuses_zero_repeats():
    from il_helpers.bench.timing import timed
    with pytest.raises(ValueError, match="timed: repeats must be an integer >= 1, got 0"):
        timed(lambda: None, repeats=0)


def test_bench_result_with_numpy_extras_is_written():
    import json

    from il_helpers.bench.cli import _plain
    assert json.loads(json.dumps({"a": np.float32(0.5), "b": np.arange(2)}, default=_plain)) == {"a": 0.5, "b": [0, 1]}


def test_a_press_the_widget_cannot_run_is_refused_in_the_summary(monkeypatch):
    import il_helpers.widgets.dagger as wd

    def refuse(*args, **kwargs):
        raise ValueError("train_dagger: iterations must be an integer >= 0, got -1")

    monkeypatch.setattr(wd, "train_dagger", refuse)
    monkeypatch.setattr(wd, "course_demos", lambda seed: None)
    box = W.dagger_widget()
    with pytest.raises(ValueError, match="iterations"):
        box.run()
    assert box.summary.value.startswith("<b>Cannot run these settings:</b> train_dagger: iterations must be")
    assert box.result is None and not box.train.disabled


@FAST
@given(seed=BAD_SEEDS.filter(lambda s: s is not None))
def test_random_policy_and_perturb_refuse_bad_knobs(seed):
    space = il.env_spaces("CartPole-v1")[1]
    with pytest.raises(ValueError, match="RandomPolicy: seed must be"):
        il.RandomPolicy(space, seed=seed)
    with pytest.raises(ValueError, match="perturb: noise must be in"):
        il.perturb(np.zeros(2, np.int64), space, 1.5, np.random.default_rng(0))
