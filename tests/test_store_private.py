"""Kept trainings are private to the server's user, and a kept record is read within bounds:
the store's folder and files are the user's only, a folder others own or can write is refused,
and no array is read before its size is known to fit the record's own network."""

from __future__ import annotations

import io
import os
import pwd
import stat
import subprocess
import sys
import tracemalloc
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nncore.network.plan import layer_plan
from nncore.network.settings import spec_from_values
from nncore.network.spec import SEED_NOTEBOOK, SMALL_CNN, NetworkSpec
from nncore.training import store
from nncore.training.run import EpochRecord, Evaluation, TrainingRun
from nncore.training.store import StoreProblem, check_store_directory, keep, load, valid_id

RUN_ID = "kept-run-0123456789abcdef"
SPEC = spec_from_values({"layers": 1, "l1_units": 4, "rows": 500, "epochs": 2})
TEST_ROWS = 100  # 20% of 500


def finished_run(run_id: str = RUN_ID, spec: NetworkSpec = SPEC) -> TrainingRun:
    """A finished run of ``spec`` as the Build page keeps it, without training anything."""
    rng = np.random.default_rng(0)
    labels = np.arange(TEST_ROWS) % 10
    probabilities = np.eye(10, dtype=np.float32)[(labels + (labels % 3 == 0)) % 10]
    mistakes = np.flatnonzero(probabilities.argmax(axis=1) != labels)[: store.MAX_MISTAKES]
    images = rng.random((len(mistakes), *spec.input_shape), dtype=np.float32)
    run = TrainingRun(spec, run_id=run_id, state="running", wall_seconds=0.5)
    run.history = [EpochRecord(e, 2.0 / e, 0.3 * e, 2.1 / e, 0.6, 0.001, 0.2) for e in (1, 2)]
    shapes = store.weight_shapes(layer_plan(spec))
    assert shapes is not None
    run.weights = [rng.normal(size=s).astype(np.float32) for s in shapes]
    run.test = Evaluation(probabilities, labels, mistakes, images)
    run.settle("done")
    return run


def same_run(a: TrainingRun | None, b: TrainingRun) -> bool:
    assert a is not None and a.test is not None and b.test is not None
    assert a.weights is not None and b.weights is not None
    return (
        a.spec == b.spec
        and a.history == b.history
        and (a.state, a.message, a.wall_seconds) == (b.state, b.message, b.wall_seconds)
        and all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights, strict=True))
        and all(np.array_equal(getattr(a.test, n), getattr(b.test, n)) for n in store.TEST_ARRAYS)
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_zero():
    """The loosest umask a server could run with: every mode bit the code asks for is kept."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_the_default_store_is_in_the_users_data_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("PLAYGROUND_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert store.store_directory() == tmp_path / "data" / "sequential-playground" / "runs"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")  # ignored, as the XDG rules say
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ".local" / "share" / "sequential-playground" / "runs"
    assert store.store_directory() == expected
    monkeypatch.setenv("PLAYGROUND_STORE", str(tmp_path / "shared"))  # the cluster's replicas
    assert store.store_directory() == tmp_path / "shared"


@pytest.mark.usefixtures("umask_zero")
def test_the_store_and_its_files_are_the_users_only_whatever_the_umask(tmp_path):
    directory = tmp_path / "data" / "sequential-playground" / "runs"
    run = finished_run()
    keep(run, directory)
    for folder in (directory, directory.parent, directory.parent.parent):
        assert mode(folder) == 0o700, folder
    files = sorted(directory.iterdir())
    assert [f.name for f in files] == [f"{RUN_ID}.json", f"{RUN_ID}.npz"]
    assert all(mode(f) == 0o600 for f in files)
    assert same_run(load(RUN_ID, directory), run)


def test_a_store_others_can_only_read_is_made_private(tmp_path):
    directory = tmp_path / "volume"
    directory.mkdir()
    directory.chmod(0o755)  # what `mkdir -p` makes of a container's volume
    assert check_store_directory(directory) == directory
    assert mode(directory) == 0o700


def test_an_empty_store_others_could_write_is_made_private(tmp_path):
    """What `mkdir` makes under a umask of 002 holds nothing anyone could have put there."""
    directory = tmp_path / "runs"
    directory.mkdir()
    directory.chmod(0o775)
    keep(finished_run(), directory)
    assert mode(directory) == 0o700
    assert load(RUN_ID, directory) is not None


def test_a_store_others_can_write_is_refused(tmp_path):
    directory = tmp_path / "runs"
    keep(finished_run(), directory)
    directory.chmod(0o777)
    with pytest.raises(StoreProblem, match="can be written by other users"):
        check_store_directory(directory)
    with pytest.raises(StoreProblem):
        keep(finished_run("another-run-0123456789"), directory)
    assert load(RUN_ID, directory) is None  # someone could have replaced it
    assert mode(directory) == 0o777  # left as it was: refused again next time
    directory.chmod(0o770)
    with pytest.raises(StoreProblem, match=r"mode 0770"):
        check_store_directory(directory)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_a_store_another_user_owns_is_refused(tmp_path):
    """Under /tmp, another local user could create the folder first and read every run."""
    directory = tmp_path / "runs"
    keep(finished_run(), directory)
    nobody = pwd.getpwnam("nobody")
    os.chown(directory, nobody.pw_uid, nobody.pw_gid)
    with pytest.raises(StoreProblem, match="belongs to another user"):
        check_store_directory(directory)
    with pytest.raises(StoreProblem, match="belongs to another user"):
        keep(finished_run("another-run-0123456789"), directory)
    assert load(RUN_ID, directory) is None


def test_a_store_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "runs").write_text("")
    with pytest.raises(StoreProblem, match="not a folder"):
        check_store_directory(tmp_path / "runs")


def test_an_id_is_matched_in_full(tmp_path):
    keep(finished_run(), tmp_path)
    assert valid_id(RUN_ID) and load(RUN_ID, tmp_path) is not None
    for bad in (RUN_ID + "\n", RUN_ID + "\n\n", "\n" + RUN_ID, RUN_ID + "/", "../" + RUN_ID):
        assert not valid_id(bad)
        assert load(bad, tmp_path) is None
    with pytest.raises(ValueError):
        keep(finished_run(RUN_ID + "\n"), tmp_path)


def npy_header(shape: tuple[int, ...], dtype: str = "<f4") -> bytes:
    """The .npy header (magic string included) of an array of ``shape``, without its data."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": dtype, "fortran_order": False, "shape": shape}
    )
    return header.getvalue()


