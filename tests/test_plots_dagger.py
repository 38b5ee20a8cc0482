"""il_helpers.plots.dagger: each figure draws what it is given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import il_helpers as il  # noqa: E402
from il_helpers.plots import dagger as pdg  # noqa: E402
from il_helpers.plots.style import COLORS  # noqa: E402

LK = il.LANE_KEEPING
TINY = il.BCConfig(epochs=2, hidden=(8,))


def tiny_run(fn=il.train_dagger, **kw):
    return fn(il.collect_demonstrations(LK, 1, seed=0), iterations=2, iteration_episodes=2, bc=TINY,
              eval_episodes=3, **kw)[1]


def test_plots_draw_what_they_are_given():
    res = tiny_run()
    sel = tiny_run(il.train_selective_dagger, n_members=2)
    ax = pdg.plot_schedules(["indicator", ("exponential", 0.5), ("linear", 3)], iterations=5)
    assert len(ax.get_lines()) == 3
    axes = pdg.plot_history({"DAgger": res, "selective DAgger": sel}, reference={"BC (same labels)": (0.9, 0.02)})
    assert len(axes) == 2 and len(axes[0].get_lines()) == 3
    assert axes[0].get_lines()[0].get_color() == COLORS["dagger"]
    ax = pdg.plot_label_efficiency([res, sel], target=0.9, budget=500)
    assert ax.get_lines()[0].get_xdata().tolist() == res["labels_used"].tolist()
    axes = pdg.plot_coverage(res.initial, res.data)
    assert "200 states" in axes[0].get_title() and f"{len(res.data)} states" in axes[1].get_title()
    with pytest.raises(TypeError):
        pdg.plot_history([1, 2])
    plt.close("all")


def test_method_colors_are_the_palette():
    assert pdg.method_color("SafeDAgger", "x") == COLORS["safedagger"] == "#9467bd"
    assert pdg.method_color("HG-DAgger", "x") == "#8c564b" and pdg.method_color("BC", "x") == "#d62728"
    assert pdg.method_color("selective DAgger", "x") == "#17becf" and pdg.method_color("other", "C3") == "C3"
