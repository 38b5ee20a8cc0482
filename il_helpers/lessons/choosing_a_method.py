"""Choosing a method from measurements (notebook 07): every method on shared tasks and budgets,
and imitation followed by improvement.

* :data:`TASKS`: the shared tasks, each an environment, a demonstration budget and the
  *changed conditions* a policy is also evaluated under (a longer horizon, stronger gusts,
  reversed controls). :func:`run_method` trains one method on one task with one seed and returns
  a **row**: what it reached (normalized score, success), what it cost (expert labels,
  environment steps, training wall time) and how it behaves when the conditions change.
  :func:`run_comparison` runs many; :func:`summarize` reduces them over seeds, and
  :func:`il_helpers.plots.comparison_table` and :func:`il_helpers.plots.plot_comparison` turn
  them into the table and the figure, never typed by hand; :func:`seed_values` gives one value
  per seed, for claims that say on how many seeds they hold. Gridworld scores are exact
  (:func:`grid_score`: expected returns under the known model, no sampling).
* :func:`readme_results` reads the bench's results table from the README (``make results``), and
  :func:`bench_failures` lists where a method scores below a threshold there.
* :func:`finetune_experiment`: behavioral cloning of a demonstrator that is *not* optimal for
  the true reward, then PPO on the true reward from that initialization, against PPO from
  scratch with the same number of environment steps (:func:`bc_actor_critic` does the
  maximum-likelihood initialization of an :class:`~il_helpers.algorithms.ppo.ActorCritic`).

Costs are counted the same way for every method: ``expert_labels`` = the demonstration pairs plus
every label an interactive expert was asked for (DAgger); ``env_steps`` = the environment steps
the learner itself took while training (0 for BC and MaxEnt IRL; DAgger's data-collection
rollouts; GAIL's and AIRL's PPO rollouts). MaxEnt IRL takes no step but needs the transition
model instead. Seeds follow the bench CLI: demonstrations ``seed + 10_000``, evaluation
``seed + 20_000``.
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from ..algorithms.bc import BCConfig
from ..bench.methods import train_method
from ..core.demonstrations import HO_ERMON_SUBSAMPLE, Demonstrations, collect_demonstrations
from ..core.policies import RandomPolicy
from ..core.rollout import rollout
from ..core.seeding import DEMO_SEED_OFFSET, EVAL_SEED_OFFSET
from ..envs.gridworlds import changed_dynamics, is_gridworld, world_for
from ..envs.registry import LANE_KEEPING, OBSTACLE_FORK, env_spaces, get_expert
from ..tabular.policies import policy_table
from ..tabular.solvers import policy_value, soft_value_iteration, value_iteration
from .multimodal import TRAIN, TRAIN_FAST


@dataclass(frozen=True)
class Task:
    """One shared task: ``n_demos`` expert episodes of ``env_id`` (every ``subsample``-th pair
    kept), the ``methods`` run on it, and ``changes``: name -> ``{"horizon": T}`` and/or
    ``{"env_kwargs": {...}}`` (or ``{"controls": "reverse"}`` on a gridworld) for the transfer
    columns."""

    name: str
    env_id: str
    n_demos: int
    methods: tuple[str, ...]
    subsample: int = 1
    changes: dict = field(default_factory=dict)
    needs: str = ""


TASKS: dict[str, Task] = {
    "LaneKeeping": Task("LaneKeeping", LANE_KEEPING, 4, ("bc", "dagger", "gail", "airl"),
                        changes={"T=1000": {"horizon": 1000}, "gusts x3": {"env_kwargs": {"heading_noise": 0.06}}}),
    "CartPole": Task("CartPole", "CartPole-v1", 1, ("bc", "dagger", "gail"), subsample=HO_ERMON_SUBSAMPLE,
                     changes={"T=1000": {"horizon": 1000}}),
    "ObstacleFork": Task("ObstacleFork", OBSTACLE_FORK, 100, ("bc", "mdn")),
    "FeatureGrid": Task("FeatureGrid", "il_helpers/FeatureGrid-v0", 16, ("bc", "maxent_irl"),
                        changes={"controls reversed": {"controls": "reverse"}}),
}

#: what each method needs besides the demonstrations
NEEDS = {"bc": "demos", "mdn": "demos", "dagger": "demos + interactive expert + simulator",
         "gail": "demos + simulator", "airl": "demos + simulator", "maxent_irl": "demos + transition model"}

#: per-method training budgets (full, fast) each bench adapter (:mod:`il_helpers.bench.methods`)
#: runs with here. BC: 50 epochs, train_bc's validation split (the bench's BC: a step budget on all
#: the data); on ObstacleFork least squares with notebook 06's budget; DAgger: iterations of 2
#: episodes, its learner BC at its defaults (with fewer epochs DAgger's fast-mode claims fail);
#: GAIL / AIRL: iterations of 16 episodes; MaxEnt IRL: gradient steps; the MDN: notebook 06's budget.
BUDGETS = {
    "bc": ({"epochs": 50, "val_frac": BCConfig.val_frac}, {"epochs": 50, "val_frac": BCConfig.val_frac}),
    "dagger": ({"iterations": 4, "iteration_episodes": 2, "bc": BCConfig()},
               {"iterations": 2, "iteration_episodes": 2, "bc": BCConfig()}),
    "gail": ({"iterations": 40}, {"iterations": 10}),
    "airl": ({"iterations": 30}, {"iterations": 10}),
    "maxent_irl": ({"steps": 150, "reward": "linear"}, {"steps": 60, "reward": "linear"}),
    "mdn": ({}, {}),
}
FORK_BC = ({"loss": "mse", "val_frac": BCConfig.val_frac, **TRAIN},
           {"loss": "mse", "val_frac": BCConfig.val_frac, **TRAIN_FAST})  # least-squares BC on ObstacleFork


def method_budget(method: str, fast: bool = False) -> dict:
    """The training settings of ``method`` in full or fast mode (see :data:`BUDGETS`)."""
    if method not in NEEDS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(NEEDS)}")
    full, quick = BUDGETS.get(method, ({}, {}))
    return dict(quick if fast else full)


def _task(task) -> Task:
    if isinstance(task, Task):
        return task
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)} or pass a Task")
    return TASKS[task]


def task_demos(task, seed: int = 0) -> Demonstrations:
    """The expert demonstrations of ``task`` for ``seed`` (collected with ``seed + 10_000``)."""
    task = _task(task)
    demos = collect_demonstrations(task.env_id, task.n_demos, seed=seed + DEMO_SEED_OFFSET)
    return demos.subsample(task.subsample, seed=seed) if task.subsample > 1 else demos


# ---------------------------------------------------------------------------------------------
# evaluation, in the training conditions and in changed ones
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _reference(env_id: str, horizon: int | None, kwargs: tuple) -> tuple[float, float]:
    """Mean returns of the expert and of the random policy under a changed condition."""
    env_kwargs = dict(kwargs) or None
    expert = rollout(get_expert(env_id), env_id, 100, seed=12345, horizon=horizon, env_kwargs=env_kwargs)
    rand = rollout(RandomPolicy(env_spaces(env_id)[1], seed=12345), env_id, 100, seed=12345, horizon=horizon,
                   env_kwargs=env_kwargs)
    return float(expert.returns.mean()), float(rand.returns.mean())


def score(policy, env_id: str, n_episodes: int, seed: int, horizon: int | None = None,
          env_kwargs: dict | None = None) -> dict:
    """Normalized score (random 0, the expert *under the same conditions* 1), mean return and,
    where the env reports them, the off-road and success rates."""
    if hasattr(policy, "reset"):           # mode-holding policies (MDN): fresh per-episode modes
        policy.reset(n_episodes, seed=seed)
    r = rollout(policy, env_id, n_episodes, seed=seed, horizon=horizon, env_kwargs=env_kwargs)
    expert, rand = _reference(env_id, horizon, tuple(sorted((env_kwargs or {}).items())))
    out = {"return_mean": float(r.returns.mean()), "normalized": float((r.returns.mean() - rand) / (expert - rand))}
    if "off_road" in r.infos:
        out["off_road_rate"] = float((r.infos["off_road"] & r.alive).sum() / r.alive.sum())
    if "success" in r.infos:
        out["success_rate"] = float((r.infos["success"] & r.alive).any(axis=1).mean())
    return out


def grid_score(pi, world, P=None) -> dict:
    """Exact score of a time-indexed policy table ``pi[t, s, a]`` on a gridworld under the
    transitions ``P`` (default: the world's own): no sampling, the expected return under the
    known model, ``return_mean = sum_t E[r(s_t)]`` from the start distribution. ``normalized``:
    the uniform random policy 0, the course's soft-optimal expert *planned for the same* ``P``
    (soft value iteration of the true reward) 1; a greedy (hard-optimal) policy scores above 1."""
    P = world.P if P is None else P
    T, S, A = world.horizon, world.n_states, world.n_actions
    v = float(policy_value(pi, world.r, P, world.d0))
    v_exp = float(policy_value(soft_value_iteration(world.r, P, T).policy, world.r, P, world.d0))
    v_rand = float(policy_value(torch.full((T, S, A), 1.0 / A, dtype=torch.float64), world.r, P, world.d0))
    return {"return_mean": v, "normalized": (v - v_rand) / (v_exp - v_rand)}


# ---------------------------------------------------------------------------------------------
# one method on one task
# ---------------------------------------------------------------------------------------------


def _train(method: str, demos: Demonstrations, seed: int, settings: dict, fast: bool):
    """Train ``method`` through its bench adapter (the one dispatch of the course); return
    ``(policy, extra)`` with ``expert_labels``, ``env_steps`` and, for MaxEnt IRL, the reward."""
    policy, extra = train_method(method, demos, seed=seed, fast=fast, settings=settings)
    hist = extra["history"]
    out = {"expert_labels": len(demos), "env_steps": 0}
    if method == "dagger":                 # every state DAgger visited was labelled by the expert
        labels = int(hist.labels_used)
        out = {"expert_labels": labels, "env_steps": labels - len(demos)}
    elif method in ("gail", "airl"):
        out["env_steps"] = int(hist.env_steps[-1])
    elif method == "maxent_irl":
        out["_reward"] = hist.reward
    return policy, out


def run_method(method: str, task="LaneKeeping", seed: int = 0, budget: dict | None = None, fast: bool = False,
               eval_episodes: int = 100, demos: Demonstrations | None = None) -> dict:
    """Train ``method`` on ``task`` (a :class:`Task` or a name in :data:`TASKS`) with ``seed`` and
    measure it. ``budget`` overrides :func:`method_budget` (``fast`` picks the fast one).

    Returns a row: ``method, task, env, seed, demos, pairs, expert_labels, env_steps, wall_s,
    needs, return_mean, normalized`` (+ ``off_road_rate`` / ``success_rate`` where the env has
    them) and ``transfer``: change name -> normalized score under that change (random 0, the
    expert under the same change 1). On a gridworld every score is exact (:func:`grid_score`:
    the expected return under the known model, the soft-optimal expert planned for the same
    controls 1), with the recovered reward re-optimized under the new controls and the BC policy
    used as it is; ``eval_episodes`` is not used there.
    """
    task = _task(task)
    if method not in NEEDS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(NEEDS)}")
    if method not in task.methods:
        raise ValueError(f"method {method!r} is not run on task {task.name!r} (its methods: {', '.join(task.methods)})")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    if isinstance(eval_episodes, bool) or not isinstance(eval_episodes, (int, np.integer)) or eval_episodes < 1:
        raise ValueError(f"eval_episodes must be an integer >= 1, got {eval_episodes!r}")
    demos = task_demos(task, seed) if demos is None else demos
    if budget is not None:
        settings = dict(budget)
    elif method == "bc" and task.env_id == OBSTACLE_FORK:
        settings = dict(FORK_BC[1 if fast else 0])
    else:
        settings = method_budget(method, fast)
    # torch's first optimizer in a process imports torch._dynamo (about 1 s, once): not training time
    import torch._dynamo  # noqa: F401

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        t0 = time.perf_counter()
        policy, extra = _train(method, demos, int(seed), settings, bool(fast))
        wall = time.perf_counter() - t0
    reward = extra.pop("_reward", None)
    row = {"method": method, "task": task.name, "env": demos.env_id, "seed": int(seed), "demos": demos.num_episodes,
           "pairs": len(demos), **extra, "wall_s": wall, "needs": NEEDS[method]}
    eval_seed = int(seed) + EVAL_SEED_OFFSET
    if is_gridworld(demos.env_id):       # exact: expected returns under the known model, no sampling
        world = world_for(demos.env_id)

        def table_under(P):
            if reward is not None:       # re-plan with the recovered reward under these controls
                return value_iteration(reward, P, world.horizon).policy
            return policy_table(policy, world)   # a policy maps states to actions: used as it is

        row.update(grid_score(table_under(world.P), world))
        row["transfer"] = {}
        for name, change in task.changes.items():
            P = changed_dynamics(world, change["controls"])
            row["transfer"][name] = grid_score(table_under(P), world, P)["normalized"]
        return row
    row.update(score(policy, demos.env_id, eval_episodes, eval_seed))
    row["transfer"] = {name: score(policy, demos.env_id, eval_episodes, eval_seed, horizon=change.get("horizon"),
                                   env_kwargs=change.get("env_kwargs"))["normalized"]
                       for name, change in task.changes.items()}
    return row


def run_comparison(tasks=("LaneKeeping", "CartPole", "ObstacleFork", "FeatureGrid"), seeds=(0,), fast: bool = False,
                   eval_episodes: int = 100, seeds_for: dict | None = None,
                   progress: Callable[[int, int, dict], None] | None = None) -> list[dict]:
    """Every method of every task in ``tasks``, over ``seeds`` (``seeds_for``: method -> seeds, to
    run the expensive ones on fewer). Each seed's demonstrations are shared by the methods.
    ``progress(done, total, row)`` is called after each run. Returns the rows."""
    tasks = [_task(t) for t in tasks]
    if not tasks:
        raise ValueError("tasks must name at least one task")
    seeds_for = dict(seeds_for or {})
    plan = [(t, m, s) for t in tasks for s in seeds for m in t.methods if s in seeds_for.get(m, seeds)]
    rows, demos_cache = [], {}
    for t, m, s in plan:
        key = (t.name, s)
        if key not in demos_cache:
            demos_cache[key] = task_demos(t, s)
        rows.append(run_method(m, t, s, fast=fast, eval_episodes=eval_episodes, demos=demos_cache[key]))
        if progress is not None:
            progress(len(rows), len(plan), rows[-1])
    return rows


# ---------------------------------------------------------------------------------------------
# the table and the figure, made from the rows
# ---------------------------------------------------------------------------------------------

ROW_KEYS = ("method", "task", "env", "seed", "demos", "pairs", "expert_labels", "env_steps", "wall_s", "needs",
            "return_mean", "normalized", "transfer")
NUMERIC = ("normalized", "expert_labels", "env_steps", "wall_s")


def check_rows(rows) -> list[dict]:
    rows = list(rows)
    if not rows:
        raise ValueError("no rows: run some methods first (run_method / run_comparison)")
    for r in rows:
        missing = [k for k in ROW_KEYS if k not in r]
        if missing:
            raise ValueError(f"row {r.get('method')!r} / {r.get('task')!r} lacks {', '.join(missing)}: "
                             "pass rows made by run_method")
    return rows


def summarize(rows) -> dict[tuple[str, str], dict]:
    """Per (task, method), in order of appearance: the mean, min and max over seeds of the
    normalized score, the expert labels, the environment steps and the wall time (``"normalized"``
    etc.: mean; ``"normalized_min"`` / ``"normalized_max"``), the mean success rate where measured,
    ``transfer``: change -> mean normalized score, ``seeds`` and ``needs``."""
    rows = check_rows(rows)
    out: dict[tuple[str, str], dict] = {}
    for key in dict.fromkeys((r["task"], r["method"]) for r in rows):
        rs = [r for r in rows if (r["task"], r["method"]) == key]
        s = {"task": key[0], "method": key[1], "seeds": [r["seed"] for r in rs], "needs": rs[0]["needs"],
             "demos": rs[0]["demos"], "pairs": float(np.mean([r["pairs"] for r in rs]))}
        for k in NUMERIC:
            v = np.array([r[k] for r in rs], float)
            s[k], s[k + "_min"], s[k + "_max"] = float(v.mean()), float(v.min()), float(v.max())
        if all("success_rate" in r for r in rs):
            s["success_rate"] = float(np.mean([r["success_rate"] for r in rs]))
        s["transfer"] = {name: float(np.mean([r["transfer"][name] for r in rs])) for name in rs[0]["transfer"]}
        out[key] = s
    return out


def seed_values(rows, task: str, method: str, key: str = "normalized") -> np.ndarray:
    """One value per seed (in seed order) of ``method`` on ``task``: a row key (``"normalized"``,
    ``"wall_s"``, ...) or ``"transfer:<change>"`` for the score under a changed condition. The
    claims of notebook 07 are made on these arrays, so they say on how many seeds they hold."""
    rs = sorted((r for r in check_rows(rows) if (r["task"], r["method"]) == (task, method)), key=lambda r: r["seed"])
    if not rs:
        raise ValueError(f"no rows for method {method!r} on task {task!r}")
    if key.startswith("transfer:"):
        name = key[len("transfer:"):]
        if name not in rs[0]["transfer"]:
            raise ValueError(f"task {task!r} has no change {name!r} (its changes: {', '.join(rs[0]['transfer'])})")
        return np.array([r["transfer"][name] for r in rs], float)
    if key not in rs[0]:
        raise ValueError(f"rows have no {key!r}")
    return np.array([r[key] for r in rs], float)


# ---------------------------------------------------------------------------------------------
# the bench's results table (README.md), read rather than copied
# ---------------------------------------------------------------------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"
_CELL = re.compile(r"^\s*(?P<mean>-?[\d.]+)\s*±\s*(?P<std>[\d.]+)\s*\((?P<norm>-?[\d.]+)"
                   r"(?:;\s*worst\s*(?P<worst>-?[\d.]+))?\)"
                   r"(?:,\s*(?P<wall>[\d.]+)\s*s)?\s*(?P<taught>†)?\s*$")  # mean ± std (norm[; worst w])[, s][ †]


def readme_results(text: str | None = None) -> dict[str, dict[str, dict]]:
    """The bench's results table of the README (between ``<!-- results:start -->`` and
    ``<!-- results:end -->``, made by ``make results``) as ``env id -> method -> {"return_mean",
    "return_std", "normalized", "wall_s"}`` (``wall_s`` None for the expert and random columns);
    a cell "—" (the method does not apply) is left out. ``text``: the README's text (default: the
    repository's README.md)."""
    if text is None:
        if not README.is_file():
            raise FileNotFoundError(f"readme_results: no README.md at {README} (the course's clone has it: run the "
                                    f"notebook from the repository, or pass the README's text as text=...)")
        text = README.read_text(encoding="utf-8")
    if "<!-- results:start -->" not in text or "<!-- results:end -->" not in text:
        raise ValueError("no results table: the README lacks the <!-- results:start --> / <!-- results:end --> markers")
    block = text.split("<!-- results:start -->", 1)[1].split("<!-- results:end -->", 1)[0]
    lines = [ln.strip() for ln in block.splitlines() if ln.strip().startswith("|")]
    if len(lines) < 3:
        raise ValueError("the results table has no rows")
    split = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
    head, body = split[0][1:], split[2:]
    out: dict[str, dict[str, dict]] = {}
    for cells in body:
        env = cells[0].strip("`")
        if len(cells) - 1 != len(head):
            raise ValueError(f"row {env!r} has {len(cells) - 1} cells for {len(head)} columns")
        out[env] = {}
        for method, cell in zip(head, cells[1:]):
            if cell in ("—", "-", ""):
                continue
            m = _CELL.match(cell)
            if m is None:
                raise ValueError(f"cannot read the cell {cell!r} ({env}, {method})")
            wall = None if m["wall"] is None else float(m["wall"])
            out[env][method] = {"return_mean": float(m["mean"]), "return_std": float(m["std"]),
                                "normalized": float(m["norm"]),
                                "worst": None if m["worst"] is None else float(m["worst"]),
                                "wall_s": wall, "taught_failure": m["taught"] is not None}
    return out


