"""Does InfoGAIL's code choose the side? InfoGAIL on ObstacleFork at its defaults over seeds and
demonstration sets, each code driven alone (notebook 09).

    python benchmarks/infogail_study.py [--seeds 10] [--demo-sets 2] [--demos 10] [--workers 2]
                                        [--iterations 200] [--info-weight 0.5]
                                        [--out benchmarks/infogail_study.json]

Seed s, demonstration set k: the expert episodes collected with seed ``s + DEMO_SEED_OFFSET + 1000 k``
(set 0 is the bench's), scored on 100 test episodes (seed ``s + EVAL_SEED_OFFSET``) with every episode
driven by one code. A run passes (the issue's bar) when the success is >= 0.9 and each code passes >= 90 %
of its episodes on its own side, the two codes on opposite sides
(:func:`il_helpers.lessons.beyond_gail.infogail_run`). Printed: the per-run table and the summary; the
result is written atomically to ``--out`` (JSON), which notebook 09 reads and labels as measured here.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

KEEP = ("seed", "demo_set", "success", "left_share", "code_success", "code_left_share", "code_side", "on_side",
        "passed", "info", "wall_s")


def run_one(job: tuple) -> dict:
    seed, demo_set, n_demos, settings = job
    import torch

    torch.set_num_threads(1)
    from il_helpers.lessons.beyond_gail import infogail_run

    row = infogail_run(seed, n_demos=n_demos, demo_set=demo_set, settings=settings)
    out = {k: row[k] for k in KEEP}
    out["curve"] = [round(float(r), 3) for r in row["history"].info]     # the bound's estimate per iteration
    return out


def summarize(rows: list[dict]) -> dict:
    split = [r for r in rows if len(set(r["code_side"]) - {"none"}) == len(r["code_side"])]
    return {"runs": len(rows), "passed": sum(r["passed"] for r in rows), "sides_split": len(split),
            "success_mean": round(statistics.fmean(r["success"] for r in rows), 4),
            "success_worst": min(r["success"] for r in rows),
            "on_side_worst": min(min(r["on_side"]) for r in rows),
            "failed": [[r["seed"], r["demo_set"]] for r in rows if not r["passed"]]}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--demo-sets", type=int, default=2)
    p.add_argument("--demos", type=int, default=10)
    p.add_argument("--iterations", type=int, default=None, help="generator iterations (default: InfoGAIL's, 200)")
    p.add_argument("--info-weight", type=float, default=None, help="the information reward's weight (default 0.5)")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--out", default=None, help="JSON to write (atomically); default: print only")
    a = p.parse_args(argv)
    from il_helpers.algorithms.infogail import InfoGAILConfig

    over = {k: v for k, v in (("iterations", a.iterations), ("info_weight", a.info_weight)) if v is not None}
    jobs = [(s, k, a.demos, over) for k in range(a.demo_sets) for s in range(a.seeds)]
    t0, load = time.perf_counter(), os.getloadavg()[0]
    if a.workers > 1:
        with ProcessPoolExecutor(a.workers) as ex:
            rows = list(ex.map(run_one, jobs))
    else:
        rows = [run_one(j) for j in jobs]
    print(f"{'seed':>4} {'set':>3} {'success':>7}  {'code 0':>16}  {'code 1':>16}  {'info':>5}  passed")
    for r in rows:
        codes = "  ".join(f"{s:>5} {o:.2f} ({c:.2f})"
                          for s, o, c in zip(r["code_side"], r["on_side"], r["code_success"]))
        print(f"{r['seed']:>4} {r['demo_set']:>3} {r['success']:>7.2f}  {codes}  {r['info']:>5.2f}  {r['passed']}")
    summary = summarize(rows)
    print(f"passed {summary['passed']}/{summary['runs']}, codes on opposite sides {summary['sides_split']}/"
          f"{summary['runs']}, success mean {summary['success_mean']:.3f} (worst {summary['success_worst']:.2f})")
    cfg = InfoGAILConfig(**over)
    settings = {k: getattr(cfg, k) for k in ("iterations", "codes", "info_weight", "bc_epochs", "d_steps", "d_replay")}
    settings["ppo_init_log_std"] = cfg.ppo.init_log_std
    result = {"env": "il_helpers/ObstacleFork-v0", "seeds": a.seeds, "demo_sets": a.demo_sets, "demos": a.demos,
              "settings": settings, "rows": rows, "summary": summary, "wall_s": round(time.perf_counter() - t0, 1),
              "workers": a.workers, "load_at_start": round(load, 2),
              "command": " ".join(["benchmarks/infogail_study.py", *sys.argv[1:]])}
    if a.out:
        from il_helpers.core.io import atomic_write

        atomic_write(a.out, json.dumps(result, indent=1) + "\n")
    return result


if __name__ == "__main__":
    main()
