"""A visitor's ``.keras`` file: checked before Keras sees it, loaded safely, or refused in a sentence.

A ``.keras`` file is a zip holding ``config.json`` (the architecture), ``model.weights.h5`` and
``metadata.json``. ``check_keras_file`` reads only the zip's directory and the JSON (no
TensorFlow, so the web server may call it) to refuse early what cannot work: too large, cut
short, a zip that is not a model, a ``Lambda`` layer or a class from outside Keras.
``load_keras_file`` (worker processes only) then loads it with Keras's ``safe_mode=True``,
which refuses arbitrary code on its own, and checks it reads a 28×28 drawing and answers ten
digits.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from typing import Any

from nncore.digits.answers import CLASSES, MNIST_SHAPES

MAX_MODEL_MB = 10  # the bundled CNN is 0.4 MB; a Dense 784→512→10 network about 5 MB
MAX_MODEL_BYTES = MAX_MODEL_MB * 1024 * 1024
MAX_CONFIG_BYTES = 1024 * 1024
REQUIRED = ("config.json", "model.weights.h5")


class ModelFileProblem(ValueError):
    """A model file the Draw page cannot use; the message is one sentence for the student."""


def _classes(config: Any) -> Iterator[tuple[str, str]]:
    """Every (module, class_name) in a Keras config, however deeply nested."""
    if isinstance(config, dict):
        if "class_name" in config:
            yield str(config.get("module") or ""), str(config["class_name"])
        for value in config.values():
            yield from _classes(value)
    elif isinstance(config, list):
        for value in config:
            yield from _classes(value)


def check_keras_file(data: bytes) -> None:
    """Refuse what is certainly not a usable Keras model, before any Keras code runs."""
    if not data:
        raise ModelFileProblem("The file is empty.")
    if len(data) > MAX_MODEL_BYTES:
        raise ModelFileProblem(f"The model file is larger than {MAX_MODEL_MB} MB, the limit.")
    if not data.startswith(b"PK\x03\x04"):
        raise ModelFileProblem(
            "This is not a .keras file (a .keras file is a zip made by model.save); an "
            "old .h5 file or a renamed file cannot be read."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            missing = [name for name in REQUIRED if name not in names]
            if missing:
                raise ModelFileProblem(
                    f"This zip is not a Keras model (it has no {missing[0]}): save one with "
                    "model.save('name.keras')."
                )
            if archive.getinfo("config.json").file_size > MAX_CONFIG_BYTES:
                raise ModelFileProblem("The model's description (config.json) is too large.")
            damaged = archive.testzip()
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile):
        raise ModelFileProblem(
            "The file is damaged or cut short (not a complete zip): download it again."
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelFileProblem("The model's description (config.json) is not valid JSON.") from None
    if damaged is not None:
        raise ModelFileProblem("The file is damaged (its contents fail their checksum).")
    for module, class_name in _classes(config):
        if class_name == "Lambda":
            raise ModelFileProblem(
                "This model has a Lambda layer, which runs arbitrary Python code when loaded; "
                "for safety the app refuses it. Use built-in Keras layers only."
            )
        if module and not module.startswith("keras"):
            raise ModelFileProblem(
                f"This model uses custom code ({class_name[:40]} from {module[:40]}), which the "
                "app does not run for safety. Use built-in Keras layers only."
            )


def describe_shapes(model: Any) -> tuple[tuple[int, ...], int]:
    """The model's input shape (without the batch) and its number of outputs."""
    return tuple(model.input_shape[1:]), int(model.output_shape[-1])


def check_shapes(input_shape: tuple[int, ...], outputs: int) -> None:
    """A drawing is 28×28: the model must read that (flat or as a picture) and answer ten digits."""
    if tuple(input_shape) not in MNIST_SHAPES:
        shown = " × ".join(str(n) for n in input_shape)
        raise ModelFileProblem(
            f"This model reads inputs of shape {shown}; a drawing is 28 × 28 (or 784 numbers)."
        )
    if outputs != CLASSES:
        raise ModelFileProblem(
            f"This model answers {outputs} classes; Draw a Digit needs 10 (one per digit)."
        )


def load_keras_file(data: bytes) -> Any:
    """The model in ``data``, loaded with ``safe_mode=True`` (worker processes only)."""
    check_keras_file(data)
    from nncore.keras_runtime import keras

    handle, path = tempfile.mkstemp(suffix=".keras")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except ModelFileProblem:
        raise
    except Exception as problem:  # Keras's own refusal, in one sentence
        text = str(problem).split("\n")[0][:160]
        raise ModelFileProblem(f"Keras could not load this model safely ({text}).") from None
    finally:
        os.unlink(path)
    check_shapes(*describe_shapes(model))
    return model


def save_keras_file(model: Any) -> bytes:
    """A model as the bytes of a ``.keras`` file (worker processes only)."""
    handle, path = tempfile.mkstemp(suffix=".keras")
    os.close(handle)
    try:
        model.save(path)
        with open(path, "rb") as file:
            return file.read()
    finally:
        os.unlink(path)
