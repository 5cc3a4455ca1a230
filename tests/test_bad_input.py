"""Every bad input gets a sentence, never a traceback: numbers a CSV file cannot hold, files the
command line cannot use, and kept records that are not what the store writes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nncore.data.csv_files import CsvProblem, read_csv_bytes
from nncore.training import store
from nncore.training.cli import main, parse_arguments
from tests.test_store_private import (
    RUN_ID,
    TEST_ROWS,
    finished_run,
    npy_header,
    replace_member,
    same_run,
)

ROOT = Path(__file__).resolve().parents[1]
MISTAKES = store.MAX_MISTAKES  # what finished_run's answers get wrong, as many as are shown
TWENTY_DIGITS = "99999999999999999999"  # beyond 64 bits: pandas keeps it as a Python int


def table(cell: str, *, column: str = "a") -> bytes:
    """A small valid table whose feature ``column`` holds ``cell`` on line 4."""
    rows = [["1", "2", "x"], ["3", "4", "y"], ["5", "6", "x"], ["7", "8", "y"]]
    rows[2][0 if column == "a" else 1] = cell
    return ("a,b,label\n" + "".join(",".join(r) + "\n" for r in rows)).encode()


NUMBERS_A_FILE_CANNOT_HOLD = {
    "20-digit whole number": (
        table(TWENTY_DIGITS),
        f"Line 4, column “a” holds {TWENTY_DIGITS}, a whole number too long",
    ),
    "negative 20-digit whole number": (
        table("-" + TWENTY_DIGITS, column="b"),
        f"Line 4, column “b” holds -{TWENTY_DIGITS}, a whole number too long",
    ),
    "20 digits that fit unsigned 64 bits": (
        table("12345678901234567890"),
        "Line 4, column “a” holds 12345678901234567890, a whole number too long",
    ),
    "400-digit whole number": (table("9" * 400), "Line 4, column “a” holds 999999"),
    "beyond float32": (table("1e39"), "Line 4, column “a” holds 1e+39, too large a number"),
    "beyond 10^15": (table("2e16", column="b"), "Line 4, column “b” holds 2e+16, too large"),
    "beyond float64": (table("1e400"), "Line 4, column “a” is empty or not a number"),
    "negative infinity": (table("-inf"), "Line 4, column “a” is empty or not a number"),
    "label beyond 15 digits": (
        b"a,label\n1,1e20\n2,1e20\n3,2\n4,2\n",
        "Line 2 has the label 1e+20: a number label has at most 15 digits",
    ),
}


@pytest.mark.parametrize("name", NUMBERS_A_FILE_CANNOT_HOLD)
def test_numbers_a_file_cannot_hold_get_a_sentence_naming_line_and_column(name):
    content, expected = NUMBERS_A_FILE_CANNOT_HOLD[name]
    with pytest.raises(CsvProblem) as caught:
        read_csv_bytes(content, "numbers.csv")
    message = str(caught.value)
    assert message.startswith(expected), message
    assert "\n" not in message and len(message) < 300


def test_the_first_bad_cell_in_reading_order_is_named():
    content = b"a,b,label\n1,2,x\n3,4,y\n5,1e39,x\ninf,8,y\n"
    with pytest.raises(CsvProblem, match="^Line 4, column “b”"):
        read_csv_bytes(content, "two.csv")


def test_whole_number_labels_of_any_length_are_class_names_and_preview_as_text():
    """pandas keeps a 20-digit label as a Python int, which a table on the page cannot show."""
    import pyarrow as pa

    content = f"a,label\n1,{TWENTY_DIGITS}\n2,3\n3,{TWENTY_DIGITS}\n4,3\n".encode()
    data = read_csv_bytes(content, "ids.csv")
    assert data.class_names == ("3", TWENTY_DIGITS)
    assert list(data.labels) == [1, 0, 1, 0]
    assert pa.Table.from_pandas(data.preview).num_rows == 4
    unsigned = read_csv_bytes(
        b"a,label\n1,12345678901234567890\n2,3\n3,12345678901234567890\n4,3\n", "u.csv"
    )
    assert unsigned.class_names == ("3", "12345678901234567890")


def run_cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    """``python -m nncore.training`` as a teacher runs it (a bad file stops it before
    TensorFlow is imported, so it is quick)."""
    return subprocess.run(
        [sys.executable, "-m", "nncore.training", *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_the_command_line_exits_2_with_the_sentence_for_a_20_digit_number(tmp_path):
    bad = tmp_path / "ids.csv"
    bad.write_bytes(table(TWENTY_DIGITS))
    result = run_cli("--csv", str(bad))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{bad}: Line 4, column “a” holds {TWENTY_DIGITS}")
    assert "Traceback" not in result.stderr and result.stdout == ""


def bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """A file of each kind the command line cannot use, and the start of its sentence."""
    folder = tmp_path / "a folder.csv"
    folder.mkdir()
    binary = tmp_path / "sheet.csv"
    binary.write_bytes(b"PK\x03\x04" + bytes(64))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    overflow = tmp_path / "big.csv"
    overflow.write_bytes(table("1e39"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name,label\n1,café\n2,thé\n".encode("latin-1"))
    return {
        "a folder": (folder, "The file cannot be opened (Is a directory)."),
        "missing": (tmp_path / "nowhere.csv", "The file cannot be opened (No such file"),
        "a spreadsheet": (binary, "This is a zip archive"),
        "empty": (empty, "The file is empty."),
        "beyond float32": (overflow, "Line 4, column “a” holds 1e+39"),
        "not UTF-8": (latin, "The file is not UTF-8 text"),
    }


def test_every_file_the_command_line_cannot_use_exits_2_with_one_sentence(tmp_path, capsys):
    for name, (path, expected) in bad_files(tmp_path).items():
        assert main(["--csv", str(path)]) == 2, name
        err = capsys.readouterr().err
        assert err.startswith(f"{path}: {expected}"), (name, err)
        assert err.count("\n") == 1, (name, err)


def test_a_model_file_in_a_folder_that_does_not_exist_is_refused_before_training(tmp_path, capsys):
    out = tmp_path / "missing" / "model.keras"
    with pytest.raises(SystemExit) as exit_info:
        parse_arguments(["--out", str(out)])
    assert exit_info.value.code == 2
    assert f"the folder {out.parent} does not exist" in capsys.readouterr().err


# Kept records as they could be found on disk: truncated, hand-edited, or from another version.
Damage = Callable[[Path], object]  # what is done to a kept run's files in its folder


def edit_record(edit: Callable[[dict[str, Any]], object]) -> Damage:
    """Change the kept record's JSON in place with ``edit``."""

    def change(directory: Path) -> None:
        path = directory / f"{RUN_ID}.json"
        record = json.loads(path.read_text())
        edit(record)
        path.write_text(json.dumps(record))

    return change