def replace_member(directory: Path, name: str, write) -> None:
    """The kept run's arrays rewritten with entry ``name`` replaced by what ``write`` puts in
    the zip; every other entry and the record stay as they were."""
    path = directory / f"{RUN_ID}.npz"
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, content in entries:
            if info.filename != name:
                archive.writestr(info, content)
        write(archive)


def peak_bytes_of_load(directory: Path) -> tuple[TrainingRun | None, int]:
    tracemalloc.start()
    try:
        result = load(RUN_ID, directory)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_array_whose_header_declares_a_gib_is_refused_without_reading_it(tmp_path):
    """A .npy header may declare a GiB of weights in a few bytes; reading it as numpy does
    would allocate the GiB first."""
    keep(finished_run(), tmp_path)
    assert load(RUN_ID, tmp_path) is not None
    gib = (2**28,)  # float32

    def declare_a_gib(archive):
        archive.writestr("weight_0.npy", npy_header(gib) + bytes(1024))

    replace_member(tmp_path, "weight_0.npy", declare_a_gib)
    result, peak = peak_bytes_of_load(tmp_path)
    assert result is None
    assert peak < 4 * 2**20


def test_a_compressed_entry_that_unpacks_to_256_mib_is_refused_unread(tmp_path):
    """np.savez_compressed of zeros: under 1 MiB on disk, 256 MiB in the zip's directory, and
    a header that declares the right shape."""
    keep(finished_run(), tmp_path)
    size = 2**28

    def zeros(archive):
        entry = zipfile.ZipInfo("weight_0.npy")
        entry.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(entry, "w", force_zip64=True) as member:
            member.write(npy_header((784, 4)))
            chunk = bytes(2**22)  # streamed: the test itself never holds 256 MiB
            for _ in range(size // len(chunk)):
                member.write(chunk)

    replace_member(tmp_path, "weight_0.npy", zeros)
    assert (tmp_path / f"{RUN_ID}.npz").stat().st_size < 2**20
    result, peak = peak_bytes_of_load(tmp_path)
    assert result is None
    assert peak < 4 * 2**20


def test_a_record_of_arrays_the_spec_cannot_hold_is_refused(tmp_path):
    run = finished_run()
    assert run.weights is not None
    run.weights[0] = np.zeros((784, 400), dtype=np.float32)  # a network of 400 units, not 4
    keep(run, tmp_path)
    assert load(RUN_ID, tmp_path) is None


def test_a_truncated_record_is_no_kept_run(tmp_path):
    keep(finished_run(), tmp_path)
    arrays = tmp_path / f"{RUN_ID}.npz"
    arrays.write_bytes(arrays.read_bytes()[: arrays.stat().st_size // 2])
    assert load(RUN_ID, tmp_path) is None


@pytest.mark.parametrize("spec", [SEED_NOTEBOOK, SMALL_CNN], ids=["notebook", "small CNN"])
def test_the_weights_a_record_may_hold_are_those_keras_gives(spec):
    from nncore.network.model import build_model

    weights = build_model(spec).get_weights()
    assert [w.shape for w in weights] == store.weight_shapes(layer_plan(spec))
    assert {w.dtype for w in weights} == {np.dtype(np.float32)}


def test_a_small_cnn_run_round_trips_with_its_pictures(tmp_path):
    run = finished_run(spec=replace(SMALL_CNN, rows=500))
    assert run.test is not None and run.test.mistake_images.shape[1:] == (28, 28, 1)
    keep(run, tmp_path)
    assert same_run(load(RUN_ID, tmp_path), run)


def test_half_written_files_left_by_a_crash_are_pruned(tmp_path):
    stale = tmp_path / f".{RUN_ID}.npz.0123456789abcdef.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, (0, 0))
    keep(finished_run(), tmp_path)
    assert not stale.exists()


def test_a_server_whose_store_others_can_write_says_so_and_serves_nothing(tmp_path):
    """The check runs once when the app starts: the visitor reads a sentence without the
    server's folder in it (that goes to the server's log), and no page runs."""
    shared = tmp_path / "runs"
    shared.mkdir()
    (shared / "someone-elses.json").write_text("{}")
    shared.chmod(0o777)
    code = (
        "from streamlit.testing.v1 import AppTest\n"
        "from nncore.workers import client\n"
        "client.start_workers = lambda: None\n"
        "at = AppTest.from_file('app.py', default_timeout=60)\n"
        "at.run()\n"
        "print([e.value for e in at.error])\n"
        "print(len(at.title))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PLAYGROUND_STORE": str(shared)},
    )
    errors, titles = result.stdout.strip().splitlines()[-2:]
    assert "cannot keep trainings safely" in errors and str(shared) not in errors
    assert titles == "0"  # the page itself did not run
    assert str(shared) in result.stderr  # whoever runs the server reads where
