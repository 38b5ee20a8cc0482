"""The pieces every notebook widget builds the same way: the seed box, the Train button, and
showing a figure in an output area."""

from __future__ import annotations

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


def show_figure(output: widgets.Output, fig) -> None:
    """Show ``fig`` in ``output`` in place of what it showed, then close it (the output keeps the picture)."""
    with output:
        output.clear_output(wait=True)
        display(fig)
    plt.close(fig)


__all__ = ["seed_box", "train_button", "show_figure"]