def write_json(text: str) -> Damage:
    return lambda directory: (directory / f"{RUN_ID}.json").write_text(text)


def swap_array(name: str, value: np.ndarray) -> Damage:
    def change(directory: Path) -> None:
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, value, allow_pickle=False)
        replace_member(
            directory, f"{name}.npy", lambda a: a.writestr(f"{name}.npy", buffer.getvalue())
        )

    return change


def set_epoch(field: str, value: Any) -> Damage:
    return edit_record(lambda record: record["history"][0].__setitem__(field, value))


def set_spec(key: str, value: Any) -> Damage:
    return edit_record(lambda record: record["spec"].__setitem__(key, value))


def truncate(suffix: str) -> Damage:
    def change(directory: Path) -> None:
        path = directory / f"{RUN_ID}{suffix}"
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    return change


def replace_with_folder(suffix: str) -> Damage:
    def change(directory: Path) -> None:
        (directory / f"{RUN_ID}{suffix}").unlink()
        (directory / f"{RUN_ID}{suffix}").mkdir()

    return change


def replace_with_fifo(directory: Path) -> None:
    (directory / f"{RUN_ID}.json").unlink()
    os.mkfifo(directory / f"{RUN_ID}.json")  # opening it to read would wait for a writer


def npz_member(name: str, content: bytes) -> Damage:
    return lambda d: replace_member(d, name, lambda a: a.writestr(name, content))


