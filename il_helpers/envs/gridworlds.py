"""Tabular gridworlds whose model is exposed: the playground of inverse RL (notebooks 04, 05).

Two families, generated from a seed at any size (4x4 to 64x64; the course uses 8x8 to 32x32):

* **FeatureGrid** (``il_helpers/FeatureGrid-v0``): the grid is tiled with 2x2 blocks of terrain; each of
  ``n_features`` terrain types has a 0/1 indicator feature (plain ground has none), and the true reward is
  **linear** in them, ``r(s) = theta . phi(s)``, with one type worth +1 and the others drawn from [-1, 1].
* **ObjectWorld** (``il_helpers/ObjectWorld-v0``, Levine et al. 2011): objects with an inner and an outer
  colour lie on the grid; the features are **continuous distances** from a cell to the nearest object of
  each inner and each outer colour (``2 C`` features), and the true reward is a **nonlinear** function of
  them: +1 within distance 3 of outer colour 0 *and* within 2 of outer colour 1, -1 within 3 of colour 0
  only, 0 elsewhere (Euclidean distances).

Dynamics: 5 actions (stay, up, down, left, right; moves into the border stay put). With probability ``wind``
the move is replaced by a uniformly random one, so ``P(s'|s,a) = (1 - wind) [s' = move(s, a)] + wind / 5
sum_b [s' = move(s, b)]``. Episodes start uniformly at random on the grid and last exactly ``horizon`` steps
(default 50); the reward of a step is that of the state the agent is in, ``r(s_t)``, ``t = 0 .. T-1``.

The model is a :class:`Gridworld` (``make_world``): numpy ``features`` (S, F), ``reward`` (S,), ``start``
(S,), ``next_state`` (S, A), and their torch twins ``phi``, ``r``, ``d0`` and the sparse transitions ``P``
(:class:`~il_helpers.tabular.mdp.Transitions`).

**Observations** are ``[row, col, t]`` as float32 (integers). Why not a one-hot state? The observation's
shape must not depend on the grid size, so one env id serves every size and demonstrations of any size
validate against the default spaces; row and column (rather than a flat index) let a BC network see the
geometry; and the time step ``t`` is there because the finite-horizon optimal policy is time-indexed,
``pi_t(a|s)``: with ``t`` the observation is Markov and the expert a function of it.

**Expert**: soft-optimal for the true reward (temperature 1), i.e. it samples from the MaxEnt policy
``pi_t(a|s) = exp(Q_t(s,a) - V_t(s))``, exactly the demonstrator MaxEnt IRL assumes. It is stochastic: in
:func:`~il_helpers.collect_demonstrations` the recorded label (``actions``) is a second, independent draw at
the same state, ``taken`` is the executed one.

Every variant has an env id: ``gridworld_id("ObjectWorld", size=32, world_seed=3, wind=0.5)`` registers
(once) and returns an id that works everywhere an env id does (``make_env``, ``make_batched``, ``rollout``,
``evaluate``, ``collect_demonstrations``, ``Demonstrations``, ``get_expert``, the bench CLI's
``--size/--world-seed/--wind``). ``gym.make`` also takes the keyword arguments directly. The gridworld ids
are not in ``il.ENV_IDS`` (the environments with shipped demonstrations).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from gymnasium import spaces

from ..core.checks import check, check_choice, check_int
from ..core.policies import Expert
from ..tabular.mdp import Transitions
from ..tabular.policies import TabularPolicy, states_from_obs
from ..tabular.solvers import Plan, soft_value_iteration, value_iteration
from .base import BatchedEnv, GymView
from .registry import register_env, register_variants

FEATURE_GRID = "il_helpers/FeatureGrid-v0"
OBJECT_WORLD = "il_helpers/ObjectWorld-v0"
FAMILIES = ("FeatureGrid", "ObjectWorld")
BASE_IDS = {"FeatureGrid": FEATURE_GRID, "ObjectWorld": OBJECT_WORLD}
DEFAULTS = {
    "FeatureGrid": {"size": 16, "world_seed": 0, "wind": 0.1, "horizon": 50},
    "ObjectWorld": {"size": 16, "world_seed": 0, "wind": 0.3, "horizon": 50},
}
MOVES = np.array([[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]])  # (d_row, d_col)
ACTION_NAMES = ("stay", "up", "down", "left", "right")
N_ACTIONS = len(MOVES)

# env id -> (family, params); filled by gridworld_id
_IDS: dict[str, tuple[str, dict]] = {}
# called with every gridworld env id, the ones registered so far and each new one (see on_register)
_ID_HOOKS: list[Callable[[str], None]] = []


# -- the model ---------------------------------------------------------------------------------
@dataclass(eq=False)
class Gridworld:
    """One generated gridworld and its full model (see the module docstring)."""

    family: str
    size: int
    world_seed: int
    wind: float
    horizon: int
    features: np.ndarray          # (S, F) float64
    feature_names: tuple
    reward: np.ndarray            # (S,) float64, the true reward
    start: np.ndarray             # (S,) float64, the start distribution
    next_state: np.ndarray        # (S, A) int64, where each move leads without wind
    true_weights: np.ndarray | None = None   # FeatureGrid: theta of r = theta . phi
    terrain: np.ndarray | None = None        # FeatureGrid: (S,) terrain type, 0 = plain
    objects: np.ndarray | None = None        # ObjectWorld: (n, 4) rows of (row, col, inner, outer)
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        # worlds are cached and shared (make_world): their arrays are read-only
        for name in ("features", "reward", "start", "next_state", "true_weights", "terrain", "objects"):
            value = getattr(self, name)
            if value is not None:
                value.setflags(write=False)

    # -- sizes ---------------------------------------------------------------------------------
    @property
    def n_states(self) -> int:
        return self.size * self.size

    @property
    def n_actions(self) -> int:
        return N_ACTIONS

    @property
    def n_features(self) -> int:
        return int(self.features.shape[1])

    @property
    def env_id(self) -> str:
        return gridworld_id(self.family, size=self.size, world_seed=self.world_seed, wind=self.wind,
                            horizon=self.horizon)

    # -- the model as torch tensors --------------------------------------------------------------
    @property
    def P(self) -> Transitions:
        """Sparse transitions: ``idx[s, a, k] = move(s, k)``, ``prob[s, a, k] = (1-w)[a=k] + w/A``."""
        if "P" not in self._cache:
            S, A = self.n_states, self.n_actions
            idx = np.broadcast_to(self.next_state[:, None, :], (S, A, A))
            prob = np.broadcast_to((1 - self.wind) * np.eye(A) + self.wind / A, (S, A, A))
            self._cache["P"] = Transitions(idx=torch.as_tensor(idx.copy()), prob=torch.as_tensor(prob.copy()))
        return self._cache["P"]

    @property
    def phi(self) -> torch.Tensor:
        """Features (S, F), float64 tensor."""
        return self._tensor("phi", self.features)

    @property
    def r(self) -> torch.Tensor:
        """True reward (S,), float64 tensor."""
        return self._tensor("r", self.reward)

    @property
    def d0(self) -> torch.Tensor:
        """Start distribution (S,), float64 tensor."""
        return self._tensor("d0", self.start)

    def _tensor(self, key, array) -> torch.Tensor:
        if key not in self._cache:
            self._cache[key] = torch.tensor(np.array(array, dtype=np.float64))  # a copy: the array is read-only
        return self._cache[key]

    def dense_transitions(self) -> np.ndarray:
        """The dense (S, A, S) transition tensor (fine for small grids; the solvers use ``P``)."""
        return self.P.dense().numpy()

    # -- plans for the true reward ----------------------------------------------------------------
    @property
    def soft_plan(self) -> Plan:
        """Soft value iteration for the true reward (the expert's policy)."""
        if "soft" not in self._cache:
            self._cache["soft"] = soft_value_iteration(self.r, self.P, self.horizon)
        return self._cache["soft"]

    @property
    def optimal_plan(self) -> Plan:
        """Hard value iteration for the true reward (the optimal policy)."""
        if "hard" not in self._cache:
            self._cache["hard"] = value_iteration(self.r, self.P, self.horizon)
        return self._cache["hard"]

    # -- coordinates and observations -------------------------------------------------------------
    def grid(self, values) -> np.ndarray:
        """A per-state array (S,) as a (size, size) image (row-major: state = row * size + col)."""
        v = np.asarray(values.detach().numpy() if isinstance(values, torch.Tensor) else values)
        if v.shape[-1] != self.n_states:
            raise ValueError(f"expected {self.n_states} values (one per state), got shape {v.shape}")
        return v.reshape(*v.shape[:-1], self.size, self.size)

    def coords(self, states) -> np.ndarray:
        """``(row, col)`` of each state index: (N,) -> (N, 2)."""
        s = np.asarray(states, np.int64)
        return np.stack([s // self.size, s % self.size], axis=-1)

    def obs(self, states, t) -> np.ndarray:
        """Observations ``[row, col, t]`` (float32) of states at time(s) ``t``."""
        s = np.asarray(states, np.int64)
        rc = self.coords(s)
        tt = np.broadcast_to(np.asarray(t), s.shape)
        return np.concatenate([rc, tt[..., None]], axis=-1).astype(np.float32)

    def states_from_obs(self, obs) -> tuple[np.ndarray, np.ndarray]:
        """``(state index, t)`` of observations ``[row, col, t]`` (N, 3); validated."""
        return states_from_obs(obs, self.size)

    def __repr__(self) -> str:
        return (f"Gridworld({self.family} {self.size}x{self.size}, world_seed={self.world_seed}, wind={self.wind}, "
                f"horizon={self.horizon}, {self.n_features} features)")


def _moves(size: int) -> np.ndarray:
    rows, cols = np.divmod(np.arange(size * size), size)
    r = np.clip(rows[:, None] + MOVES[None, :, 0], 0, size - 1)
    c = np.clip(cols[:, None] + MOVES[None, :, 1], 0, size - 1)
    return (r * size + c).astype(np.int64)


def check_wind(wind, where: str = "") -> float:
    """A wind: a probability in [0, 1] (a number, not a bool)."""
    ok = not isinstance(wind, bool) and isinstance(wind, (int, float, np.floating, np.integer)) and 0 <= wind <= 1
    check(ok, "wind", "a probability in [0, 1]", wind, where=where)
    return float(wind)


def _check_params(family: str, size, world_seed, wind, horizon) -> dict:
    for name, value, low in (("size", size, 4), ("world_seed", world_seed, 0), ("horizon", horizon, 1)):
        check_int(name, value, low, where=family)
    check(size <= 64, "size", "at most 64 (4096 states)", size, where=family)
    check_wind(wind, where=family)
    # wind rounded to 6 decimals: 0.30000000000000004 (a slider's 0.1 * 3) is the world of 0.3
    return {"size": int(size), "world_seed": int(world_seed), "wind": round(float(wind), 6), "horizon": int(horizon)}


def feature_grid(size: int = 16, world_seed: int = 0, wind: float = 0.1, horizon: int = 50,
                 n_features: int = 4, block: int = 2) -> Gridworld:
    """A FeatureGrid: ``block`` x ``block`` patches of terrain, a linear true reward (see the module)."""
    p = _check_params("FeatureGrid", size, world_seed, wind, horizon)
    rng = np.random.default_rng([p["world_seed"], 1])
    nb = -(-p["size"] // block)
    for _ in range(100):
        types = rng.choice(n_features + 1, size=(nb, nb), p=[0.5] + [0.5 / n_features] * n_features)
        theta = rng.uniform(-1.0, 1.0, n_features)
        best = rng.integers(n_features)
        theta[best] = 1.0
        terrain = np.kron(types, np.ones((block, block), np.int64))[: p["size"], : p["size"]].ravel()
        if np.any(terrain == best + 1):
            break
    else:  # pragma: no cover - the best terrain shows up on any grid of 2x2 blocks or more
        raise RuntimeError("could not place the rewarding terrain")
    features = np.zeros((p["size"] ** 2, n_features))
    on = terrain > 0
    features[np.flatnonzero(on), terrain[on] - 1] = 1.0
    S = p["size"] ** 2
    return Gridworld(family="FeatureGrid", **p, features=features,
                     feature_names=tuple(f"terrain {k + 1}" for k in range(n_features)),
                     reward=features @ theta, start=np.full(S, 1.0 / S), next_state=_moves(p["size"]),
                     true_weights=theta, terrain=terrain)


def object_world(size: int = 16, world_seed: int = 0, wind: float = 0.3, horizon: int = 50,
                 n_objects: int | None = None, n_colours: int = 2) -> Gridworld:
    """An ObjectWorld (Levine et al. 2011): continuous distance features, nonlinear true reward.

    ``n_objects`` defaults to ``size**2 / 32`` (8 on a 16x16 grid). Objects are redrawn until
    at least one cell earns +1.
    """
    p = _check_params("ObjectWorld", size, world_seed, wind, horizon)
    if n_colours < 2:
        raise ValueError(f"ObjectWorld needs at least 2 colours, got {n_colours}")
    N, S = p["size"], p["size"] ** 2
    n_objects = max(2, round(S / 32)) if n_objects is None else int(n_objects)
    if not 2 <= n_objects <= S:
        raise ValueError(f"n_objects must be between 2 and {S}, got {n_objects}")
    rng = np.random.default_rng([p["world_seed"], 2])
    rows, cols = np.divmod(np.arange(S), N)
    far = N * np.sqrt(2.0)  # no object of that colour: farther than any cell
    for _ in range(1000):
        cells = rng.choice(S, size=n_objects, replace=False)
        inner = rng.integers(0, n_colours, n_objects)
        outer = rng.integers(0, n_colours, n_objects)
        dist = np.hypot(rows[:, None] - rows[cells][None], cols[:, None] - cols[cells][None])  # (S, n)
        feats = []
        for kind in (inner, outer):
            for c in range(n_colours):
                mask = kind == c
                feats.append(dist[:, mask].min(axis=1) if mask.any() else np.full(S, far))
        features = np.stack(feats, axis=1)
        d_out0, d_out1 = features[:, n_colours], features[:, n_colours + 1]
        near0, near1 = d_out0 <= 3.0, d_out1 <= 2.0
        reward = np.where(near0 & near1, 1.0, np.where(near0, -1.0, 0.0))
        if (reward > 0).any():
            break
    else:  # pragma: no cover
        raise RuntimeError("could not draw an ObjectWorld with a positive reward")
    names = tuple(f"dist. inner colour {c}" for c in range(n_colours)) + \
        tuple(f"dist. outer colour {c}" for c in range(n_colours))
    objects = np.stack([rows[cells], cols[cells], inner, outer], axis=1).astype(np.int64)
    return Gridworld(family="ObjectWorld", **p, features=features, feature_names=names, reward=reward,
                     start=np.full(S, 1.0 / S), next_state=_moves(N), objects=objects)


def family_name(family: str) -> str:
    """The family name ("FeatureGrid" or "ObjectWorld") of a family name or base id; validated."""
    for name, base in BASE_IDS.items():
        if family in (name, base):
            return name
    raise ValueError(f"unknown gridworld family {family!r}; choose one of {FAMILIES} "
                     f"(or their ids {tuple(BASE_IDS.values())})")


@functools.lru_cache(maxsize=64)
def _make_world(family: str, size: int, world_seed: int, wind: float, horizon: int) -> Gridworld:
    maker = feature_grid if family == "FeatureGrid" else object_world
    return maker(size=size, world_seed=world_seed, wind=wind, horizon=horizon)


def make_world(family: str = "FeatureGrid", size: int | None = None, world_seed: int | None = None,
               wind: float | None = None, horizon: int | None = None) -> Gridworld:
    """The gridworld of a family (``"FeatureGrid"`` / ``"ObjectWorld"`` or its env id) with the
    given parameters (None: the family's default). Cached: the same arguments give the same object."""
    family = family_name(family)
    given = {"size": size, "world_seed": world_seed, "wind": wind, "horizon": horizon}
    p = _check_params(family, **{k: DEFAULTS[family][k] if v is None else v for k, v in given.items()})
    return _make_world(family, p["size"], p["world_seed"], p["wind"], p["horizon"])


# -- policies on a gridworld -------------------------------------------------------------------
class GridworldExpert(TabularPolicy, Expert):
    """The soft-optimal expert of a gridworld: samples ``pi_t(a|s) = exp(Q_t - V_t)`` for the true reward."""

    def __init__(self, world: Gridworld, seed: int = 0):
        TabularPolicy.__init__(self, world.soft_plan.policy, world.size, sample=True, seed=seed,
                               name="soft-optimal (MaxEnt, temperature 1)")
        self.env_id = world.env_id
        self.world = world


# changed dynamics, the same grid with the controls relabeled. "rotate": the controls turn a quarter
# clockwise. Action a now does the move of ROTATE[a]:
# stay -> stay, up -> right, down -> left, left -> up, right -> down.
ROTATE = np.array([0, 4, 3, 1, 2])
REVERSE = np.array([0, 2, 1, 4, 3])  # "reverse": up <-> down, left <-> right
CHANGES = ("rotate", "reverse", "shuffle", "none")
CHANGE_NAMES = {"rotate": "controls rotated 90 degrees", "reverse": "controls reversed",
                "shuffle": "controls shuffled in every cell", "none": "new wind only"}


def changed_dynamics(world, change: str = "reverse", *, wind: float | None = None, seed: int = 0) -> Transitions:
    """New dynamics for the same grid: ``P'(s'|s, a)`` with what the actions do relabeled.

    ``change``: ``"reverse"`` (every move goes the opposite way: up moves down, left moves right;
    stay stays), ``"rotate"`` (every action does the move of its quarter-turned direction: up moves
    right, right moves down, ...), ``"shuffle"`` (every state gets its own random permutation of the
    5 moves, drawn from ``seed``: the grid's analogue of the paper's newly drawn transition matrix)
    or ``"none"`` (only the wind changes). ``wind``: the new wind (default: the world's own; with
    probability ``wind`` the move is a uniformly random one). Returns :class:`~il_helpers.tabular.mdp.Transitions`.

    A relabeling keeps, from every cell, the same set of reachable cells (and the same wind), so a
    state-only reward's problem is unchanged up to the names of the actions: its soft-optimal
    policy earns exactly what it earned before. What changes is which *action* leads where.
    """
    check_choice("change", change, CHANGES)
    wind = check_wind(world.wind if wind is None else wind)
    S, A = world.n_states, world.n_actions
    if change == "rotate":
        perm = np.broadcast_to(ROTATE, (S, A))
    elif change == "reverse":
        perm = np.broadcast_to(REVERSE, (S, A))
    elif change == "shuffle":
        rng = np.random.default_rng([int(seed), 7])
        perm = np.stack([rng.permutation(A) for _ in range(S)])
    else:
        perm = np.broadcast_to(np.arange(A), (S, A))
    idx = np.broadcast_to(world.next_state[:, None, :], (S, A, A)).copy()
    prob = np.full((S, A, A), wind / A)                                 # the wind: every move w.p. wind / A
    # successor k of (s, a) is move k from s, so action a's intended move is entry k = perm[s, a]
    prob[np.arange(S)[:, None], np.arange(A)[None, :], perm] += 1 - wind
    return Transitions(idx=torch.as_tensor(idx), prob=torch.as_tensor(prob))


# -- environments: batched twin and gymnasium env ----------------------------------------------
def _observation_space(size: int, horizon: int) -> spaces.Box:
    high = np.array([size - 1, size - 1, horizon], np.float32)
    return spaces.Box(low=np.zeros(3, np.float32), high=high, dtype=np.float32)


class GridworldBatched(BatchedEnv):
    """N copies of one gridworld stepped together (the batched twin).

    ``horizon`` is the episode length (default: the world's); the world itself (layout, wind,
    and the horizon its expert plans for) is ``world`` (default: the default FeatureGrid).
    """

    def __init__(self, num_envs: int, horizon: int | None = None, world: Gridworld | None = None):
        self.world = make_world("FeatureGrid") if world is None else world
        super().__init__(num_envs, self.world.horizon if horizon is None else horizon)
        self.env_id = self.world.env_id
        self.observation_space = _observation_space(self.world.size, self.horizon)
        self.action_space = spaces.Discrete(N_ACTIONS)
        self.state = np.zeros(self.num_envs, np.int64)
        self.t = 0

    def _reset(self) -> np.ndarray:
        w = self.world
        self.state = self.rng.choice(w.n_states, size=self.num_envs, p=w.start).astype(np.int64)
        self.t = 0
        return w.obs(self.state, 0)

    def _step(self, actions: np.ndarray):
        w = self.world
        gust = self.rng.random(self.num_envs) < w.wind
        moves = np.where(gust, self.rng.integers(0, N_ACTIONS, self.num_envs), actions)
        reward = w.reward[self.state].astype(np.float32)
        self.state = w.next_state[self.state, moves]
        self.t += 1
        return w.obs(self.state, self.t), reward, np.zeros(self.num_envs, bool), {}


class GridworldEnv(GymView):
    """The gymnasium view of one gridworld (``gym.make("il_helpers/FeatureGrid-v0", size=16)``).

    Keyword arguments: ``family``, ``size``, ``world_seed`` (the layout; ``reset(seed=...)``
    draws the start state and the wind), ``wind``, ``horizon``, ``render_mode`` ("rgb_array").
    Episodes are truncated after ``horizon`` steps and never terminate. The frames of ``render()``
    are drawn by :mod:`il_helpers.plots.gridworlds`.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 8}

    def __init__(self, family: str = "FeatureGrid", size: int | None = None, world_seed: int | None = None,
                 wind: float | None = None, horizon: int | None = None, render_mode: str | None = None):
        self.world = make_world(family, size=size, world_seed=world_seed, wind=wind, horizon=horizon)
        super().__init__(GridworldBatched(1, world=self.world), render_mode)


# -- registration: env ids (gymnasium, batched twin, expert, bench options) --------------------
def on_register(hook: Callable[[str], None]) -> None:
    """Call ``hook(env_id)`` for every gridworld id: those registered so far and each one
    :func:`gridworld_id` registers later (gridworld ids are made on demand). The plots use it to
    register the frame renderer of every gridworld id, without this module importing them."""
    if not callable(hook):
        raise TypeError(f"on_register: hook must be callable, got {type(hook).__name__}")
    _ID_HOOKS.append(hook)
    for env_id in list(_IDS):
        hook(env_id)


def _register(env_id: str, family: str, params: dict) -> None:
    if env_id in _IDS:
        return
    _IDS[env_id] = (family, dict(params))

    def batched(num_envs: int, horizon: int | None = None, **kwargs) -> GridworldBatched:
        unknown = set(kwargs) - {"size", "world_seed", "wind"}
        if unknown:
            raise TypeError(f"{env_id}: unknown keyword argument(s) {sorted(unknown)}; "
                            "a gridworld takes size, world_seed and wind (and horizon, the episode length)")
        return GridworldBatched(num_envs, horizon=horizon, world=make_world(family, **{**params, **kwargs}))

    register_env(env_id, batched, entry_point="il_helpers.envs.gridworlds:GridworldEnv",
                 kwargs={"family": family, **params}, expert=lambda: GridworldExpert(make_world(family, **params)),
                 listed=False)
    for hook in _ID_HOOKS:
        hook(env_id)


def gridworld_id(family: str = "FeatureGrid", size: int | None = None, world_seed: int | None = None,
                 wind: float | None = None, horizon: int | None = None) -> str:
    """The env id of a gridworld variant, registered on first use (None: the family's default).

    The defaults give the base ids ``il_helpers/FeatureGrid-v0`` / ``il_helpers/ObjectWorld-v0``;
    other parameters give e.g. ``il_helpers/ObjectWorld-32x32-seed3-wind0.5-T50-v0``.
    """
    family = family_name(family)
    given = {"size": size, "world_seed": world_seed, "wind": wind, "horizon": horizon}
    p = _check_params(family, **{k: DEFAULTS[family][k] if v is None else v for k, v in given.items()})
    if p == DEFAULTS[family]:
        return BASE_IDS[family]
    env_id = f"il_helpers/{family}-{p['size']}x{p['size']}-seed{p['world_seed']}-wind{p['wind']:g}-T{p['horizon']}-v0"
    _register(env_id, family, p)
    return env_id


def is_gridworld(env_id: str) -> bool:
    """Whether ``env_id`` is a (registered) gridworld id."""
    return env_id in _IDS


def world_for(env_id: str) -> Gridworld:
    """The :class:`Gridworld` behind a gridworld env id."""
    if env_id not in _IDS:
        raise ValueError(f"{env_id!r} is not a gridworld id; make one with "
                         "il_helpers.envs.gridworlds.gridworld_id(...) "
                         f"(base ids: {', '.join(BASE_IDS.values())})")
    family, params = _IDS[env_id]
    return make_world(family, **params)


def trainer_world(demos, env_id: str | None = None) -> tuple[str, Gridworld]:
    """``(env_id, world)`` a tabular trainer runs on: ``env_id``'s world, by default the one of ``demos``."""
    if env_id is None:
        check(hasattr(demos, "env_id"), "env_id", "given when demos are not Demonstrations", env_id)
        env_id = demos.env_id
    return env_id, world_for(env_id)


for _fam in FAMILIES:
    _register(BASE_IDS[_fam], _fam, DEFAULTS[_fam])
    register_variants(BASE_IDS[_fam], functools.partial(gridworld_id, _fam))
del _fam