def bench_failures(results: dict | None = None, methods=("gail", "airl"), below: float = 0.5) -> list[tuple]:
    """The environments of the README's results table on which ``methods`` score below ``below``
    (normalized, mean over the bench's seeds): ``(env, method, normalized, bc, dagger)`` tuples,
    with BC's and DAgger's normalized scores on the same environment (None where not run), in
    table order."""
    results = readme_results() if results is None else results
    out = []
    for env, cells in results.items():
        for m in methods:
            if m in cells and cells[m]["normalized"] < below:
                out.append((env, m, cells[m]["normalized"], *(cells[k]["normalized"] if k in cells else None
                                                               for k in ("bc", "dagger"))))
    return out


# ---------------------------------------------------------------------------------------------
# imitation, then improvement
# ---------------------------------------------------------------------------------------------


def edge_hugger():
    """The demonstrator of the fine-tuning experiment: the LaneKeeping expert's control law aimed
    1.8 m left of the centre line (0.2 m from the edge), so the heading gusts often push it off
    the road: a demonstrator that is *not* optimal for the true reward (1 per step on the road)."""
    from .behavioral_cloning import LaneKeepingDriver

    return LaneKeepingDriver(offset=1.8, name="edge hugger")


def bc_actor_critic(demos: Demonstrations, epochs: int = 50, seed: int = 0, init_log_std: float = -1.0,
                    hidden=(64, 64)):
    """A PPO :class:`~il_helpers.algorithms.ppo.ActorCritic` whose actor is trained by maximum likelihood of
    the demonstrations' actions, ``max E_D[log pi(a|s)]`` (the same BC initialization as
    ``train_gail(..., bc_epochs=...)``); its observation normalization is the demonstrations'.
    ``init_log_std`` sets the exploration noise PPO starts from (std ``exp(init_log_std)``)."""
    from ..algorithms.ppo import PPOConfig, initial_actor_critic

    if not isinstance(demos, Demonstrations):
        raise TypeError(f"demos must be il_helpers.Demonstrations, got {type(demos).__name__}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    cfg = PPOConfig(hidden=tuple(hidden), init_log_std=init_log_std, bc_epochs=int(epochs))
    ac = initial_actor_critic(demos.env_id, cfg, seed, demos)
    ac.name = "BC (actor-critic)"
    return ac


@dataclass
class FineTuneResult:
    """What :func:`finetune_experiment` measured. ``curves[name]``: ``(env_steps, normalized)``
    arrays of the deterministic policy evaluated during training (``"BC + PPO"``, ``"PPO from
    scratch"``); ``final[name]``: the final normalized score of ``"demonstrator"``, ``"BC"``,
    ``"BC + PPO"``, ``"PPO from scratch"`` and ``"expert"``; ``env_steps``: the PPO budget."""

    env_id: str
    seed: int
    curves: dict[str, tuple[np.ndarray, np.ndarray]]
    final: dict[str, float]
    env_steps: int
    wall_s: dict[str, float]
    policies: dict = field(default_factory=dict, repr=False)


def finetune_experiment(iterations: int = 20, seed: int = 0, n_demos: int = 4, demonstrator=None,
                        env_id: str = LANE_KEEPING, eval_every: int = 2, eval_episodes: int = 100,
                        curve_episodes: int = 30, bc_epochs: int = 50, init_log_std: float = -1.0,
                        scratch: bool = True) -> FineTuneResult:
    """BC on ``n_demos`` episodes of ``demonstrator`` (default :func:`edge_hugger`), then
    ``iterations`` of PPO on the true reward from that policy, against PPO from scratch for the
    same iterations (the same environment steps, up to early terminations: 16 episodes each).
    Every ``eval_every`` iterations the deterministic policy is scored on ``curve_episodes``
    episodes; the final scores use ``eval_episodes`` (seed ``seed + 20_000``). ``scratch=False``
    skips PPO from scratch."""
    from ..algorithms.ppo import PPOConfig, initial_actor_critic, train_ppo

    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations < 1:
        raise ValueError(f"iterations must be an integer >= 1, got {iterations!r}")
    if isinstance(eval_every, bool) or not isinstance(eval_every, (int, np.integer)) or eval_every < 1:
        raise ValueError(f"eval_every must be an integer >= 1, got {eval_every!r}")
    demonstrator = edge_hugger() if demonstrator is None else demonstrator
    demos = collect_demonstrations(env_id, n_demos, policy=demonstrator, label_policy=demonstrator,
                                   seed=seed + DEMO_SEED_OFFSET)
    eval_seed = seed + EVAL_SEED_OFFSET
    final = {"demonstrator": score(demonstrator, env_id, eval_episodes, eval_seed)["normalized"]}
    t0 = time.perf_counter()
    bc = bc_actor_critic(demos, epochs=bc_epochs, seed=seed, init_log_std=init_log_std)
    wall = {"BC": time.perf_counter() - t0}
    final["BC"] = score(bc, env_id, eval_episodes, eval_seed)["normalized"]
    curves, policies = {}, {"BC": bc}
    cfg = PPOConfig(iterations=int(iterations))
    for name in ("BC + PPO", "PPO from scratch") if scratch else ("BC + PPO",):
        if name == "BC + PPO":
            start = copy.deepcopy(bc)
        else:   # what train_ppo builds without a policy, built here so that progress can score it
            start = initial_actor_critic(env_id, cfg, seed)
        steps, scores = [0], [score(start, env_id, curve_episodes, eval_seed)["normalized"]]

        def progress(done, total, info, start=start, steps=steps, scores=scores):
            if done % eval_every == 0 or done == total:
                steps.append(info["env_steps"])
                scores.append(score(start, env_id, curve_episodes, eval_seed)["normalized"])

        t0 = time.perf_counter()
        ac, hist = train_ppo(env_id=env_id, config=cfg, seed=seed, policy=start, progress=progress)
        wall[name] = time.perf_counter() - t0
        curves[name] = (np.asarray(steps), np.asarray(scores, float))
        final[name] = score(ac, env_id, eval_episodes, eval_seed)["normalized"]
        policies[name] = ac
    final["expert"] = score(get_expert(env_id), env_id, eval_episodes, eval_seed)["normalized"]
    return FineTuneResult(env_id=env_id, seed=seed, curves=curves, final=final, env_steps=int(hist.env_steps[-1]),
                          wall_s=wall, policies=policies)


__all__ = ["Task", "TASKS", "NEEDS", "BUDGETS", "method_budget", "task_demos", "score", "run_method",
           "run_comparison", "summarize", "check_rows", "seed_values", "grid_score", "readme_results",
           "bench_failures", "edge_hugger", "bc_actor_critic",
           "FineTuneResult", "finetune_experiment"]
