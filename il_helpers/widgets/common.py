"""The pieces every notebook widget builds the same way: the seed box, the Train button, the
record of a finished press, and showing a figure in an output area."""

from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display


def seed_box(seed: int, style: dict | None = None) -> widgets.BoundedIntText:
    """The ``Seed`` field (0 to 999)."""
    return widgets.BoundedIntText(value=seed, min=0, max=999, description="Seed",
                                  style=style or {"description_width": "initial"}, layout=widgets.Layout(width="120px"))


def train_button() -> widgets.Button:
    """The primary ``Train`` button."""
    return widgets.Button(description="Train", button_style="primary", icon="play")


def seed_and_train(seed: int, style: dict | None = None) -> tuple[widgets.BoundedIntText, widgets.Button]:
    """The seed box and the Train button of a widget."""
    return seed_box(seed, style), train_button()


def remember(box, result, summary, text: str) -> None:
    """A finished Train press: ``box.result`` is ``result``, appended to ``box.history``, and the
    ``summary`` (an ``ipywidgets.HTML``) shows ``text``, escaped."""
    box.result = result
    box.history.append(result)
    summary.value = html.escape(text)


def show_figure(output: widgets.Output, fig) -> None:
    """Show ``fig`` in ``output`` in place of what it showed, then close it (the output keeps the picture)."""
    with output:
        output.clear_output(wait=True)
        display(fig)
    plt.close(fig)


__all__ = ["seed_box", "train_button", "seed_and_train", "remember", "show_figure"]
