"""`python -m nncore.training`: a teacher's way to prepare a model before class."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nncore.network.spec import SEED_NOTEBOOK, SMALL_CNN, LayerSpec
from nncore.training.cli import main, parse_arguments, spec_from_arguments

ROOT = Path(__file__).resolve().parents[1]


def options(*arguments: str):
    return spec_from_arguments(parse_arguments(list(arguments)))


def test_the_module_runs_from_the_command_line_and_refuses_an_impossible_network():
    # The one run through `python -m`: it stops before TensorFlow is imported, so it is quick.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nncore.training",
            "--layers",
            "2",
            "--l2_type",
            "conv",
            "--epochs",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Cannot build this network: Layer 2 is Conv2D, but it comes after a Dense" in (
        result.stderr
    )
    assert result.stdout == ""


def test_cli_json_and_saved_model(tmp_path, capsys):
    out = tmp_path / "seed.keras"
    code = main(
        [
            "--preset",
            "seed",
            "--epochs",
            "3",
            "--json",
            "--out",
            str(out),
            "--query",
            "http://localhost:8501/build?lr=0.01&batch=oops",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err[-2000:]
    report = json.loads(captured.out)  # stdout holds the JSON object and nothing else
    history = report["history"]
    assert [r["epoch"] for r in history] == [1, 2, 3]
    assert history[-1]["loss"] < history[0]["loss"]  # it learned...
    assert report["test_accuracy"] >= 0.7  # ...to read most test digits (chance: 0.1)
    assert all(r["lr"] == pytest.approx(0.01) for r in history)
    assert report["settings"]["epochs"] == 3 and report["settings"]["lr"] == 0.01
    assert report["settings"]["batch"] == 256 and "batch='oops'" in captured.err
    assert report["query"] == {"lr": "0.01", "epochs": "3"}
    assert report["state"] == "done" and report["message"] is None
    assert report["seconds"] == pytest.approx(sum(r["seconds"] for r in history))
    assert report["params"] == 109386
    assert report["test_accuracy"] == history[-1]["val_accuracy"]
    assert "epoch 3/3" in captured.err and f"Saved {out}" in captured.err

    from nncore.data.mnist import prepare_split
    from nncore.keras_runtime import keras

    model = keras.models.load_model(out)
    split = prepare_split(SEED_NOTEBOOK)
    predicted = model.predict(split.x_test, verbose=0).argmax(axis=1)
    accuracy = float(np.mean(predicted == split.labels_test))
    assert abs(accuracy - report["test_accuracy"]) < 1e-6


def test_a_diverging_training_exits_1_with_the_reason(capsys):
    code = main(
        [
            "--json",
            "--rows",
            "500",
            "--layers",
            "2",
            "--l1_units",
            "512",
            "--l1_act",
            "linear",
            "--l2_units",
            "512",
            "--l2_act",
            "linear",
            "--opt",
            "sgd",
            "--lr",
            "10",
            "--batch",
            "32",
            "--epochs",
            "20",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["state"] == "diverged" and len(report["history"]) < 20
    assert report["history"][-1]["loss"] is None  # NaN is not JSON: it becomes null
    assert "learning rate η = 10" in report["message"]


def test_options_override_the_query_which_overrides_the_preset():
    spec, notices = options(
        "--preset",
        "small",
        "--query",
        "?lr=0.01&epochs=4&batch=32",
        "--epochs",
        "2",
        "--l6_units",
        "10",
    )
    assert notices == []
    assert spec.layers[:5] == SMALL_CNN.layers[:5]
    assert spec.layers[5] == LayerSpec("dense", units=10, act="relu", init="he_normal")
    assert (spec.lr, spec.batch, spec.epochs, spec.rows) == (0.01, 32, 2, SMALL_CNN.rows)
    assert options()[0] == SEED_NOTEBOOK


def test_a_conv_layer_option_brings_relu_and_he_normal():
    spec, _ = options("--layers", "2", "--l1_type", "conv", "--l2_type", "pool")
    assert (spec.layers[0].act, spec.layers[0].init) == ("relu", "he_normal")
    kept, _ = options("--layers", "1", "--l1_type", "conv", "--l1_act", "tanh")
    assert (kept.layers[0].act, kept.layers[0].init) == ("tanh", "he_normal")


def test_a_model_file_must_end_in_keras(capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_arguments(["--out", "model.h5"])
    assert exit_info.value.code == 2
    assert "--out model.h5: Keras saves models to files ending in .keras" in capsys.readouterr().err
