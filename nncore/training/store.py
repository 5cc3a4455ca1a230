"""Finished trainings kept on disk for a while, so a reload or a shared link can open them.

A run is kept under its id, which is unguessable (``secrets``) and appears in the page's link:
whoever has the link can open the run, nobody else can find it. Kept runs are plain files
(JSON for the record, ``.npz`` for the arrays, read back with pickling off), in the directory
``PLAYGROUND_STORE`` names, which several app servers can share. Old runs are removed so the
directory stays bounded in age and count.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from nncore.network.settings import spec_from_values, spec_values
from nncore.training.run import EpochRecord, Evaluation, TrainingRun

KEEP_SECONDS = 12 * 3600  # a school day
KEEP_COUNT = 500
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def store_directory() -> Path:
    """Where kept runs live: ``PLAYGROUND_STORE``, or a folder in the system's temp directory."""
    default = Path(tempfile.gettempdir()) / "sequential-playground-runs"
    return Path(os.environ.get("PLAYGROUND_STORE") or default)


def valid_id(run_id: str) -> bool:
    """Whether ``run_id`` looks like an id this store gave out (never a path)."""
    return bool(ID_PATTERN.match(run_id))


def keep(run: TrainingRun, directory: Path | None = None) -> None:
    """Write a finished run; the oldest and expired runs make room."""
    if not valid_id(run.run_id) or not run.over:
        raise ValueError("only finished runs with a store id are kept")
    directory = directory or store_directory()
    directory.mkdir(parents=True, exist_ok=True)
    record = {
        "spec": spec_values(run.spec),
        "history": [asdict(r) for r in run.history],
        "state": run.state,
        "message": run.message,
        "wall_seconds": run.wall_seconds,
    }
    arrays = {f"weight_{i}": w for i, w in enumerate(run.weights or [])}
    if run.test is not None:
        arrays.update({f"test_{name}": value for name, value in vars(run.test).items()})
    # Written under temporary names and renamed, so a reader never sees half a run.
    for suffix, write in (
        # No pickles, as ``load`` reads them; naming allow_pickle also lets mypy see that
        # every array goes to **kwds.
        (".npz", lambda f: np.savez(f, allow_pickle=False, **arrays)),
        (".json", lambda f: f.write(json.dumps(record).encode())),
    ):
        temporary = directory / f".{run.run_id}{suffix}.tmp"
        with open(temporary, "wb") as file:
            write(file)
        temporary.replace(directory / f"{run.run_id}{suffix}")
    prune(directory)


def load(run_id: str, directory: Path | None = None) -> TrainingRun | None:
    """The kept run with this id, or None if there is none (expired, or never was)."""
    if not valid_id(run_id):
        return None
    directory = directory or store_directory()
    try:
        record = json.loads((directory / f"{run_id}.json").read_text())
        with np.load(directory / f"{run_id}.npz", allow_pickle=False) as arrays:
            count = sum(1 for name in arrays.files if name.startswith("weight_"))
            weights = [arrays[f"weight_{i}"] for i in range(count)]
            test_arrays = {
                name: arrays[f"test_{name}"]
                for name in Evaluation.__dataclass_fields__
                if f"test_{name}" in arrays.files
            }
    except (OSError, ValueError, KeyError):
        return None
    return TrainingRun(
        spec=spec_from_values(record["spec"]),
        run_id=run_id,
        history=[EpochRecord(**r) for r in record["history"]],
        state=record["state"],
        message=record["message"],
        weights=weights or None,
        test=Evaluation(**test_arrays) if len(test_arrays) == 4 else None,
        wall_seconds=record["wall_seconds"],
    )


def prune(directory: Path, now: float | None = None) -> None:
    """Remove runs older than KEEP_SECONDS, then the oldest beyond KEEP_COUNT."""
    now = now or time.time()
    ages = {}
    for path in directory.glob("*.json"):
        try:
            ages[path] = now - path.stat().st_mtime
        except OSError:  # another server removed it just now
            continue
    for index, path in enumerate(sorted(ages, key=ages.__getitem__)):
        if index >= KEEP_COUNT or ages[path] > KEEP_SECONDS:
            for suffix in (".json", ".npz"):
                path.with_suffix(suffix).unlink(missing_ok=True)
