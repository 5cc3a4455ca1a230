"""`python -m nncore.training --csv file.csv`: trains on the file, or refuses it like the page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from nncore.training.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_a_bad_csv_is_refused_on_stderr_with_a_nonzero_exit(tmp_path):
    # Through `python -m`: it stops before TensorFlow is imported, so it is quick.
    bad = tmp_path / "class.csv"
    bad.write_bytes(b"a;b;label\n1;2;x\n")
    result = subprocess.run(
        [sys.executable, "-m", "nncore.training", "--csv", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 2
    assert "class.csv: Line 1 separates its values with semicolons" in result.stderr
    assert result.stdout == ""


def test_missing_file_and_conv_on_a_table_are_refused(tmp_path, capsys):
    assert main(["--csv", str(tmp_path / "nowhere.csv")]) == 2
    assert "nowhere.csv: The file cannot be opened (No such file or directory)." in (
        capsys.readouterr().err
    )
    table = tmp_path / "t.csv"
    table.write_text("x,label\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(20)))
    assert main(["--csv", str(table), "--l1_type", "conv"]) == 2
    assert "tabular data allow Dense and Dropout layers only" in capsys.readouterr().err


def test_trains_on_a_table_and_saves_a_model_with_its_classes(tmp_path, capsys):
    rng = np.random.default_rng(0)
    lines = ["x,y,kind"] + [
        f"{p[0]:.3f},{p[1]:.3f},{name}"
        for name, centre in (("north", (0, 4)), ("south", (0, -4)))
        for p in rng.normal(centre, 0.5, size=(40, 2))
    ]
    table = tmp_path / "points.csv"
    table.write_text("\n".join(lines) + "\n")
    out = tmp_path / "points.keras"
    code = main(
        [
            "--csv",
            str(table),
            "--layers",
            "1",
            "--l1_units",
            "8",
            "--epochs",
            "20",
            "--lr",
            "0.05",
            "--batch",
            "16",
            "--json",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["test_accuracy"] > 0.9 and len(result["history"]) == 20
    assert result["params"] == 2 * 8 + 8 + 8 * 2 + 2
    assert out.stat().st_size > 0
