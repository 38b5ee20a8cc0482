"""The widgets' shared pieces: the seed box, the Train button and show_figure."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from il_helpers.widgets.common import seed_box, show_figure, train_button  # noqa: E402


def test_seed_box_and_train_button():
    box = seed_box(7)
    assert isinstance(box, widgets.BoundedIntText) and (box.value, box.min, box.max) == (7, 0, 999)
    assert box.description == "Seed" and box.style.description_width == "initial"
    button = train_button()
    assert button.description == "Train" and button.button_style == "primary"


def test_show_figure_replaces_the_output_and_closes_the_figure():
    out = widgets.Output()
    for _ in range(2):
        fig, _ = plt.subplots()
        show_figure(out, fig)
        assert not plt.fignum_exists(fig.number)
