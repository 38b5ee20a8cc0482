"""Tables as tables: an HTML table in JupyterLab (and on a static page), aligned text elsewhere.

    il.table(rows, columns=["method", "score"], title="CartPole, 5 seeds", fmt={"score": "{:.2f}"})

``rows`` is a list of dicts (or of sequences, in the order of ``columns``). Numbers are formatted by
``fmt`` (one format for every number, or a dict per column); everything else is shown as ``str``.
No pandas needed: the course's dependencies stay small.
"""

from __future__ import annotations

import html
import numbers
from dataclasses import dataclass


@dataclass
class Table:
    """A table with an HTML view for notebooks and an aligned-text view for terminals and tests."""

    columns: list[str]
    cells: list[list[str]]
    title: str | None = None
    note: str | None = None

    def __len__(self) -> int:
        return len(self.cells)

    def __repr__(self) -> str:
        widths = [max([len(c)] + [len(r[i]) for r in self.cells]) for i, c in enumerate(self.columns)]
        line = lambda vals: "  ".join(v.rjust(w) if i else v.ljust(w)  # noqa: E731
                                      for i, (v, w) in enumerate(zip(vals, widths)))
        out = [self.title] if self.title else []
        out += [line(self.columns), line(["-" * w for w in widths])] + [line(r) for r in self.cells]
        if self.note:
            out.append(self.note)
        return "\n".join(out)

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:{'left' if i == 0 else 'right'}'>{html.escape(c)}</th>"
                       for i, c in enumerate(self.columns))
        body = "".join("<tr>" + "".join(
            f"<td style='text-align:{'left' if i == 0 else 'right'};white-space:nowrap'>{html.escape(v)}</td>"
            for i, v in enumerate(r)) + "</tr>" for r in self.cells)
        cap = f"<caption style='text-align:left;font-weight:bold'>{html.escape(self.title)}</caption>" \
            if self.title else ""
        note = f"<p style='font-size:90%;opacity:0.8'>{html.escape(self.note)}</p>" if self.note else ""
        return (f"<table class='il-table'>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                f"{note}")


def _cell(value, fmt: str) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, numbers.Real):
        try:
            return fmt.format(value)
        except (ValueError, TypeError):
            return str(value)
    return str(value)


def table(rows, columns: list[str] | None = None, *, title: str | None = None, fmt: str | dict = "{:.3g}",
          note: str | None = None) -> Table:
    """A :class:`Table` of ``rows`` (dicts, or sequences in the order of ``columns``)."""
    rows = list(rows)
    if columns is None:
        if not rows or not isinstance(rows[0], dict):
            raise ValueError("table: give columns=[...] unless rows are dicts")
        columns = list(rows[0])
    columns = [str(c) for c in columns]
    fmts = fmt if isinstance(fmt, dict) else {}
    default = "{:.3g}" if isinstance(fmt, dict) else fmt
    cells = []
    for k, row in enumerate(rows):
        if isinstance(row, dict):
            missing = [c for c in columns if c not in row]
            if missing:
                raise ValueError(f"table: row {k} has no {', '.join(missing)} (columns: {', '.join(columns)})")
            values = [row[c] for c in columns]
        else:
            values = list(row)
            if len(values) != len(columns):
                raise ValueError(f"table: row {k} has {len(values)} values for {len(columns)} columns")
        cells.append([_cell(v, fmts.get(c, default)) for c, v in zip(columns, values)])
    return Table(columns=columns, cells=cells, title=title, note=note)
