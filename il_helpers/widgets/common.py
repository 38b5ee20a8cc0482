"""The pieces every notebook widget builds the same way: the outer box (and its still picture for
readers without a kernel), the seed box, the Train button, the record of a finished press, and
showing a figure in an output area."""

from __future__ import annotations

import base64
import contextlib
import html
import math
import re
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.core.pylabtools import print_figure
from IPython.display import Image, display

from ..core.checks import check_int, check_number

#: the Seed box's range
SEED_BOX = (0, 999)


class CourseBox(widgets.VBox):
    """A notebook widget's outer box, with a still picture of itself for readers who cannot draw it.

    JupyterLab draws a live widget only in a *trusted* notebook (a fresh clone's are not; ``make lab``
    trusts the course's), and GitHub, nbviewer or a static site never run a kernel. Each draws the best
    other format of the output, so the box's output carries two more: a PNG (:meth:`snapshot`: its
    settings and summary above its last plot, as :func:`show_figure` left it) and a text form that
    says what the box is and how to use it (instead of ipywidgets' ``VBox(children=(HBox(...`` dump).
    """

    def __init__(self, children, name: str, **kwargs):
        super().__init__(children, **kwargs)
        self.course_name = name

    def __repr__(self) -> str:
        return f"[{self.course_name}, an interactive widget: trust and run the notebook (make lab does) to see it]"

    def _descendants(self):
        stack = list(self.children)[::-1]
        while stack:
            w = stack.pop()
            yield w
            stack.extend(list(getattr(w, "children", ()))[::-1])

    def settings(self) -> list[str]:
        """``"Name: value"`` for each control (sliders, menus, boxes), in the order they are drawn."""
        skip = (widgets.Button, widgets.HTML, widgets.Label, widgets.Output, widgets.IntProgress,
                widgets.FloatProgress)
        found = []
        for w in self._descendants():
            if isinstance(w, skip) or not hasattr(w, "value") or not getattr(w, "description", ""):
                continue
            value = getattr(w, "label", None) if isinstance(w, widgets.Dropdown) else w.value
            found.append(f"{w.description}: {value:g}" if isinstance(value, float) else f"{w.description}: {value}")
        return found

    def summary_text(self) -> str:
        """The text of the box's HTML parts (its summary), tags removed."""
        texts = [html.unescape(re.sub(r"<[^>]+>", "", w.value)) for w in self._descendants()
                 if isinstance(w, widgets.HTML) and w.value]
        return " ".join(t.strip() for t in texts if t.strip())

    def snapshot(self) -> bytes:
        """A PNG of the box as it is now (:func:`~il_helpers.plots.snapshot.widget_snapshot`)."""
        from ..plots.snapshot import widget_snapshot

        plots = [w.course_png for w in self._descendants() if getattr(w, "course_png", None)]
        lines = ["Settings: " + ", ".join(self.settings()), self.summary_text(),
                 "(A picture of the widget. Trust and run the notebook, e.g. with make lab, to use it.)"]
        return widget_snapshot(self.course_name, [line for line in lines if line], plots[-1] if plots else None)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None:  # None: ipywidgets has nothing to show
            bundle["text/plain"] = repr(self)  # in full (ipywidgets cuts it at 110 characters)
            bundle["image/png"] = base64.b64encode(self.snapshot()).decode("ascii")
        return bundle


def in_range(where: str, name: str, value, low, high, integer: bool = False, control: str = "slider"):
    """``value`` for a builder argument that sets a control with range ``[low, high]``, or a
    ValueError naming the argument, the value and the range: a widget never clamps an argument
    into range silently (it would run something else than what was asked)."""
    where = f"{where} (the range of its {name} {control}; pick a value inside it)"
    if integer:
        return check_int(name, value, low, high, where=where)
    return check_number(name, value, low, high, where=where)


