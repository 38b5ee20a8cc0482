"""The expert demonstrations shipped in ``data/``, and the one command that regenerates them.

    python -m il_helpers.core.data            # regenerate every file and data/MANIFEST.sha256
    python -m il_helpers.core.data --check    # verify the files against the manifest

Each file is ``data/<env id with '/' as '__'>.npz``, collected from the course's expert with
the seed and episode count in :data:`SHIPPED`. Collection is deterministic, so regenerating
on the same platform reproduces the files byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path

from ..envs.registry import ENV_IDS, check_env_id
from .checks import check_int
from .demonstrations import Demonstrations, collect_demonstrations, load_demonstrations
from .io import atomic_write

#: env id -> how its shipped file is collected (the expert, no noise, default horizon): every
#: environment of ENV_IDS, plus the default layouts of notebook 04's gridworlds (registered when
#: il_helpers is imported)
SHIPPED: dict[str, dict] = {env_id: {"episodes": 50, "seed": 2024}
                            for env_id in (*ENV_IDS, "il_helpers/FeatureGrid-v0", "il_helpers/ObjectWorld-v0")}
MANIFEST = "MANIFEST.sha256"


def data_dir() -> Path:
    """``$IL_DATA_DIR`` if set, else the repository's ``data/`` folder."""
    return Path(os.environ.get("IL_DATA_DIR", Path(__file__).resolve().parents[2] / "data"))


def data_path(env_id: str, directory: Path | None = None) -> Path:
    return (directory or data_dir()) / (check_env_id(env_id).replace("/", "__") + ".npz")


def load_expert_demos(env_id: str, n_episodes: int | None = None) -> Demonstrations:
    """The shipped expert demonstrations for ``env_id`` (the first ``n_episodes`` of them)."""
    demos = load_demonstrations(data_path(env_id), env_id=env_id)
    if n_episodes is None:
        return demos
    n = check_int("n_episodes", n_episodes, 1, demos.num_episodes,
                  where=f"load_expert_demos({env_id!r}): {demos.num_episodes} episodes are shipped; pass a whole "
                  "number of episodes, or None for all")
    return demos.first(n)


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def regenerate(directory: Path | None = None) -> dict[str, str]:
    """Collect and write every shipped file and the manifest; return {file name: sha256}."""
    directory = Path(directory or data_dir())
    sums = {}
    for env_id, spec in SHIPPED.items():
        demos = collect_demonstrations(env_id, spec["episodes"], seed=spec["seed"])
        path = demos.save(data_path(env_id, directory))
        sums[path.name] = sha256(path)
    lines = [f"{digest}  {name}" for name, digest in sorted(sums.items())]
    atomic_write(directory / MANIFEST, "\n".join(lines) + "\n")
    return sums


def read_manifest(directory: Path | None = None) -> dict[str, str]:
    directory = Path(directory or data_dir())
    entries = {}
    for line in (directory / MANIFEST).read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            entries[name] = digest
    return entries


def check(directory: Path | None = None) -> list[str]:
    """Problems found comparing the files in ``directory`` with the manifest (empty: all good)."""
    directory = Path(directory or data_dir())
    if not (directory / MANIFEST).exists():
        return [f"{MANIFEST}: missing from {directory} (run `make data`)"]
    manifest = read_manifest(directory)
    problems = [f"{name}: not listed in {MANIFEST} (run `make data`)"
                for name in sorted(data_path(env_id, directory).name for env_id in SHIPPED) if name not in manifest]
    for name, digest in manifest.items():
        path = directory / name
        if not path.exists():
            problems.append(f"{name}: missing (run `make data`)")
        elif sha256(path) != digest:
            problems.append(f"{name}: checksum differs from {MANIFEST} (run `make data` and commit the result)")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m il_helpers.core.data", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify data/ against the manifest")
    parser.add_argument("--dir", type=Path, default=None, help="folder to write or check (default: data/)")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.dir)
        print("\n".join(problems) if problems else "all shipped demonstrations match the manifest")
        return 1 if problems else 0
    for name, digest in regenerate(args.dir).items():
        print(f"{digest[:16]}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
