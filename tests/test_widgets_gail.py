"""Notebook 05's widget, driven without a browser: build it, change the knobs, press Train, and
check that the live plot was redrawn and the summary reports the numbers of the run it shows."""

import matplotlib

matplotlib.use("Agg")

import html  # noqa: E402

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import il_helpers as il  # noqa: E402
from il_helpers.algorithms.adversarial import REWARD_FORMS  # noqa: E402
from il_helpers.algorithms.ppo import PPOConfig  # noqa: E402
from il_helpers.widgets import gail_widget  # noqa: E402
from il_helpers.widgets.gail import describe  # noqa: E402

SMALL = PPOConfig(n_envs=4, epochs=2)  # a small generator, for speed


@pytest.fixture(scope="module")
def demos():
    return il.collect_demonstrations("CartPole-v1", 3, seed=10_000)


@pytest.fixture(scope="module")
def box(demos):
    return gail_widget(demos, ppo=SMALL, eval_episodes=10, redraw_every=1)


def test_renders_with_defaults_without_training(demos):
    b = gail_widget()
    assert isinstance(b, widgets.VBox)
    assert b.policy is None and b.history is None and b.evaluation is None and b.redraws == 0
    assert b.reward.value == "logit" and b.absorbing.value is True and b.ent_coef.value == 0.0
    assert b.d_steps.value == 5 and b.grad_penalty.value == 0.0
    assert b.iterations.value == il.budget(15, 4)
    assert [v for _, v in b.reward.options] == list(REWARD_FORMS)
    for slider in (b.ent_coef, b.d_steps, b.grad_penalty, b.iterations):
        assert slider.continuous_update is False
    assert b.demos.num_episodes == 10 and b.demos.env_id == "CartPole-v1" and b.horizon == 500
    assert "Press Train" in b.summary.value and "10 expert episodes" in b.summary.value
    assert b.figure is not None and len(b.figure.axes) == 3          # empty axes, nothing trained
    assert len(b.figure.axes[0].lines[0].get_ydata()) == 0           # the return curve is still empty


def test_controls_update_the_preview(box):
    box.reward.value = "log D"
    assert "reward log D" in box.summary.value
    box.absorbing.value = False
    assert "absorbing state off" in box.summary.value
    box.reward.value, box.absorbing.value = "logit", True


def test_train_click_draws_live_and_reports_the_run(box):
    before = box.summary.value
    box.reward.value = "-log(1-D)"
    box.ent_coef.value = 0.01
    box.d_steps.value = 3
    box.grad_penalty.value = 1.0
    box.iterations.value = 3
    box.seed.value = 2
    box.train.click()
    hist, ev = box.history, box.evaluation
    assert hist is not None and box.policy is not None and not box.train.disabled
    assert box.redraws == 2                                     # iterations 1 and 2 live, the last after evaluation
    c = hist.config
    assert (c.reward, c.absorbing, c.d_steps, c.grad_penalty, hist.seed) == ("-log(1-D)", True, 3, 1.0, 2)
    assert c.ppo.ent_coef == 0.01 and c.ppo.n_envs == 4 and c.iterations == 3
    assert len(hist.episode_return) == 3 and len(ev.returns) == 10
    text = box.summary.value
    assert text != before and text == html.escape(describe(hist, ev, box.wall_s, 500, 500.0))
    assert f"returns {ev.return_mean:.1f}" in text and "sampled (stochastic) policy" in text
    assert f"falls: {int((ev.lengths < 500).sum())} of 10 episodes" in text
    assert f"{hist.env_steps[-1]:,} environment steps" in text
    for part in ("reward -log(1-D)", "absorbing state on", "entropy coefficient 0.01", "3 discriminator steps",
                 "gradient penalty 1", "3 iterations", "seed 2"):
        assert part in text
    ret_line = box.figure.axes[0].lines[0]                      # the plot shows this run's curve
    assert np.allclose(ret_line.get_ydata(), hist.episode_return)


def test_a_second_press_reports_the_new_run(box):
    first = box.summary.value
    box.d_steps.value = 1
    box.iterations.value = 2
    box.train.click()
    assert box.summary.value != first and "1 discriminator steps" in box.summary.value
    assert len(box.history.episode_return) == 2 and box.redraws == 1


def test_the_widget_reproduces_the_termination_bias(demos):
    """log D < 0 is a living cost: without the absorbing state the policy learns to fall sooner."""
    b = gail_widget(demos, reward="log D", absorbing=False, iterations=8, ppo=PPOConfig(n_envs=8), eval_episodes=5)
    b.train.click()
    lengths = b.history.episode_length
    assert lengths[-1] < 0.7 * lengths[0]
    assert "falls: 5 of 5" in b.summary.value


def test_bad_arguments(demos):
    with pytest.raises(ValueError, match="reward"):
        gail_widget(reward="exp D")
    with pytest.raises(ValueError, match="iterations"):
        gail_widget(iterations=0)
    with pytest.raises(ValueError, match="d_steps"):
        gail_widget(d_steps=50)
    with pytest.raises(ValueError, match="ent_coef"):
        gail_widget(ent_coef=0.5)
    with pytest.raises(TypeError, match="Demonstrations"):
        gail_widget(demos={"obs": 1})


def test_one_iteration_draws_dots_and_the_bar_counts_iterations(demos):
    from il_helpers.widgets.gail import seconds_per_iteration
    b = gail_widget(demos, iterations=1, ppo=SMALL, eval_episodes=5)
    assert "Expect about" in b.summary.value
    b.train.click()
    for ax in b.figure.axes:                                   # one point per curve: visible as a dot
        lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 1]
        assert lines and all(ln.get_marker() == "o" for ln in lines)
    b.iterations.value = 40                                     # the next press's cost, from the measured run
    per = seconds_per_iteration(b.d_steps.value, b.wall_s / 1, b.d_steps.value)
    assert f"Expect about {per * 40:.0f} s" in b.summary.value and "measured on the last run" in b.summary.value
    assert seconds_per_iteration(20) > seconds_per_iteration(5) > 0


def test_the_summary_says_training_runs_while_it_runs(demos):
    from il_helpers.widgets.common import BUSY
    b = gail_widget(demos, iterations=2, ppo=SMALL, eval_episodes=5, redraw_every=1)
    seen = []
    b.summary.observe(lambda change: seen.append(change["new"]), names="value")
    b.train.click()
    assert seen[0] == BUSY and seen[-1].startswith("GAIL from 3 expert episodes")
