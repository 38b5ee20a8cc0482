"""How long a widget's expensive callback takes at its default settings (the course's budget: 3 s
on a 2-core CPU). One function per widget; ``main`` runs them all and prints the figures.

    python benchmarks/widget_callbacks.py [--repeats 5]

Each function builds the widget with its defaults, presses its button once as a warm-up (torch's
one-time imports, cached expert curves), then times ``repeats`` presses. The machine's load
average is printed too: on a shared machine, re-run when it is quiet.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import time

import matplotlib

matplotlib.use("Agg")


def _time_clicks(button, repeats: int) -> tuple[float, list[float]]:
    """Seconds of a warm-up press, then of each of ``repeats`` presses (outside a notebook the
    widget's figure and progress bar go to stdout / stderr: they are swallowed here)."""
    times = []
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for _ in range(repeats + 1):
            t0 = time.perf_counter()
            button.click()
            times.append(time.perf_counter() - t0)
    return times[0], times[1:]


def bench_distribution_shift(repeats: int = 5) -> dict:
    """Notebook 01: the Train button of ``distribution_shift_widget()`` at its defaults
    (collect 10 demonstrations, train BC 16x16 for 20 epochs, 300 episodes x 1000 steps, redraw)."""
    from il_helpers.widgets import distribution_shift_widget

    box = distribution_shift_widget()
    warm, times = _time_clicks(box.train, repeats)
    return {"widget": "distribution_shift_widget (notebook 01) Train", "warm_up_s": warm, "times_s": times}


BENCHMARKS = [bench_distribution_shift]


def bench_dagger(repeats: int = 5) -> dict:
    """Notebook 03: the Train button of ``dagger_widget()`` at its defaults (2 expert episodes, then
    5 DAgger iterations of 2 episodes with beta_i = 0.5^i, a 16x16 learner retrained each iteration,
    100 evaluation episodes per iteration, redraw)."""
    from il_helpers.widgets import dagger_widget

    box = dagger_widget()
    warm, times = _time_clicks(box.train, repeats)
    return {"widget": "dagger_widget (notebook 03) Train", "warm_up_s": warm, "times_s": times}


BENCHMARKS.append(bench_dagger)


def bench_behavioral_cloning(repeats: int = 5) -> dict:
    """Notebook 02: the Train button of ``behavioral_cloning_widget()`` at its defaults (collect 10
    expert demonstrations, train notebook 01's 16x16 learner for 20 epochs, drive 20 episodes x
    1000 steps, redraw)."""
    from il_helpers.widgets import behavioral_cloning_widget

    box = behavioral_cloning_widget()
    warm, times = _time_clicks(box.train, repeats)
    return {"widget": "behavioral_cloning_widget (notebook 02) Train", "warm_up_s": warm, "times_s": times}


BENCHMARKS.append(bench_behavioral_cloning)


def bench_maxent_irl(repeats: int = 5) -> dict:
    """Notebook 04: the Train button of ``maxent_irl_widget()`` at its defaults (FeatureGrid 16x16,
    collect 64 demonstrations, 200 gradient steps of linear MaxEnt IRL, EVD and visitations, redraw)."""
    from il_helpers.widgets import maxent_irl_widget

    box = maxent_irl_widget()
    warm, times = _time_clicks(box.train, repeats)
    return {"widget": "maxent_irl_widget (notebook 04) Train", "warm_up_s": warm, "times_s": times}


BENCHMARKS.append(bench_maxent_irl)


def bench_gail(repeats: int = 5) -> dict:
    """Notebook 05: the Train button of ``gail_widget()`` at its defaults (GAIL on CartPole from 10
    expert episodes, reward logit, absorbing state, 15 iterations of 16 episodes with the live plot
    redrawn every 2 iterations, 50 evaluation episodes, redraw). Outside a notebook the figures are
    not rendered to PNG; in JupyterLab each redraw adds that rendering."""
    from il_helpers.widgets import gail_widget

    box = gail_widget()
    warm, times = _time_clicks(box.train, repeats)
    return {"widget": "gail_widget (notebook 05) Train", "warm_up_s": warm, "times_s": times}


BENCHMARKS.append(bench_gail)


def bench_multimodal(repeats: int = 5) -> dict:
    """Notebook 06: the Train button of ``multimodal_widget()`` at its defaults (100 ObstacleFork
    demonstrations, an MDN with K=5 components, 100 evaluation episodes, redraw)."""
    from il_helpers.widgets import multimodal_widget

    box = multimodal_widget()
    warm, times = _time_clicks(box.train, repeats)
    return {"widget": "multimodal_widget (notebook 06) Train", "warm_up_s": warm, "times_s": times}


BENCHMARKS.append(bench_multimodal)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"cores: {os.cpu_count()}, load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for bench in BENCHMARKS:
        out = bench(args.repeats)
        t = out["times_s"]
        print(f"{out['widget']}: median {statistics.median(t):.2f} s, min {min(t):.2f} s, max {max(t):.2f} s "
              f"over {len(t)} presses (warm-up press {out['warm_up_s']:.2f} s)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
