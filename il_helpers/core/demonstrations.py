"""Demonstrations: the one data type every algorithm of the course reads.

A :class:`Demonstrations` holds E episodes flattened into N = sum of episode lengths steps:

=================  ==========================  ==================================================
field              shape, dtype                meaning
=================  ==========================  ==================================================
``obs``            (N, obs_dim) float32        the state the demonstrator was in
``actions``        (N,) int64 / (N, k) float32  the expert's action there: the label to imitate
``taken``          like ``actions``            the action actually executed (differs from
                                               ``actions`` when noise was injected, DART-style)
``rewards``        (N,) float32                reward received
``next_obs``       (N, obs_dim) float32        the state that followed
``terminated``     (N,) bool                   the episode ended at this step (not a time limit)
``episode_lengths`` (E,) int64                 steps per episode, in order
=================  ==========================  ==================================================

plus ``env_id``, ``expert`` (who labelled the data) and ``meta`` (seed, noise, ...: a JSON
dict). Files are ``.npz`` archives read with ``allow_pickle=False``; :func:`load_demonstrations`
checks every key, shape, dtype and value and raises :class:`DemonstrationError` naming the
problem.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..envs.registry import check_env_id, env_spaces, get_expert
from .checks import check_int
from .io import atomic_write
from .rollout import rollout

ARRAY_FIELDS = ("obs", "actions", "taken", "rewards", "next_obs", "terminated", "episode_lengths")
FORMAT_VERSION = 1
# Ho & Ermon (2016), section 6, give each learner subsampled expert trajectories of "about 50
# state-action pairs". Keeping every 10th pair of a 500-step CartPole episode gives 50 (their code
# keeps every 20th of the 1000-step MuJoCo episodes, also 50). The course uses this one protocol
# wherever it subsamples (notebooks 00, 05 and 07, the bench's --subsample and benchmarks/).
HO_ERMON_SUBSAMPLE = 10


class DemonstrationError(ValueError):
    """A demonstrations file or object is malformed; the message says what and how to fix it."""


@dataclass
class Demonstrations:
    obs: np.ndarray
    actions: np.ndarray
    taken: np.ndarray
    rewards: np.ndarray
    next_obs: np.ndarray
    terminated: np.ndarray
    episode_lengths: np.ndarray
    env_id: str
    expert: str = "expert"
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        validate(self)

    # -- sizes ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(len(self.obs))

    @property
    def num_episodes(self) -> int:
        return int(len(self.episode_lengths))

    @property
    def discrete(self) -> bool:
        return self.actions.ndim == 1

    @property
    def episode_starts(self) -> np.ndarray:
        return (np.cumsum(self.episode_lengths) - self.episode_lengths).astype(np.int64)

    @property
    def episode_ids(self) -> np.ndarray:
        """For each step, the index of its episode."""
        return np.repeat(np.arange(self.num_episodes), self.episode_lengths)

    @property
    def episode_returns(self) -> np.ndarray:
        return np.bincount(self.episode_ids, weights=self.rewards, minlength=self.num_episodes)

    def __repr__(self) -> str:
        kind = "discrete" if self.discrete else f"continuous {self.actions.shape[1]}-d"
        return (f"Demonstrations({self.env_id}: {self.num_episodes} episodes, {len(self)} steps, "
                f"obs {self.obs.shape[1]}-d, {kind} actions, expert={self.expert!r}, meta={self.meta})")

    # -- views ---------------------------------------------------------------------------------
    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The flat ``(observations, expert actions)`` pairs supervised learning uses."""
        return self.obs, self.actions

    def _select_steps(self, keep: np.ndarray, lengths: np.ndarray, **meta) -> "Demonstrations":
        arrays = {k: getattr(self, k)[keep] for k in ARRAY_FIELDS if k != "episode_lengths"}
        return Demonstrations(**arrays, episode_lengths=lengths.astype(np.int64), env_id=self.env_id,
                              expert=self.expert, meta={**self.meta, **meta})

    def episodes(self, indices) -> "Demonstrations":
        """The episodes with the given indices (in that order)."""
        raw = np.asarray(indices)
        if raw.size and raw.dtype.kind not in "iu":  # 1.7 or a boolean mask would be cast silently
            raise ValueError(f"episodes: indices must be whole numbers (episode positions), got dtype {raw.dtype} "
                             f"({indices!r:.80}); pass e.g. [0, 2, 5], or np.flatnonzero(mask) for a boolean mask")
        indices = raw.astype(np.int64).reshape(-1)
        if indices.size and (indices.min() < -self.num_episodes or indices.max() >= self.num_episodes):
            raise IndexError(f"episode index out of range: there are {self.num_episodes} episodes")
        indices = indices % max(self.num_episodes, 1)
        starts, lengths = self.episode_starts[indices], self.episode_lengths[indices]
        keep = (np.concatenate([np.arange(s, s + n) for s, n in zip(starts, lengths)]) if len(indices)
                else np.zeros(0, np.int64))
        return self._select_steps(keep, lengths)

    def first(self, n: int) -> "Demonstrations":
        """The first ``n`` episodes."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= self.num_episodes:
            raise ValueError(f"n must be between 1 and {self.num_episodes} (the number of episodes) and a whole "
                             f"number, got {n!r}")
        return self.episodes(np.arange(n))

    def split(self, val_frac: float = 0.2, seed: int = 0) -> tuple["Demonstrations", "Demonstrations"]:
        """Split by whole episodes into (train, validation), so no episode leaks across."""
        if not 0.0 < val_frac < 1.0:
            raise ValueError(f"val_frac must be strictly between 0 and 1, got {val_frac}")
        if self.num_episodes < 2:
            raise ValueError("splitting by episode needs at least 2 episodes")
        seed = check_int("seed", seed, 0, 2 ** 63 - 1, where="split")
        order = np.random.default_rng(seed).permutation(self.num_episodes)
        n_val = min(max(1, int(round(val_frac * self.num_episodes))), self.num_episodes - 1)
        return self.episodes(np.sort(order[n_val:])), self.episodes(np.sort(order[:n_val]))

    def subsample(self, every: int, seed: int = 0) -> "Demonstrations":
        """Keep every ``every``-th step of each episode from a random offset (Ho & Ermon 2016)."""
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"every must be an integer >= 1, got {every!r}")
        rng = np.random.default_rng(check_int("seed", seed, 0, 2 ** 63 - 1, where="subsample"))
        offsets = rng.integers(0, every, self.num_episodes)
        offsets = np.minimum(offsets, self.episode_lengths - 1)
        pos = np.arange(len(self)) - np.repeat(self.episode_starts, self.episode_lengths)
        offset = np.repeat(offsets, self.episode_lengths)
        keep = (pos >= offset) & ((pos - offset) % every == 0)
        lengths = np.bincount(self.episode_ids[keep], minlength=self.num_episodes)
        return self._select_steps(np.flatnonzero(keep), lengths, subsample=int(every))

    @staticmethod
    def concatenate(parts: list["Demonstrations"]) -> "Demonstrations":
        """Join datasets of the same environment (DAgger's aggregation)."""
        if not parts:
            raise ValueError("concatenate needs at least one Demonstrations")
        env_ids = {p.env_id for p in parts}
        if len(env_ids) > 1:
            raise DemonstrationError(f"cannot concatenate demonstrations of different environments: {sorted(env_ids)}")
        arrays = {k: np.concatenate([getattr(p, k) for p in parts]) for k in ARRAY_FIELDS}
        experts = sorted({p.expert for p in parts})
        return Demonstrations(**arrays, env_id=parts[0].env_id, expert="+".join(experts), meta={"parts": len(parts)})

    # -- files ---------------------------------------------------------------------------------
    def save(self, path) -> Path:
        """Write an ``.npz`` (no pickle; byte-identical for identical data, so checksums are stable).

        The data are checked first with the checks :func:`load_demonstrations` applies (nothing is
        written if they fail), numpy numbers in ``meta`` are written as Python numbers, and the file
        is written atomically: an error or a kill mid-save leaves any old file at ``path`` intact."""
        path = Path(path)
        validate(self)
        if not isinstance(self.expert, str):
            raise _fail("demonstrations", f"expert must be a str, got {type(self.expert).__name__} {self.expert!r}",
                        "Pass expert='name of who labelled the data'.")
        header = {"format_version": FORMAT_VERSION, "env_id": self.env_id, "expert": self.expert,
                  "meta": _json_safe(self.meta, "meta")}
        arrays = {k: np.ascontiguousarray(getattr(self, k)) for k in ARRAY_FIELDS}
        arrays["header"] = np.array(json.dumps(header, sort_keys=True))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(arrays):
                buf = io.BytesIO()
                np.lib.format.write_array(buf, arrays[name], allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, buf.getvalue())
        atomic_write(path, buffer.getvalue())
        return path


def _json_safe(value, key: str):
    """``value`` with numpy scalars as Python numbers; anything JSON cannot write back exactly raises."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_json_safe(v, f"{key}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        bad = [k for k in value if not isinstance(k, str)]
        if bad:
            raise DemonstrationError(f"demonstrations: {key} has the non-string key {bad[0]!r}, which a JSON header "
                                     f"cannot keep. Use string keys, e.g. {{{str(bad[0])!r}: ...}}.")
        return {k: _json_safe(v, f"{key}[{k!r}]") for k, v in value.items()}
    hint = " (convert it with .tolist())" if isinstance(value, np.ndarray) else ""
    raise DemonstrationError(f"demonstrations: {key} is a {type(value).__name__} ({value!r:.80}), which cannot be "
                             f"saved in the JSON header{hint}. Store only None, bool, int, float, str, lists and "
                             "dicts in meta.")


def _fail(source: str, problem: str, fix: str) -> DemonstrationError:
    return DemonstrationError(f"{source}: {problem}. {fix}")


def validate(d: Demonstrations, source: str = "demonstrations") -> None:
    """Check a :class:`Demonstrations` against its environment; raise DemonstrationError if wrong."""
    regenerate = "Re-collect them with il_helpers.collect_demonstrations (or `make data` for data/)."
    try:
        check_env_id(d.env_id)
    except (ValueError, TypeError) as err:  # TypeError: an unhashable env_id from a crafted header
        raise _fail(source, f"env_id {d.env_id!r} is not a course environment", str(err)) from None
    obs_space, act_space = env_spaces(d.env_id)
    discrete = not hasattr(act_space, "low")
    for name in ARRAY_FIELDS:
        if not isinstance(getattr(d, name), np.ndarray):
            raise _fail(source, f"{name} is a {type(getattr(d, name)).__name__}, not a numpy array", regenerate)
    n = len(d.obs) if d.obs.ndim else 0  # a 0-d obs then fails the shape check below
    expect = {
        "obs": ((n, *obs_space.shape), np.float32),
        "next_obs": ((n, *obs_space.shape), np.float32),
        "actions": ((n,) if discrete else (n, *act_space.shape), np.int64 if discrete else np.float32),
        "taken": ((n,) if discrete else (n, *act_space.shape), np.int64 if discrete else np.float32),
        "rewards": ((n,), np.float32),
        "terminated": ((n,), np.bool_),
    }
    for name, (shape, dtype) in expect.items():
        a = getattr(d, name)
        if a.shape != shape:
            raise _fail(source, f"{name} has shape {a.shape} but {d.env_id} with {n} steps needs {shape}", regenerate)
        if a.dtype != dtype:
            raise _fail(source, f"{name} has dtype {a.dtype}, expected {np.dtype(dtype)}",
                        f"Convert it with .astype(np.{np.dtype(dtype).name}) or re-collect.")
        if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
            bad = int((~np.isfinite(a)).reshape(len(a), -1).any(axis=1).sum())
            raise _fail(source, f"{name} contains NaN or inf in {bad} step(s)", "Drop or re-collect those episodes.")
    lengths = d.episode_lengths
    if lengths.ndim != 1 or lengths.dtype != np.int64:
        raise _fail(source, "episode_lengths must be a 1-d int64 array, "
                    f"got shape {lengths.shape} dtype {lengths.dtype}", regenerate)
    if len(lengths) and lengths.min() < 1:
        raise _fail(source, "episode_lengths contains an episode of length < 1", regenerate)
    if len(lengths) and lengths.max() > n:  # also guards the sum below against int64 overflow
        raise _fail(source, f"episode_lengths contains an episode of {int(lengths.max())} steps but there are "
                    f"only {n} steps", regenerate)
    if int(lengths.sum()) != n:
        raise _fail(source, f"episode_lengths sum to {int(lengths.sum())} but there are {n} steps", regenerate)
    for name in ("actions", "taken"):
        a = getattr(d, name)
        if discrete and n and (a.min() < 0 or a.max() >= act_space.n):
            raise _fail(source, f"{name} has values outside 0..{act_space.n - 1}",
                        "Is this file from another environment?")
        if not discrete and n and (np.any(a < act_space.low - 1e-6) or np.any(a > act_space.high + 1e-6)):
            low, high = ((act_space.low.item(), act_space.high.item()) if act_space.low.size == 1
                         else (act_space.low.tolist(), act_space.high.tolist()))
            raise _fail(source, f"{name} leave the action bounds [{low}, {high}]",
                        "Clip the actions or check the environment id.")
    if not isinstance(d.meta, dict):
        raise _fail(source, f"meta must be a dict, got {type(d.meta).__name__}", "Pass meta={...}.")


#: Limits a file must respect before anything is decompressed (hostile or corrupt files)
MAX_HEADER_BYTES = 1 << 20  # the JSON header member
MAX_MEMBER_BYTES = 1 << 30  # any one array member
MAX_NPY_HEADER = 10_000  # the header of a .npy member (numpy's own default)
MAX_HEADER_DEPTH = 32  # nesting of the JSON header
_RESAVE = "Save it with Demonstrations.save (or re-collect it with il_helpers.collect_demonstrations)."


def _depth(text: str) -> int:
    """Deepest nesting of brackets in a JSON text (outside strings), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _member(zf: zipfile.ZipFile, name: str, limit: int, src: str) -> np.ndarray:
    """One ``.npy`` member, its declared size checked against ``limit`` before it is decompressed."""
    info = zf.getinfo(f"{name}.npy")
    if info.file_size > limit:
        raise _fail(src, f"member {name}.npy declares {info.file_size} bytes, more than the {limit} its data can "
                    "need (a zip bomb or a corrupt file); it was not decompressed", _RESAVE)
    try:
        raw = zf.read(info)
    except Exception as err:  # BadZipFile (CRC), zlib.error, NotImplementedError, RuntimeError (encrypted), ...
        raise _fail(src, f"not a readable .npz archive (member {name}.npy cannot be read: "
                    f"{type(err).__name__}: {err})",
                    "The file is corrupt or truncated. " + _RESAVE) from None
    fp = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(fp)
        if version not in ((1, 0), (2, 0), (3, 0)):
            raise ValueError(f"unsupported .npy format version {version}")
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
            np.lib.format.read_array_header_2_0  # 3.0 only differs in the header's text encoding
        shape, fortran, dtype = read_header(fp, max_header_size=MAX_NPY_HEADER)
    except RecursionError:
        raise _fail(src, f"member {name}.npy has a too deeply nested header", _RESAVE) from None
    except Exception as err:
        if "Header info length" in str(err):
            raise _fail(src, f"member {name}.npy has a header longer than {MAX_NPY_HEADER} bytes, which is not "
                        "loaded (numpy refuses it as unsafe)", _RESAVE) from None
        raise _fail(src, f"not a readable .npz archive (member {name}.npy is not a valid .npy array: "
                    f"{type(err).__name__}: {err})", _RESAVE) from None
    if dtype.hasobject:
        raise _fail(src, f"the file holds pickled objects, which are never loaded (member {name}.npy, "
                    f"dtype {dtype})", _RESAVE)
    needed = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if needed != len(raw) - fp.tell():
        raise _fail(src, f"member {name}.npy declares shape {shape} dtype {dtype} ({needed} bytes) but holds "
                    f"{len(raw) - fp.tell()} bytes of data (truncated or corrupt)", _RESAVE)
    fp.seek(0)
    try:
        return np.lib.format.read_array(fp, allow_pickle=False, max_header_size=MAX_NPY_HEADER)
    except Exception as err:
        raise _fail(src, f"not a readable .npz archive (member {name}.npy is not a valid .npy array: "
                    f"{type(err).__name__}: {err})", _RESAVE) from None


def _header(zf: zipfile.ZipFile, src: str) -> tuple[str, str, dict]:
    arr = _member(zf, "header", MAX_HEADER_BYTES, src)
    if arr.ndim != 0 or arr.dtype.kind != "U":
        raise _fail(src, f"the header must be a single string, got shape {arr.shape} dtype {arr.dtype}", _RESAVE)
    text = str(arr)
    if _depth(text) > MAX_HEADER_DEPTH:
        raise _fail(src, f"the header is nested more than {MAX_HEADER_DEPTH} levels deep", _RESAVE)
    try:
        header = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise _fail(src, f"the header is not valid JSON ({err})", _RESAVE) from None
    missing = [k for k in ("format_version", "env_id", "expert", "meta") if not isinstance(header, dict)
               or k not in header]
    if missing:
        raise _fail(src, f"the header is not valid (missing {missing})", _RESAVE)
    version = header["format_version"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise _fail(src, f"format_version is {version!r} (a {type(version).__name__}), but this code reads "
                    f"format_version {FORMAT_VERSION}, an integer", "Re-collect the data (or " + _RESAVE + ")")
    if version != FORMAT_VERSION:
        raise _fail(src, f"format version {version} is not supported (this code reads {FORMAT_VERSION})",
                    "Re-collect the data.")
    if not isinstance(header["env_id"], str):
        raise _fail(src, f"env_id {header['env_id']!r:.80} is not a course environment (it must be a str)",
                    "Load a file saved by Demonstrations.save.")
    for key, kind in (("expert", str), ("meta", dict)):
        if not isinstance(header[key], kind):
            raise _fail(src, f"the header's {key} must be a {kind.__name__}, got {type(header[key]).__name__} "
                        f"{header[key]!r:.80}", _RESAVE)
    return header["env_id"], header["expert"], header["meta"]


def _limits(lengths: np.ndarray, env_id: str) -> dict[str, int]:
    """The most bytes each array member can need, from the episode lengths and the env's spaces."""
    if not (lengths.ndim == 1 and lengths.dtype == np.int64 and (not len(lengths) or lengths.min() >= 1)):
        return dict.fromkeys(ARRAY_FIELDS, MAX_MEMBER_BYTES)  # validate() reports the lengths
    n = int(lengths.sum(dtype=np.float64))
    obs_space, act_space = env_spaces(env_id)
    width = {"obs": obs_space.shape, "next_obs": obs_space.shape, "actions": act_space.shape,
             "taken": act_space.shape, "rewards": (), "terminated": ()}
    # 64x the float64 size: a wrong dtype or shape still gets validate()'s own message
    return {k: min(MAX_MEMBER_BYTES, 64 * 8 * n * int(np.prod(w, dtype=np.int64)) + (1 << 20))
            for k, w in width.items()}


def load_demonstrations(path, env_id: str | None = None) -> Demonstrations:
    """Read and validate a demonstrations ``.npz``; ``env_id`` (if given) must match the file's.

    Safe against hostile files: only the expected members are read, each member's declared size is
    checked before it is decompressed, and every problem is a :class:`DemonstrationError`."""
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"load_demonstrations: path must be a str or a pathlib.Path, got {type(path).__name__}")
    path = Path(path)
    src = str(path)
    if not path.exists():
        raise FileNotFoundError(f"{src}: no such demonstrations file (regenerate shipped data with `make data`)")
    if path.is_dir():
        raise _fail(src, "is a folder, not a demonstrations file", "Pass the path of the .npz file.")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as err:
        raise _fail(src, f"not a readable .npz archive (not a zip file; truncated? {err})", _RESAVE) from None
    with zf:
        names = set(zf.namelist())
        missing = [k for k in (*ARRAY_FIELDS, "header") if f"{k}.npy" not in names]
        if missing:
            raise _fail(src, f"missing key(s) {missing}",
                        "A demonstrations file holds " + ", ".join((*ARRAY_FIELDS, "header")))
        file_env, expert, meta = _header(zf, src)
        try:
            check_env_id(file_env)
        except (ValueError, TypeError) as err:
            raise _fail(src, f"env_id {file_env!r} is not a course environment", str(err)) from None
        if env_id is not None and env_id != file_env:
            raise _fail(src, f"the file holds demonstrations for {file_env!r}, not {env_id!r}",
                        "Load the file made for your environment.")
        lengths = _member(zf, "episode_lengths", 64 << 20, src)
        limits = _limits(lengths, file_env)
        contents = {k: _member(zf, k, limits[k], src) for k in ARRAY_FIELDS if k != "episode_lengths"}
        contents["episode_lengths"] = lengths
    return _validated(contents, file_env, expert, meta, src)


def _validated(arrays: dict, env_id: str, expert: str, meta: dict, source: str) -> Demonstrations:
    d = Demonstrations.__new__(Demonstrations)
    for k in ARRAY_FIELDS:
        setattr(d, k, arrays[k])
    d.env_id, d.expert, d.meta = env_id, expert, meta
    validate(d, source)
    return d


def collect_demonstrations(env_id: str, n_episodes: int, policy=None, seed: int = 0, noise: float = 0.0,
                           horizon: int | None = None, label_policy=None) -> Demonstrations:
    """Roll out ``policy`` (default: the expert) and record every step.

    ``noise`` perturbs the executed actions (DART: the expert drives with noise, so the data
    shows how it recovers); the recorded label is always ``label_policy``'s action (default:
    the expert) at the visited state, never the noisy one.
    """
    seed = check_int("seed", seed, 0, None, where="collect_demonstrations")  # numpy's own error otherwise
    expert = get_expert(env_id)
    policy = expert if policy is None else policy
    label_policy = expert if label_policy is None else label_policy
    r = rollout(policy, env_id, n_episodes=n_episodes, seed=seed, horizon=horizon, noise=noise,
                label_policy=label_policy)
    m = r.alive
    return Demonstrations(
        obs=r.obs[m], actions=r.labels[m], taken=r.actions[m], rewards=r.rewards[m],
        next_obs=r.next_obs[m], terminated=r.terminated[m], episode_lengths=m.sum(axis=1).astype(np.int64),
        env_id=env_id, expert=getattr(label_policy, "name", "expert"),
        meta={"seed": int(seed), "noise": float(noise), "horizon": int(r.horizon),
              "policy": getattr(policy, "name", type(policy).__name__)},
    )
