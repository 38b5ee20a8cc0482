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


def test_a_double_click_trains_once():
    """The second click of a double click reaches the kernel once the first press has ended (the kernel
    handles one message at a time): the Train button drops it; a later click and click() run."""
    import time

    from il_helpers.widgets.common import QUEUED_CLICK_S, pressed

    summary, runs = widgets.HTML(), []
    button = train_button()

    def press(_):
        with pressed(button, summary):
            runs.append(button.disabled)

    button.on_click(press)
    button._handle_button_msg(None, {"event": "click"}, [])
    button._handle_button_msg(None, {"event": "click"}, [])   # queued during the first press
    assert runs == [True]
    time.sleep(QUEUED_CLICK_S + 0.05)
    button._handle_button_msg(None, {"event": "click"}, [])   # a new click, after the press
    button.click()                                             # from code: always runs
    assert runs == [True, True, True] and not button.disabled


def test_a_press_that_fails_says_so_and_enables_the_button():
    import pytest

    from il_helpers.widgets.common import pressed
    summary, button = widgets.HTML(), train_button()
    with pytest.raises(RuntimeError):
        with pressed(button, summary):
            raise RuntimeError("out of memory")
    assert "Training stopped" in summary.value and "out of memory" in summary.value and not button.disabled


def test_a_widget_box_says_what_it_is_where_it_cannot_be_drawn():
    """An untrusted notebook (a fresh clone in JupyterLab) or GitHub shows the picture or the text form."""
    from il_helpers.widgets import tour_widget
    box = tour_widget()
    bundle = box._repr_mimebundle_()
    text = bundle["text/plain"]
    assert text == "[tour_widget, an interactive widget: trust and run the notebook (make lab does) to see it]"
    assert "VBox(children" not in text and isinstance(box, widgets.VBox)
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the live widget, where it can be drawn
    assert box.settings() == ["Environment: CartPole-v1", "Demos: 10"]
    assert box.summary_text().startswith("Showing 10 episodes of CartPole-v1")


def _png(data: bytes):
    import io

    import matplotlib.image as mpimg
    return mpimg.imread(io.BytesIO(data), format="png")


def test_the_still_picture_is_the_caption_above_the_last_plot():
    """The widget's PNG (for GitHub, nbviewer, an untrusted notebook): as wide as its last plot, taller
    by the caption, and its bottom is that plot, pixel for pixel (after the Demos slider moved)."""
    import base64

    import numpy as np

    from il_helpers.widgets import tour_widget
    box = tour_widget()
    box.demos.value = 3   # redraws: the picture must be the new plot, not the first one
    plot = _png(box.plot.course_png)
    snap = _png(base64.b64decode(box._repr_mimebundle_()["image/png"]))
    h, w = plot.shape[:2]
    assert snap.shape[1] == max(640, w) and snap.shape[0] > h + 40
    bottom = snap[-h:, :w, :3]
    assert np.abs(bottom - plot[..., :3]).mean() < 0.01
    assert box.settings() == ["Environment: CartPole-v1", "Demos: 3"]


def test_show_figure_keeps_the_png_it_shows():
    fig, _ = plt.subplots(figsize=(4, 3), dpi=100)
    out = widgets.Output()
    show_figure(out, fig)
    h, w = _png(out.course_png).shape[:2]
    assert 200 < w <= 400 and 150 < h <= 300   # tight bounding box of a 4 x 3 inch figure at 100 dpi
