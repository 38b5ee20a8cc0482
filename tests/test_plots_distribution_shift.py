"""il_helpers.plots.distribution_shift: notebook 01's figures draw what they are given."""

import gc

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from helpers import fake_rollout  # noqa: E402
from matplotlib import animation  # noqa: E402

import il_helpers as il  # noqa: E402
from il_helpers.lessons import distribution_shift as cmp  # noqa: E402
from il_helpers.plots import distribution_shift as pds  # noqa: E402
from il_helpers.plots.style import COLORS  # noqa: E402

LK = il.LANE_KEEPING


def test_curve_colours_are_the_palette():
    assert pds._color("BC + noise injection", 0) == COLORS["bc + dart"]
    assert pds._color("BC (2400 labels)", 0) == COLORS["bc"]
    assert pds._color("expert", 1) == "#1f77b4" and pds._color("something else", 1) == "C4"


def test_plot_compounding_and_survival():
    rising = np.arange(1, 201)[None, :] >= np.array([30, 60, 90, 120, 150, 1000])[:, None]
    bc = cmp.cost_curve(fake_rollout(rising), label="BC")
    ex = cmp.cost_curve(fake_rollout(np.zeros((6, 200), bool)), label="expert")
    fit = cmp.fit_loglog_slope(bc.horizons, bc.cost, bc.cost > 0)
    ax = pds.plot_compounding({"expert": ex, "BC": bc}, fit=fit, bound=True)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(lab.startswith("expert: J = 0") for lab in labels) and any("slope" in lab for lab in labels)
    assert any("T^2" in lab for lab in labels) and ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_xlabel().startswith("horizon T")
    plt.close(ax.figure)
    axes = pds.plot_survival([ex, bc], max_steps=100)
    assert len(axes[0].lines) == 3 and axes[1].get_ylabel().startswith("P(off the road")  # expert, BC, (1-eps)^t
    plt.close(axes[0].figure)
    with pytest.raises(TypeError):
        pds.plot_compounding([])
    with pytest.raises(TypeError):
        pds.plot_compounding([bc, "not a curve"])


@pytest.fixture(scope="module")
def lane_runs():
    expert = il.get_expert(LK)
    drifting = lambda o: np.clip(expert(o) + 0.3 * np.sign(o[:, :1] + 1e-3), -1, 1)  # noqa: E731  (steers away from the centre)
    ex = il.rollout(expert, LK, 4, seed=11, horizon=150)
    bad = il.rollout(drifting, LK, 4, seed=11, horizon=150)
    return ex, bad


def test_plot_state_distributions(lane_runs):
    ex, bad = lane_runs
    axes = pds.plot_state_distributions({"expert": ex, "learner": bad}, steps=100)
    assert len(axes) == 3 and "off road" in axes[1].get_title() and axes[2].get_yscale() == "log"
    plt.close(axes[0].figure)
    with pytest.raises(ValueError):
        pds.plot_state_distributions({})


@pytest.mark.filterwarnings("ignore:Animation was deleted")  # built and drawn here, never rendered to HTML
def test_drift_episodes_and_animation(lane_runs):
    ex, bad = lane_runs
    drifts = cmp.drift_episodes(bad, min_step=1, stay=20)
    assert drifts and all(bad.infos["off_road"][ep, t - 1: t + 19].all() for ep, t in drifts)
    assert [t for _, t in drifts] == sorted(t for _, t in drifts)
    assert cmp.drift_episodes(ex) == []
    ep, t_off = drifts[0]
    anim = pds.animate_drift({"expert": ex, "BC": bad}, episode=ep, start=10, steps=t_off + 10, every=5)
    assert isinstance(anim, animation.FuncAnimation)
    assert len(list(anim.new_frame_seq())) == len(range(10, t_off + 10, 5))  # every 5th step from 10
    anim._func(0)  # draws the first frame without error
    legend = anim._fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["expert", "BC"]  # the road (plots.lane) has no entry
    del anim
    gc.collect()  # (its "deleted without rendering" warning is expected here, not in a later test)
    other = il.rollout(il.get_expert(LK), LK, 4, seed=12, horizon=150)
    with pytest.raises(ValueError, match="another road"):
        pds.animate_drift({"expert": ex, "other": other})
    with pytest.raises(ValueError):
        pds.animate_drift({"expert": ex}, start=500)
    with pytest.raises(ValueError):
        pds.animate_drift({})
