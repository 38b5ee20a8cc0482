"""Notebook 07's table and figure (il_helpers.plots.choosing_a_method), made from the rows."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from il_helpers.plots import choosing_a_method as CP  # noqa: E402


def test_table_is_generated_from_rows(bc_row, dagger_row):
    rows = [bc_row, dagger_row]
    text = CP.comparison_table(rows)
    assert f"{bc_row['normalized']:.2f}" in text and f"{dagger_row['expert_labels']:,}" in text
    changed = dict(bc_row, normalized=0.123)
    assert "0.12" in CP.comparison_table([changed, dagger_row]) and text != CP.comparison_table([changed, dagger_row])
    html = CP.comparison_table(rows, fmt="html")
    assert html.startswith("<table>") and html.count("<tr>") == 3 and "DAgger" in html
    with pytest.raises(ValueError, match="fmt"):
        CP.comparison_table(rows, fmt="latex")
    with pytest.raises(ValueError, match="no rows"):
        CP.comparison_table([])
    with pytest.raises(ValueError, match="lacks"):
        CP.comparison_table([{"method": "bc", "task": "T"}])


def test_plot_comparison_draws_every_row(bc_row, dagger_row):
    axes = CP.plot_comparison([bc_row, dagger_row])
    assert len(axes) == 2 and all(len(ax.collections) == 2 for ax in axes)
    plt.close("all")


def test_figures_fit_the_notebook_width(bc_row, dagger_row):
    axes = CP.plot_comparison([bc_row, dagger_row])
    assert axes[0].figure.get_size_inches()[0] <= 9.5
    plt.close("all")
