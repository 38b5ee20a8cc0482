"""A still picture of a notebook widget, for readers without a kernel.

GitHub, nbviewer, a static course site and JupyterLab on a notebook it does not trust cannot draw a
live widget; they draw the best other format a widget's output carries. :func:`widget_snapshot`
makes that format a picture of the widget as it was left: its settings and summary as text above its
last plot (the PNG the widget showed), with a line saying how to use it live."""

from __future__ import annotations

import io
import textwrap

import matplotlib.image as mpimg
from matplotlib.figure import Figure

CHAR_PX = 8.5  # a 10-pt character's width in pixels at 100 dpi, with a margin: the caption wraps at width / CHAR_PX
LINE_PX = 17  # one caption line's height in pixels at 100 dpi, 10 pt


def widget_snapshot(title: str, lines: list[str], plot_png: bytes | None, dpi: int = 100) -> bytes:
    """A PNG: ``title`` in bold, then ``lines`` (wrapped to the picture's width), then the PNG
    ``plot_png`` at its own size (none if ``None``). The picture is as wide as the plot (at least
    6.4 inches) and as tall as the caption plus the plot."""
    image = mpimg.imread(io.BytesIO(plot_png), format="png") if plot_png else None
    width_px = max(640, image.shape[1] if image is not None else 0)
    wrapped = [w for line in lines for w in (textwrap.wrap(line, int(width_px / CHAR_PX)) or [""])]
    caption_px = LINE_PX * (len(wrapped) + 1) + 14
    plot_px = image.shape[0] if image is not None else 0
    fig = Figure(figsize=(width_px / dpi, (caption_px + plot_px) / dpi), dpi=dpi)
    top = 1 - 7 / (caption_px + plot_px)
    fig.text(0.01, top, title, fontsize=10, fontweight="bold", va="top", family="sans-serif")
    fig.text(0.01, top - LINE_PX / (caption_px + plot_px), "\n".join(wrapped), fontsize=10, va="top",
             family="sans-serif", linespacing=1.25)
    if image is not None:
        ax = fig.add_axes((0, 0, image.shape[1] / width_px, plot_px / (caption_px + plot_px)))
        ax.imshow(image, interpolation="none")
        ax.set_axis_off()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


__all__ = ["widget_snapshot"]
