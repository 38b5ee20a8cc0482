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


def test_show_figure_remember_and_the_controls():
    import ipywidgets as widgets
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from il_helpers.widgets.common import remember, seed_and_train

    out = widgets.Output()
    fig, _ = plt.subplots()
    show_figure(out, fig)
    assert not plt.fignum_exists(fig.number)  # closed: the notebook will not draw it twice
    box, summary = widgets.VBox(), widgets.HTML()
    box.result, box.history = None, []
    remember(box, 1, summary, "<a & b>")
    remember(box, 2, summary, "second")
    assert box.result == 2 and box.history == [1, 2] and summary.value == "second"
    sd, train = seed_and_train(7, {})
    assert sd.value == 7 and sd.max == 999 and train.description == "Train"