def seed_box(seed: int, style: dict | None = None, where: str = "widget") -> widgets.BoundedIntText:
    """The ``Seed`` field (0 to 999); a ``seed`` outside that range is refused, not clamped."""
    seed = in_range(where, "seed", seed, *SEED_BOX, integer=True, control="Seed box")
    return widgets.BoundedIntText(value=seed, min=0, max=999, description="Seed",
                                  style=style or {"description_width": "initial"}, layout=widgets.Layout(width="120px"))


#: a click that reaches the kernel within this many seconds of the end of the previous press was
#: queued while that press ran (the front end had not yet seen the button disabled): it is dropped
QUEUED_CLICK_S = 0.5
#: what the summary says while a press runs (it no longer describes the previous run)
BUSY = "<i>Training with the settings above; this summary describes the new run when it finishes.</i>"


class TrainButton(widgets.Button):
    """The ``Train`` button. A double click must not train twice: the kernel handles clicks one
    after another, so the second click of a double click waits in the queue while the first press
    runs, and reaches the kernel when the button is enabled again. A click that arrives while a press
    runs or within :data:`QUEUED_CLICK_S` of its end is dropped. ``click()`` (from code) always runs."""

    ended = -math.inf  # time.monotonic() at the end of the last press (set by :func:`pressed`)

    def _handle_button_msg(self, _, content, buffers):
        if content.get("event") == "click" and (self.disabled or time.monotonic() - self.ended < QUEUED_CLICK_S):
            return
        super()._handle_button_msg(_, content, buffers)


def train_button() -> TrainButton:
    """The primary ``Train`` button (a :class:`TrainButton`)."""
    return TrainButton(description="Train", button_style="primary", icon="play")


def seed_and_train(seed: int, style: dict | None = None,
                   where: str = "widget") -> tuple[widgets.BoundedIntText, widgets.Button]:
    """The seed box and the Train button of a widget."""
    return seed_box(seed, style, where), train_button()


def remember(box, result, summary, text: str) -> None:
    """A finished Train press: ``box.result`` is ``result``, appended to ``box.history``, and the
    ``summary`` (an ``ipywidgets.HTML``) shows ``text``, escaped."""
    box.result = result
    box.history.append(result)
    summary.value = html.escape(text)


def refuse(summary, err: Exception) -> None:
    """Show in ``summary`` why the widget cannot run the chosen settings (a press's ValueError would
    otherwise end up in the kernel's log, where nobody sees it); the caller re-raises."""
    summary.value = "<b>Cannot run these settings:</b> " + html.escape(str(err))


@contextlib.contextmanager
def pressed(train: widgets.Button, summary):
    """The body of a Train press: ``train`` is disabled while it runs (a second click cannot start a
    second run; a :class:`TrainButton` also drops the click queued meanwhile) and ``summary`` says
    that training runs (:data:`BUSY`); a ValueError (settings the widget cannot run) is shown in
    ``summary`` by :func:`refuse` and raised; the button is enabled again however the body ends."""
    train.disabled = True
    summary.value = BUSY
    try:
        yield
    except ValueError as err:
        refuse(summary, err)
        raise
    except BaseException as err:
        summary.value = f"<b>Training stopped:</b> {html.escape(type(err).__name__)}: {html.escape(str(err))}"
        raise
    finally:
        train.disabled = False
        train.ended = time.monotonic()


def show_figure(output: widgets.Output, fig) -> None:
    """Show ``fig`` in ``output`` in place of what it showed, then close it (the output keeps the
    picture). The PNG is drawn once, as the notebook's inline backend draws a figure (tight bounding
    box), and kept as ``output.course_png`` for the box's still picture (:meth:`CourseBox.snapshot`)."""
    png = print_figure(fig, "png", bbox_inches="tight")
    output.course_png = png
    with output:
        output.clear_output(wait=True)
        display(Image(data=png, format="png"))
    plt.close(fig)


__all__ = ["CourseBox", "SEED_BOX", "QUEUED_CLICK_S", "BUSY", "TrainButton", "in_range", "seed_box", "train_button",
           "seed_and_train", "remember", "refuse", "pressed", "show_figure"]
