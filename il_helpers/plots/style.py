"""One palette and one label table for every figure of the course, so a method or a policy has
the same colour, marker and name in every notebook."""

from __future__ import annotations

#: a colour per policy / method / curve, keyed by the lower-case first word of its label
COLORS = {
    "expert": "#1f77b4", "learner": "#d62728", "bc": "#d62728", "mse-bc": "#d62728", "random": "#7f7f7f",
    "dart": "#ff7f0e", "bc + dart": "#ff7f0e", "bc + noise injection": "#ff7f0e", "noise injection": "#ff7f0e",
    "previous": "#9a9a9a",
    "dagger": "#2ca02c", "safedagger": "#9467bd", "hg-dagger": "#8c564b", "selective": "#17becf",
    "selective dagger": "#17becf",
    "gail": "#e377c2", "airl": "#bcbd22", "maxent_irl": "#17becf", "maxent": "#17becf",
    "mdn": "#9467bd", "discretized": "#8c564b", "cvae": "#ff7f0e",
}
#: the name a method goes by in tables and legends
LABELS = {"bc": "BC", "mse": "MSE-BC", "dagger": "DAgger", "gail": "GAIL", "airl": "AIRL", "mdn": "MDN",
          "discretized": "discretized", "cvae": "CVAE", "maxent_irl": "MaxEnt IRL"}
#: a marker per method, for scatter plots of several methods
MARKERS = {"bc": "o", "dagger": "s", "gail": "^", "airl": "v", "mdn": "D", "maxent_irl": "P", "discretized": "X",
           "cvae": "*"}
#: the colours of a gridworld's object kinds (ObjectWorld)
OBJECT_COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")


def color(label: str, i: int = 0) -> str:
    """The colour of ``label`` (its whole lower-case text, else its first word), else the i-th of
    matplotlib's cycle."""
    key = label.lower()
    return COLORS.get(key) or COLORS.get(key.split()[0] if key.split() else key, f"C{i % 10}")


def label(method: str) -> str:
    """The display name of a method key (``"maxent_irl"`` -> ``"MaxEnt IRL"``)."""
    return LABELS.get(method, method)
