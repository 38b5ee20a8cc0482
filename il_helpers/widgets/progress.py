"""What every Train button shares: a progress bar with one tqdm stage per message a trainer
reports, and the drawing of a finished figure into the widget's output area."""

from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display
from tqdm.auto import tqdm


def seed_and_train(seed: int, style: dict) -> tuple[widgets.BoundedIntText, widgets.Button]:
    """The seed box (0-999) and the Train button of a widget."""
    sd = widgets.BoundedIntText(value=seed, min=0, max=999, description="Seed", style=style,
                                layout=widgets.Layout(width="120px"))
    return sd, widgets.Button(description="Train", button_style="primary", icon="play")


def remember(box, result, summary, text: str) -> None:
    """A finished Train press: ``box.result`` is ``result``, appended to ``box.history``, and the
    ``summary`` (an ``ipywidgets.HTML``) shows ``text``, escaped."""
    box.result = result
    box.history.append(result)
    summary.value = html.escape(text)


def show_figure(output, fig) -> None:
    """Replace what ``output`` (an ``ipywidgets.Output``) shows with ``fig``, then close ``fig``
    (so the notebook does not draw it a second time)."""
    with output:
        output.clear_output(wait=True)
        display(fig)
        plt.close(fig)


class StagedProgress:
    """Call it with each stage's name as the work reaches it (a trainer's ``progress=``
    callback); the bar advances one step per new stage and shows the current one.
    ``close()`` completes the last stage."""

    def __init__(self, stages: list[str], desc: str = "Train"):
        self.first = stages[0]
        self.bar = tqdm(total=len(stages), desc=desc, leave=False)

    def __call__(self, message: str) -> None:
        if message != self.first:
            self.bar.update(1)
        self.bar.set_postfix_str(message)

    def close(self) -> None:
        self.bar.update(1)
        self.bar.close()
