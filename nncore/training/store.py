"""Finished trainings kept on disk for a while, so a reload or a shared link can open them.

A run is kept under its id, which is unguessable (``secrets``) and appears in the page's link:
whoever has the link can open the run, nobody else can find it. Kept runs are plain files
(JSON for the record, ``.npz`` for the arrays), in the directory ``PLAYGROUND_STORE`` names,
which several app servers running as the same user can share; without it, in the user's data
directory (``$XDG_DATA_HOME/sequential-playground/runs``). Old runs are removed so the
directory stays bounded in age and count.

The store is private to the user the server runs as: its directory is created 0700 and its
files 0600, whatever the process's umask, and a directory another user owns or could write to
is refused (``StoreProblem``), since they could read the runs or replace them.

A record is read as untrusted input: ``load`` answers None for anything malformed (truncated,
wrong types, missing keys), and no array is read before its size is known to fit the record's
own network. The sizes come from the ``.npz``'s zip directory and each member's ``.npy``
header, checked against the weights the spec's layer plan has and the test rows it holds, so a
small file that declares a huge array is refused without reading it.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import stat
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import IO

import numpy as np

from nncore.network.plan import LayerPlan, layer_plan
from nncore.network.settings import SETTINGS_BY_KEY, spec_from_values, spec_values
from nncore.network.spec import IMAGE_SHAPE, NetworkSpec
from nncore.settings import Setting
from nncore.training.run import OVER_STATES, EpochRecord, Evaluation, TrainingRun

KEEP_SECONDS = 12 * 3600  # a school day
KEEP_COUNT = 500
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")  # matched in full: no trailing newline
APP_FOLDER = "sequential-playground"

PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600
MAX_RECORD_BYTES = 256 * 1024  # a spec, at most 300 epochs and a message take ~50 kB
MAX_MESSAGE = 10_000  # characters of the run's closing sentence
MAX_MISTAKES = 24  # what evaluation.misclassified keeps
MAX_MEMBERS = 32  # arrays in one record: the weights of 7 layers and 4 test arrays fit
HEADER_BYTES = 16 * 1024  # slack per array: its zip entry and .npy header
CHUNK_BYTES = 1024 * 1024
TEMPORARY_SECONDS = 3600  # a half-written run older than this was left by a crash

WEIGHT_DTYPES = (np.dtype(np.float32),)
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
INDEX_DTYPES = (np.dtype(np.int32), np.dtype(np.int64))
TEST_ARRAYS = tuple(f.name for f in fields(Evaluation))
# The .npy versions ``np.savez`` writes (3.0 only adds UTF-8 field names), with their readers.
HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


class StoreProblem(Exception):
    """A store directory the server must not use; the message is one sentence for whoever runs
    the server (it names the directory, so it belongs in the server's log, not on a page)."""


class MalformedRecord(ValueError):
    """A kept record that is not what ``keep`` writes; ``load`` answers None for it."""


def store_directory() -> Path:
    """Where kept runs live: ``PLAYGROUND_STORE``, or the user's data directory."""
    configured = os.environ.get("PLAYGROUND_STORE")
    if configured:
        return Path(configured)
    data_home = os.environ.get("XDG_DATA_HOME", "")
    # The XDG rule: a relative XDG_DATA_HOME is ignored.
    base = Path(data_home) if os.path.isabs(data_home) else Path.home() / ".local" / "share"
    return base / APP_FOLDER / "runs"


def check_store_directory(directory: Path | None = None) -> Path:
    """Create the store directory if it is missing (0700) and make sure it is private.

    Call it once when the server starts, so a store it must not use is said at once (in the
    server's log) rather than at the first kept training. Returns the directory. Raises
    ``StoreProblem`` when the directory cannot be created, is not a directory, belongs to
    another user, or can be written by group or others and holds anything. One of this user's
    that others can only read or list (a volume made by ``mkdir``), or an empty one they could
    write (``mkdir`` under umask 002), is made 0700: the ids in its file names are the links.
    """
    directory = directory or store_directory()
    try:
        _make_directories(directory)
    except OSError as problem:
        raise StoreProblem(
            f"The folder for kept trainings, {directory}, cannot be created "
            f"({problem.strerror or type(problem).__name__}): set PLAYGROUND_STORE to a folder "
            "this user owns."
        ) from None
    _check_private(directory, tighten=True)
    return directory


def _make_directories(directory: Path) -> None:
    """``mkdir -p`` with 0700 for every folder it creates (``Path.mkdir`` gives the parents the
    umask's mode), chmod-ed after creation since the umask may take bits away."""
    missing = []
    for folder in (directory, *directory.parents):
        if os.path.lexists(folder):
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            os.mkdir(folder, PRIVATE_DIRECTORY)
        except FileExistsError:  # another server made it just now: checked below all the same
            continue
        os.chmod(folder, PRIVATE_DIRECTORY)


def _check_private(directory: Path, tighten: bool = False) -> None:
    """``StoreProblem`` unless ``directory`` is a directory of this user's that nobody else can
    write to; with ``tighten``, one others can read, or an empty one, is made 0700."""
    try:
        status = os.stat(directory)
    except OSError as problem:
        raise StoreProblem(
            f"The folder for kept trainings, {directory}, cannot be read "
            f"({problem.strerror or type(problem).__name__})."
        ) from None
    if not stat.S_ISDIR(status.st_mode):
        raise StoreProblem(
            f"PLAYGROUND_STORE names {directory}, which is not a folder: name a folder for the "
            "kept trainings."
        )
    if status.st_uid != os.geteuid():
        raise StoreProblem(
            f"The folder for kept trainings, {directory}, belongs to another user (uid "
            f"{status.st_uid}), who could read or replace them: set PLAYGROUND_STORE to a "
            "folder this user owns."
        )
    mode = stat.S_IMODE(status.st_mode)
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        if not (tighten and _empty(directory)):
            raise _writable_by_others(directory, mode)
        # Empty, so nobody can have put anything in it: made private, then looked at again
        # (something put there in between is still refused).
        os.chmod(directory, PRIVATE_DIRECTORY)
        if not _empty(directory):
            os.chmod(directory, mode)
            raise _writable_by_others(directory, mode)
    elif mode & 0o077 and tighten:
        os.chmod(directory, PRIVATE_DIRECTORY)


def _empty(directory: Path) -> bool:
    with os.scandir(directory) as entries:
        return next(entries, None) is None


def _writable_by_others(directory: Path, mode: int) -> StoreProblem:
    return StoreProblem(
        f"The folder for kept trainings, {directory}, can be written by other users (mode "
        f"{mode:04o}), who could have replaced them: remove it or set PLAYGROUND_STORE to a "
        "private folder (chmod 700)."
    )


def valid_id(run_id: object) -> bool:
    """Whether ``run_id`` looks like an id this store gave out (never a path)."""
    return isinstance(run_id, str) and ID_PATTERN.fullmatch(run_id) is not None


def keep(run: TrainingRun, directory: Path | None = None) -> None:
    """Write a finished run; the oldest and expired runs make room.

    Raises ``StoreProblem`` if the directory is not private (see ``check_store_directory``).
    """
    if not valid_id(run.run_id) or not run.over:
        raise ValueError("only finished runs with a store id are kept")
    directory = check_store_directory(directory)
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
    writers: tuple[tuple[str, Callable[[IO[bytes]], object]], ...] = (
        # No pickles, as ``load`` reads them; naming allow_pickle also lets mypy see that
        # every array goes to **kwds.
        (".npz", lambda f: np.savez(f, allow_pickle=False, **arrays)),
        (".json", lambda f: f.write(json.dumps(record).encode())),
    )
    for suffix, write in writers:
        temporary = directory / f".{run.run_id}{suffix}.{secrets.token_hex(8)}.tmp"
        _write_private(temporary, write)
        temporary.replace(directory / f"{run.run_id}{suffix}")
    prune(directory)


def _write_private(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """A new file that only this user can read (0600 whatever the umask), filled by ``write``."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_FILE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE)
        with os.fdopen(descriptor, "wb") as file:
            descriptor = -1  # the file object closes it now
            write(file)
    except BaseException:
        if descriptor >= 0:
            os.close(descriptor)
        path.unlink(missing_ok=True)
        raise


def load(run_id: str, directory: Path | None = None) -> TrainingRun | None:
    """The kept run with this id, or None if there is none (expired, or never was), if its
    files are malformed, or if the directory is not private."""
    if not valid_id(run_id):
        return None
    directory = directory or store_directory()
    try:
        _check_private(directory)
        return _read_run(directory, run_id)
    except (
        StoreProblem,
        OSError,
        ValueError,  # MalformedRecord, JSON and UTF-8 errors, numpy's header errors
        KeyError,
        TypeError,
        EOFError,
        OverflowError,
        RecursionError,  # JSON nested a million levels deep
        zipfile.BadZipFile,
    ):
        return None


def _read_run(directory: Path, run_id: str) -> TrainingRun:
    record = json.loads(_read_small(directory / f"{run_id}.json", MAX_RECORD_BYTES))
    _require(isinstance(record, dict), "the record is not a JSON object")
    spec = _spec(record["spec"])
    history = _history(record["history"], spec)
    state = record["state"]
    _require(state in OVER_STATES, "the state is not one a finished run has")
    message = record["message"]
    _require(isinstance(message, str) and len(message) <= MAX_MESSAGE, "a bad message")
    wall_seconds = _number(record["wall_seconds"])
    _require(math.isfinite(wall_seconds) and wall_seconds >= 0, "a bad wall time")
    arrays = _read_arrays(directory / f"{run_id}.npz", spec)
    count = sum(1 for name in arrays if name.startswith("weight_"))
    weights = [arrays[f"weight_{i}"] for i in range(count)]
    test = None
    if all(f"test_{name}" in arrays for name in TEST_ARRAYS):
        test = Evaluation(**{name: arrays[f"test_{name}"] for name in TEST_ARRAYS})
    return TrainingRun(
        spec=spec,
        run_id=run_id,
        history=history,
        state=state,
        message=message,
        weights=weights or None,
        test=test,
        wall_seconds=wall_seconds,
    )


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise MalformedRecord(what)


def _open_regular(path: Path) -> tuple[int, int]:
    """A descriptor of the regular file at ``path`` (never through a link, never blocking on a
    FIFO) and its size."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        raise MalformedRecord(f"{path.name} is not a regular file")
    return descriptor, status.st_size


def _read_small(path: Path, limit: int) -> bytes:
    descriptor, size = _open_regular(path)
    with os.fdopen(descriptor, "rb") as file:
        _require(size <= limit, f"{path.name} is larger than a record can be")
        return file.read(limit + 1)


def _number(value: object) -> float:
    """A JSON number (NaN and infinity included: a diverged epoch's loss), never a bool."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedRecord("not a number")
    return float(value)


def _setting_value(setting: Setting, value: object) -> object:
    """``value`` if it is one the page could have given ``setting``, else MalformedRecord."""
    if setting.kind == "choice":
        _require(isinstance(value, str) and value in setting.choices, f"a bad {setting.key}")
    elif setting.kind == "bool":
        _require(isinstance(value, bool), f"a bad {setting.key}")
    elif setting.kind == "int":
        _require(isinstance(value, int) and not isinstance(value, bool), f"a bad {setting.key}")
        setting.check(value)  # ValueError out of range
    else:
        _require(math.isfinite(_number(value)), f"a bad {setting.key}")
        setting.check(value)
    return value


def _spec(values: object) -> NetworkSpec:
    """The record's spec, every value checked as a link's would be; unknown keys (from a later
    version) are left out, missing ones take their default."""
    if not isinstance(values, dict):
        raise MalformedRecord("the spec is not a JSON object")
    known = {
        key: _setting_value(SETTINGS_BY_KEY[key], value)
        for key, value in values.items()
        if key in SETTINGS_BY_KEY
    }
    spec = spec_from_values(known)
    _require(not layer_plan(spec).problems, "the spec's network cannot be built")
    return spec


def _history(entries: object, spec: NetworkSpec) -> list[EpochRecord]:
    if not isinstance(entries, list) or len(entries) > spec.epochs:
        raise MalformedRecord("a bad history")
    names = [f.name for f in fields(EpochRecord)]
    history = []
    for entry in entries:
        _require(isinstance(entry, dict) and sorted(entry) == sorted(names), "a bad epoch")
        epoch = entry["epoch"]
        _require(isinstance(epoch, int) and not isinstance(epoch, bool), "a bad epoch number")
        values = {name: _number(entry[name]) for name in names if name != "epoch"}
        history.append(EpochRecord(epoch=epoch, **values))
    return history


@dataclass(frozen=True)
class _Member:
    """One array of a record as its zip entry and ``.npy`` header declare it (nothing read)."""

    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def weight_shapes(plan: LayerPlan) -> list[tuple[int, ...]] | None:
    """The shapes ``model.get_weights()`` returns for the planned model: a kernel and a bias
    for every layer with parameters, or None if a layer's parameters are not that pair."""
    shapes: list[tuple[int, ...]] = []
    shape_in = plan.input_shape
    for layer in plan.layers:
        if layer.params:
            outputs = layer.output_shape[-1]
            window = tuple(layer.options.get("kernel_size", ()))
            inputs = shape_in[-1] if window else math.prod(shape_in)
            kernel = (*window, inputs, outputs)
            if math.prod(kernel) + outputs != layer.params:
                return None
            shapes += [kernel, (outputs,)]
        shape_in = layer.output_shape
    return shapes


def _test_rows(spec: NetworkSpec) -> int:
    """How many test rows the split of ``spec`` holds at most (as scikit-learn rounds)."""
    return math.ceil(spec.rows * spec.test)


def _record_budget(spec: NetworkSpec, plan: LayerPlan) -> int:
    """The largest ``.npz`` a record of ``spec`` can be: its weights, its test arrays, and
    room for every entry's headers."""
    rows = _test_rows(spec)
    pixels = max(math.prod(spec.input_shape), math.prod(IMAGE_SHAPE[:2]))
    test = rows * spec.classes * 8 + rows * 8 + MAX_MISTAKES * (8 + pixels * 8)
    return plan.total_params * 4 + test + MAX_MEMBERS * HEADER_BYTES


def _read_arrays(path: Path, spec: NetworkSpec) -> dict[str, np.ndarray]:
    """The record's arrays, each read only once its declared size is known to fit ``spec``."""
    plan = layer_plan(spec)
    descriptor, size = _open_regular(path)
    with os.fdopen(descriptor, "rb") as file:
        _require(size <= _record_budget(spec, plan), "the arrays are larger than the spec allows")
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            _require(len(infos) <= MAX_MEMBERS, "too many arrays")
            members = {}
            for info in infos:
                name = info.filename.removesuffix(".npy")
                _require(info.filename.endswith(".npy") and name not in members, "a bad name")
                _require(not info.flag_bits & 0x1, "an encrypted array")
                members[name] = _declared(archive, info)
            _check_members(members, spec, plan)
            arrays = {name: _read_member(archive, member) for name, member in members.items()}
    _check_indices(arrays, spec)
    return arrays


def _declared(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> _Member:
    """What one ``.npy`` entry declares, from at most its header's bytes."""
    with archive.open(info) as stream:
        version = np.lib.format.read_magic(stream)
        read_header = HEADER_READERS.get(version)
        if read_header is None:
            raise MalformedRecord("an unknown .npy version")
        shape, fortran_order, dtype = read_header(stream, max_header_size=HEADER_BYTES)
    member = _Member(info, tuple(shape), dtype, fortran_order)
    _require(info.file_size <= member.nbytes + HEADER_BYTES, "an entry larger than its array")
    return member


def _check_members(members: Mapping[str, _Member], spec: NetworkSpec, plan: LayerPlan) -> None:
    """Every declared array is one ``keep`` writes for ``spec``, with its shape and dtype."""
    weights = sorted(name for name in members if name.startswith("weight_"))
    tests = {
        name.removeprefix("test_"): m for name, m in members.items() if name.startswith("test_")
    }
    _require(len(weights) + len(tests) == len(members), "an array keep does not write")
    _require(set(tests) <= set(TEST_ARRAYS), "an unknown test array")
    if weights:
        expected = weight_shapes(plan)
        count = len(expected) if expected is not None else len(weights)
        _require(weights == sorted(f"weight_{i}" for i in range(count)), "weights missing or extra")
        declared = [members[f"weight_{i}"] for i in range(count)]
        _require(all(m.dtype in WEIGHT_DTYPES for m in declared), "weights that are not float32")
        if expected is not None:
            _require([m.shape for m in declared] == expected, "weights of another network")
        else:  # as many numbers as the network has parameters
            total = sum(math.prod(m.shape) for m in declared)
            _require(total == plan.total_params, "weights of another network")
    _check_test_arrays(tests, spec)


def _check_test_arrays(tests: Mapping[str, _Member], spec: NetworkSpec) -> None:
    rows = _test_rows(spec)
    probabilities, labels = tests.get("probabilities"), tests.get("labels")
    mistakes, images = tests.get("mistakes"), tests.get("mistake_images")
    if probabilities is not None:
        shape = probabilities.shape
        _require(
            len(shape) == 2 and shape[0] <= rows and shape[1] == spec.classes,
            "probabilities of another split",
        )
        _require(probabilities.dtype in FLOAT_DTYPES, "probabilities that are not floats")
        rows = shape[0]
    if labels is not None:
        _require(len(labels.shape) == 1 and labels.shape[0] <= rows, "labels of another split")
        _require(labels.dtype in INDEX_DTYPES, "labels that are not integers")
        rows = labels.shape[0]
    _require(
        probabilities is None or labels is None or probabilities.shape[0] == labels.shape[0],
        "as many labels as answers",
    )
    shown = 0
    if mistakes is not None:
        shape = mistakes.shape
        _require(len(shape) == 1 and shape[0] <= min(MAX_MISTAKES, rows), "too many mistakes")
        _require(mistakes.dtype in INDEX_DTYPES, "mistakes that are not row numbers")
        shown = shape[0]
    if images is not None:
        picture = images.shape[1:]
        _require(picture in (spec.input_shape, IMAGE_SHAPE[:2]), "pictures of another shape")
        _require(images.shape[0] == shown, "one picture per mistake")
        _require(images.dtype in FLOAT_DTYPES, "pictures that are not floats")


def _read_member(archive: zipfile.ZipFile, member: _Member) -> np.ndarray:
    """The array's bytes, read into a buffer of its declared (and checked) size."""
    with archive.open(member.info) as stream:
        HEADER_READERS[np.lib.format.read_magic(stream)](stream, max_header_size=HEADER_BYTES)
        buffer = bytearray(member.nbytes)  # the only copy: the array is a view of it
        view, filled = memoryview(buffer), 0
        while filled < member.nbytes:
            chunk = stream.read(min(member.nbytes - filled, CHUNK_BYTES))
            _require(bool(chunk), "a truncated array")
            view[filled : filled + len(chunk)] = chunk
            filled += len(chunk)
    array = np.frombuffer(buffer, dtype=member.dtype)
    return array.reshape(member.shape, order="F" if member.fortran_order else "C")


def _check_indices(arrays: Mapping[str, np.ndarray], spec: NetworkSpec) -> None:
    """Numbers that index must index: labels are classes, mistakes are rows of the test set."""
    for name, end in (("test_labels", spec.classes), ("test_mistakes", _test_rows(spec))):
        array = arrays.get(name)
        if array is not None and array.size:
            _require(int(array.min()) >= 0 and int(array.max()) < end, f"{name} out of range")
    labels, mistakes = arrays.get("test_labels"), arrays.get("test_mistakes")
    if labels is not None and mistakes is not None and mistakes.size:
        _require(int(mistakes.max()) < len(labels), "a mistake beyond the test rows")


def prune(directory: Path, now: float | None = None) -> None:
    """Remove runs older than KEEP_SECONDS, then the oldest beyond KEEP_COUNT, and the
    temporary files of writes that never finished."""
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
    for path in directory.glob(".*.tmp"):
        try:
            if now - path.stat().st_mtime > TEMPORARY_SECONDS:
                path.unlink(missing_ok=True)
        except OSError:
            continue
