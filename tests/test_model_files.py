"""A visitor's .keras file on Draw a Digit: a good one answers drawings (in the inference
worker), every bad one is refused with its own sentence, and the page keeps working."""

from __future__ import annotations

import io
import os
import re
import signal
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nncore.digits import model_files
from nncore.digits.model_files import (
    MAX_MODEL_BYTES,
    ModelFileProblem,
    check_keras_file,
    load_keras_file,
)
from tests.helpers import WORKER_TIMEOUT, open_with, page_app


def saved(model, folder: Path, name: str) -> bytes:
    path = folder / name
    model.save(path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, bytes]:
    """Real .keras files: a usable digit model, a Lambda one, a wrong-shaped one."""
    from nncore.keras_runtime import keras

    folder = tmp_path_factory.mktemp("models")
    good = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    lam = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Lambda(lambda x: x * 2),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    table = keras.Sequential([keras.Input((20,)), keras.layers.Dense(3, activation="softmax")])
    wide = keras.Sequential([keras.Input((784,)), keras.layers.Dense(5, activation="softmax")])
    return {
        "good": saved(good, folder, "good.keras"),
        "lambda": saved(lam, folder, "lambda.keras"),
        "table": saved(table, folder, "table.keras"),
        "five": saved(wide, folder, "five.keras"),
    }


def renamed_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("homework.csv", "a,b\n1,2\n")
    return buffer.getvalue()


REFUSALS = {
    "lambda": "has a Lambda layer, which runs arbitrary Python code",
    "truncated": "damaged or cut short",
    "renamed zip": "This zip is not a Keras model (it has no config.json)",
    "renamed csv": "This is not a .keras file",
    "oversized": "larger than 10 MB, the limit",
    "empty": "The file is empty.",
}


def bad_file(files: dict[str, bytes], name: str) -> bytes:
    return {
        "lambda": lambda: files["lambda"],
        "truncated": lambda: files["good"][: len(files["good"]) // 2],
        "renamed zip": renamed_zip,
        "renamed csv": lambda: b"label,pixel0\n1,0\n",
        "oversized": lambda: b"PK\x03\x04" + bytes(MAX_MODEL_BYTES),
        "empty": lambda: b"",
    }[name]()


@pytest.mark.parametrize("name", REFUSALS)
def test_each_bad_file_is_refused_before_keras_reads_it(files, name):
    with pytest.raises(ModelFileProblem, match=re.escape(REFUSALS[name])):
        check_keras_file(bad_file(files, name))


def test_safe_mode_refuses_a_lambda_even_without_our_own_check(files, monkeypatch):
    monkeypatch.setattr(model_files, "check_keras_file", lambda data: None)
    with pytest.raises(ModelFileProblem, match="could not load this model safely.*Lambda"):
        load_keras_file(files["lambda"])


@pytest.mark.parametrize(
    ("name", "message"),
    [("table", "reads inputs of shape 20; a drawing is 28 × 28"), ("five", "answers 5 classes")],
)
def test_a_wrong_shaped_model_is_refused(files, name, message):
    with pytest.raises(ModelFileProblem, match=message):
        load_keras_file(files[name])


def test_a_good_upload_answers_drawings_in_the_worker_even_after_it_is_replaced(files):
    from nncore.workers import client

    source = client.open_uploaded_model(files["good"], "good.keras")
    assert source.input_shape == (28, 28, 1) and not source.bundled
    stroke = np.zeros((28, 28), np.float32)
    stroke[4:24, 13:15] = 1.0
    first = client.answer(source, stroke)
    assert first.probabilities.shape == (10,) and first.probabilities.sum() == pytest.approx(1)
    # Uploaded networks have a worker of their own: a slow file never holds up other drawings.
    assert client.service_for(source) is client.upload_service()
    assert client.upload_service() is not client.inference_service()
    os.kill(client.upload_service().worker.pid, signal.SIGKILL)
    again = client.answer(source, stroke)  # a new worker rebuilds it from the file
    np.testing.assert_allclose(first.probabilities, again.probabilities, atol=1e-6)
    # The download path: the same model comes back as a .keras file.
    check_keras_file(client.keras_file(source))


def test_the_draw_page_refuses_a_lambda_model_and_takes_a_good_one(files):
    at = open_with(page_app("draw.py", WORKER_TIMEOUT))
    upload = at.file_uploader(key="draw_model_upload")
    upload.set_value(("clever.keras", files["lambda"], "application/zip")).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [e.value.replace("\\", "") for e in at.error]  # file text is escaped Markdown
    assert any("clever.keras: This model has a Lambda layer" in e for e in shown), shown
    assert "draw_model" not in at.session_state
    upload = at.file_uploader(key="draw_model_upload")
    upload.set_value(("good.keras", files["good"], "application/zip")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["draw_model"].label == "your model good\\.keras"  # escaped Markdown
    assert any("Answering: your model good\\.keras" in c.value for c in at.caption)
    assert any("stays in this session" in c.value for c in at.caption)
    at.button(key="draw_model_aside").click().run()
    assert any("Answering: the bundled CNN" in c.value for c in at.caption)


def test_a_trained_build_network_downloads_as_a_keras_file_with_its_weights():
    from nncore.network.spec import LayerSpec, NetworkSpec
    from nncore.workers import client
    from nncore.workers.messages import ModelSource, new_key

    spec = NetworkSpec(layers=(LayerSpec(units=4),), rows=500)
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=s).astype(np.float32) for s in [(784, 4), (4,), (4, 10), (10,)]]
    source = ModelSource(new_key(), "mine", spec.input_shape, spec, tuple(weights))
    model = load_keras_file(client.keras_file(source))  # what a student gets back, loaded safely
    for got, sent in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(got, sent)


def test_the_inference_worker_refuses_a_wrong_shaped_model_with_its_sentence(files):
    """The shapes are only known once Keras has loaded the file, in the worker: its refusal
    comes back to the page as the same sentence, and the worker keeps answering."""
    from nncore.workers import client

    with pytest.raises(ModelFileProblem, match="answers 5 classes; Draw a Digit needs 10"):
        client.open_uploaded_model(files["five"], "five.keras")
    assert client.open_uploaded_model(files["good"], "good.keras").input_shape == (28, 28, 1)
