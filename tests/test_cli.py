"""`python -m nncore.train`: a teacher's way to prepare a model before class."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def train(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nncore.train", *arguments],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip


def test_cli_json_and_saved_model(tmp_path):
    out = tmp_path / "seed.keras"
    result = train("--preset", "seed", "--epochs", "3", "--json", "--out", str(out),
                   "--query", "http://localhost:8501/build?lr=0.01&batch=oops")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert [r["epoch"] for r in report["history"]] == [1, 2, 3]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert all(r[key] >= 0 for r in report["history"])
    assert report["settings"]["epochs"] == 3 and report["settings"]["lr"] == 0.01
    assert report["settings"]["batch"] == 256 and "batch='oops'" in result.stderr
    assert report["seconds"] > 0 and report["params"] == 109386
    assert report["test_accuracy"] == report["history"][-1]["val_accuracy"]

    from nncore.data import prepare_split
    from nncore.keras_runtime import keras
    from nncore.spec import SEED_NOTEBOOK

    model = keras.models.load_model(out)
    split = prepare_split(SEED_NOTEBOOK)
    predicted = model.predict(split.x_test, verbose=0).argmax(axis=1)
    accuracy = float(np.mean(predicted == split.labels_test))
    assert abs(accuracy - report["test_accuracy"]) < 1e-6


def test_cli_refuses_an_impossible_network():
    result = train("--layers", "2", "--l2_type", "conv", "--epochs", "1")
    assert result.returncode == 2
    assert "after a Dense layer" in result.stderr
