"""The graded assignments' reference solutions (the solution regions of notebooks 02 to 06) against their
thresholds, over seeds 0-4: prints every seed's measured value (README: "Graded assignments").

    IL_FAST=1 python benchmarks/assignments_margin.py            # every assignment
    IL_FAST=1 python benchmarks/assignments_margin.py gail       # one (bc, dagger, maxent, gail, multimodal)
"""

import argparse
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def solution(notebook: str, grade_id: str, names: dict) -> dict:
    """Run the notebook's answer cell (with its solution) in ``names``; return them."""
    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    cell = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)
    exec(cell.source, names)
    return names


def bc(seeds):
    import torch

    from il_helpers.exercises import behavioral_cloning as B

    names = solution("02_behavioral_cloning.ipynb", "bc_loss_answer", {"torch": torch})
    names["bc_loss_used"] = names["my_bc_loss"]
    solution("02_behavioral_cloning.ipynb", "bc_loop_answer", names)
    print(f"02 BC loop: normalized score on {B.BC_ASSIGNMENT.eval_episodes} test roads, threshold "
          f">= {B.BC_ASSIGNMENT.threshold}")
    for seed in seeds:
        t0 = time.perf_counter()
        r = B.bc_loop(names["my_train_bc"], seed=seed, verbose=False)
        print(f"  seed {seed}: {r.status:7s} score {r.score:.4f}  ({time.perf_counter() - t0:.1f} s)")


def dagger(seeds):
    import il_helpers as il
    from il_helpers.algorithms.dagger import MixturePolicy, aggregate, labelled_steps
    from il_helpers.exercises import dagger as D

    names = solution("03_dagger.ipynb", "dagger_answer", {"il": il, "MixturePolicy": MixturePolicy,
                                                          "aggregate": aggregate, "labelled_steps": labelled_steps})
    a = D.DAGGER_ASSIGNMENT
    print(f"03 DAgger loop: off-road rate on {a.eval_episodes} test episodes, threshold <= {a.max_off_road} and "
          "below BC on as many labels")
    for seed in seeds:
        t0 = time.perf_counter()
        r = D.dagger_outcome(names["my_dagger"], seed=seed, verbose=False)
        print(f"  seed {seed}: {r.status:7s} off road {100 * r.score:.3f}%  BC {100 * r.bc.off_road_rate:.3f}%  "
              f"({time.perf_counter() - t0:.1f} s)")


def maxent(seeds):
    import numpy as np

    from il_helpers.exercises import maxent_irl as M

    names = solution("04_maxent_irl.ipynb", "maxent_gradient_answer", {
        "np": np, "soft_backup": M.soft_bellman_backup, "forward_pass": M.visitation_forward_pass})
    a = M.MAXENT_ASSIGNMENT
    fd = M.maxent_fd(names["my_maxent_gradient"], verbose=False)
    print(f"04 MaxEnt IRL gradient: against finite differences on a {a.fd_size}x{a.fd_size} grid: {fd.status}; "
          f"relative EVD after {a.steps} Adam steps on a {a.size}x{a.size} FeatureGrid (layout = seed), threshold "
          f"<= {a.max_evd}")
    for seed in seeds:
        t0 = time.perf_counter()
        r = M.maxent_evd(names["my_maxent_gradient"], seed=seed, verbose=False)
        print(f"  seed {seed}: {r.status:7s} EVD {100 * r.score:.3f}%  ({time.perf_counter() - t0:.1f} s)")


def gail(seeds):
    from torch.nn.functional import softplus

    from il_helpers.exercises import gail as G

    names = solution("05_gail_airl.ipynb", "gail_reward_answer", {"softplus": softplus})
    solution("05_gail_airl.ipynb", "gail_loss_answer", names)
    a = G.GAIL_ASSIGNMENT
    print(f"05 GAIL loss and reward: mean return on {a.eval_episodes} CartPole test episodes after {a.iterations} "
          f"iterations, threshold >= {a.threshold:g}")
    for seed in seeds:
        t0 = time.perf_counter()
        r = G.gail_return(names["my_d_loss"], names["my_reward"], seed=seed, verbose=False)
        print(f"  seed {seed}: {r.status:7s} return {r.score:.2f}  ({time.perf_counter() - t0:.1f} s)")


def multimodal(seeds):
    import math

    import torch

    from il_helpers.exercises import multimodal as F

    names = solution("06_multimodal_mdn.ipynb", "fork_nll_answer", {"torch": torch, "math": math})
    solution("06_multimodal_mdn.ipynb", "fork_action_answer", names)
    a = F.FORK_ASSIGNMENT
    print(f"06 MDN loss and mode-holding action: ObstacleFork, {a.eval_episodes} test episodes, threshold success "
          f">= {a.min_success} and each side >= {a.min_side} of the episodes")
    for seed in seeds:
        t0 = time.perf_counter()
        r = F.fork_outcome(names["my_mdn_nll"], names["my_mode_action"], seed=seed, verbose=False)
        s = r.stats
        print(f"  seed {seed}: {r.status:7s} success {s['success_rate']:.2f}  left {s['left']:.2f}  right "
              f"{s['right']:.2f}  ({time.perf_counter() - t0:.1f} s)")


ASSIGNMENTS = {"bc": bc, "dagger": dagger, "maxent": maxent, "gail": gail, "multimodal": multimodal}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("only", nargs="*", help=f"the assignments to run, of {', '.join(ASSIGNMENTS)} (default: all)")
    args = ap.parse_args(argv)
    unknown = [n for n in args.only if n not in ASSIGNMENTS]
    if unknown:
        ap.error(f"unknown assignment(s) {', '.join(unknown)}; choose from {', '.join(ASSIGNMENTS)}")
    for name in args.only or ASSIGNMENTS:
        ASSIGNMENTS[name](range(5))


if __name__ == "__main__":
    main()