MALFORMED_RECORDS: dict[str, Damage] = {
    "truncated record": truncate(".json"),
    "truncated arrays": truncate(".npz"),
    "arrays not a zip": lambda d: (d / f"{RUN_ID}.npz").write_bytes(b"not a zip"),
    "arrays missing": lambda d: (d / f"{RUN_ID}.npz").unlink(),
    "record a folder": replace_with_folder(".json"),
    "arrays a folder": replace_with_folder(".npz"),
    "record a FIFO": replace_with_fifo,
    "record not UTF-8": lambda d: (d / f"{RUN_ID}.json").write_bytes(b"\xff\xfe{}"),
    "record a list": write_json("[1, 2, 3]"),
    "record nested 200,000 deep": write_json("[" * 200_000),
    "record too large": write_json(json.dumps({"pad": "x" * store.MAX_RECORD_BYTES})),
    "missing key": edit_record(lambda r: r.__delitem__("history")),
    "state not a state": edit_record(lambda r: r.__setitem__("state", "hacked")),
    "state a list": edit_record(lambda r: r.__setitem__("state", ["done"])),
    "message a number": edit_record(lambda r: r.__setitem__("message", 5)),
    "wall time text": edit_record(lambda r: r.__setitem__("wall_seconds", "1")),
    "wall time negative": edit_record(lambda r: r.__setitem__("wall_seconds", -1)),
    "history an object": edit_record(lambda r: r.__setitem__("history", {"0": {}})),
    "history entry not a dict": edit_record(lambda r: r["history"].__setitem__(0, [1, 2])),
    "history entry missing a field": edit_record(lambda r: r["history"][0].__delitem__("loss")),
    "history entry with an extra field": set_epoch("extra", 1),
    "history loss text": set_epoch("loss", "low"),
    "history epoch a float": set_epoch("epoch", 1.5),
    "history epoch a bool": set_epoch("epoch", True),
    "more epochs than the spec": edit_record(lambda r: r["history"].extend(r["history"] * 10)),
    "spec a list": edit_record(lambda r: r.__setitem__("spec", [])),
    "a million layers": set_spec("layers", 1_000_000),
    "units text": set_spec("l1_units", "many"),
    "units beyond the slider": set_spec("l1_units", 10**9),
    "rows a float": set_spec("rows", 500.5),
    "learning rate NaN": set_spec("lr", float("nan")),
    "unknown optimizer": set_spec("opt", "__import__"),
    "network that cannot be built": edit_record(
        lambda r: r["spec"].update({"l1_type": "dense", "l2_type": "conv", "layers": 2})
    ),
    "weights float64": swap_array("weight_0", np.zeros((784, 4))),
    "weights of another shape": swap_array("weight_0", np.zeros((4, 784), dtype=np.float32)),
    "weights a pickle": npz_member("weight_0.npy", npy_header((784, 4), "|O")),
    "an extra array": npz_member("extra.npy", npy_header((1,))),
    "a weight too many": npz_member("weight_9.npy", npy_header((1,))),
    "an array in a future .npy version": npz_member("weight_0.npy", b"\x93NUMPY\x09\x00"),
    "an array header of garbage": npz_member("weight_0.npy", b"\x93NUMPY\x01\x00\xff\xff{"),
    "probabilities of 10,000 rows": swap_array(
        "test_probabilities", np.zeros((10_000, 10), dtype=np.float32)
    ),
    "probabilities of 11 classes": swap_array(
        "test_probabilities", np.zeros((100, 11), dtype=np.float32)
    ),
    "labels beyond the classes": swap_array("test_labels", np.full(100, 10)),
    "negative labels": swap_array("test_labels", np.full(100, -1)),
    "labels as text": swap_array("test_labels", np.full(100, "1")),
    "a mistake beyond the test rows": swap_array("test_mistakes", np.full(MISTAKES, TEST_ROWS)),
    "25 mistakes": swap_array("test_mistakes", np.arange(25)),
    "pictures of another size": swap_array(
        "test_mistake_images", np.zeros((MISTAKES, 32, 32), dtype=np.float32)
    ),
}


@pytest.mark.parametrize("name", MALFORMED_RECORDS)
def test_a_malformed_kept_record_is_no_kept_run(tmp_path, name):
    run = finished_run()
    store.keep(run, tmp_path)
    assert same_run(store.load(RUN_ID, tmp_path), run)  # what it was before the damage
    MALFORMED_RECORDS[name](tmp_path)
    assert store.load(RUN_ID, tmp_path) is None


def test_a_kept_record_from_a_later_version_still_opens(tmp_path):
    """Settings it does not know are left out; a record without test arrays has no test."""
    run = finished_run()
    store.keep(run, tmp_path)
    edit_record(lambda r: r["spec"].update({"a_later_setting": 3}))(tmp_path)
    kept = store.load(RUN_ID, tmp_path)
    assert kept is not None and kept.spec == run.spec
    path = tmp_path / f"{RUN_ID}.npz"
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as source:
        weights = {n: source.read(n) for n in source.namelist() if n.startswith("weight_")}
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in weights.items():
            archive.writestr(name, content)
    kept = store.load(RUN_ID, tmp_path)
    assert kept is not None and kept.test is None and kept.weights is not None
