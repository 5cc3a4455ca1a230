"""The inference worker: answers to drawings, with the models it keeps loaded.

Forked from the fork server (or run as ``python -m nncore.workers inference``), it answers one
request at a time from its pipe; the requests and replies are declared in
``nncore.workers.messages``. TensorFlow is imported by ``warm_up``, before the worker says it
is ready.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from nncore.workers.messages import BUNDLED_KEY, Answer, ModelSource, OpenedPixel, UnknownModel

# Visitors' networks are kept built, up to this many bytes of weights (counted four times: the
# weights, Keras's copies and the traced graph's buffers); the least recently used go first.
CACHE_BYTES = 256 * 2**20
_models: OrderedDict[str, Any] = OrderedDict()
_sizes: dict[str, int] = {}


def model_bytes(model: Any) -> int:
    """What a built model holds in memory, by its weights (see CACHE_BYTES)."""
    return 4 * sum(int(np.prod(weight.shape)) * 4 for weight in model.weights)


def cached_bytes() -> int:
    return sum(_sizes.values())


def bundled_model() -> Any:
    """The shipped CNN, loaded once per worker."""
    if BUNDLED_KEY not in _models:
        from nncore.digits.bundled import ASSET
        from nncore.digits.inference import load_model

        _models[BUNDLED_KEY] = load_model(str(ASSET))
    return _models[BUNDLED_KEY]


def build(source: ModelSource) -> Any:
    """A fresh Keras model for ``source`` (its own copy: never the shared bundled one)."""
    from nncore.digits.inference import private_copy

    if source.keras_file is not None:
        from nncore.digits.model_files import load_keras_file

        model = load_keras_file(source.keras_file)
    elif source.bundled:
        model = private_copy(bundled_model())
    elif source.spec is not None:
        from nncore.network.model import build_model

        model = build_model(source.spec)
    else:  # not bundled, so it has a spec or a file: ModelSource.bundled says so
        raise ValueError(f"{source.label} names no network to build")
    if source.weights is not None:
        model.set_weights(list(source.weights))
    return model


def model_for(source: ModelSource) -> Any:
    """The cached model for ``source.key``, built from the source when it carries weights."""
    if source.key == BUNDLED_KEY:
        return bundled_model()
    if source.key in _models:
        _models.move_to_end(source.key)
        return _models[source.key]
    if not source.rebuildable:
        raise UnknownModel(source.key)
    model = build(source)
    _models[source.key], _sizes[source.key] = model, model_bytes(model)
    # Make room: the least recently used go first, never the bundled model or this one.
    while cached_bytes() > CACHE_BYTES:
        oldest = next((k for k in _models if k not in (BUNDLED_KEY, source.key)), None)
        if oldest is None:
            break
        forget([oldest])
    return model


def forget(keys: list[str]) -> int:
    """Drop these visitors' networks (their sessions have ended); how many were held."""
    dropped = 0
    for key in keys:
        if key != BUNDLED_KEY and _models.pop(key, None) is not None:
            _sizes.pop(key, None)
            dropped += 1
    return dropped


def answer(source: ModelSource, x: np.ndarray, with_layers: bool = True) -> Answer:
    """Probabilities for one 28×28 drawing, what each weighted or max-pooling layer made of
    it, and which of those layers' pixels can be opened up (``open_pixel``)."""
    from nncore.digits.inference import classify, layer_activations, logits, openable_kind

    model = model_for(source)
    probabilities = classify(model, x, source.input_shape)
    if not with_layers:
        return Answer(probabilities, [])
    layers = layer_activations(model, x, source.input_shape, pooling=True)
    openable = tuple(
        (layer.name, kind) for layer in model.layers if (kind := openable_kind(layer)) is not None
    )
    return Answer(probabilities, layers, logits(model, x, source.input_shape), openable)


def open_pixel(
    source: ModelSource, x: np.ndarray, layer_name: str, row: int, column: int, channel: int
) -> OpenedPixel:
    """Everything that made one output pixel of a Conv2D or MaxPooling2D layer for this
    drawing: the map the layer reads, its window there, the kernel slice and bias, and the
    pixel as the layer itself computes it, so the page can redo the arithmetic and show it
    equals the network's own number. Raises ValueError for a layer or pixel that is not
    there (the network changed since the page asked)."""
    from nncore.digits.convolution import pre_activations, take_window, window_start
    from nncore.digits.inference import model_input, openable_kind

    model = model_for(source)
    h = model_input(x, source.input_shape)
    source_name = "the 28 × 28 input"
    for layer in model.layers:
        if layer.name == layer_name:
            break
        h = layer(h, training=False)
        source_name = f"the output of {layer.name}"
    else:
        raise ValueError(f"the network has no layer called {layer_name}")
    kind = openable_kind(layer)
    inputs = np.asarray(h, dtype=np.float32)[0]
    if kind is None or inputs.ndim != 3:
        raise ValueError(f"{layer_name} is not a convolution or max-pooling layer")
    output = np.asarray(layer(h, training=False))[0]
    if not (0 <= row < output.shape[0] and 0 <= column < output.shape[1]):
        raise ValueError(f"{layer_name}'s maps have no pixel at row {row}, column {column}")
    if not 0 <= channel < output.shape[2]:
        raise ValueError(f"{layer_name} has no map {channel + 1}")
    height, width = (int(k) for k in (layer.kernel_size if kind == "conv" else layer.pool_size))
    down, across = (int(s) for s in layer.strides)
    padding = str(layer.padding)
    top = window_start(row, inputs.shape[0], height, down, padding)
    left = window_start(column, inputs.shape[1], width, across, padding)
    where = {
        "layer": layer_name,
        "kind": kind,
        "row": row,
        "column": column,
        "channel": channel,
        "source": source_name,
        "inputs": inputs,
        "top": top,
        "left": left,
        "size": (height, width),
        "strides": (down, across),
        "padding": padding,
        "output": float(output[row, column, channel]),
    }
    if kind == "pool":
        window = take_window(inputs[..., channel : channel + 1], top, left, height, width, np.nan)
        return OpenedPixel(window=window[..., 0], **where)
    window = take_window(inputs, top, left, height, width, 0.0)
    kernel = np.asarray(layer.kernel, dtype=np.float64)
    bias = (
        np.asarray(layer.bias, dtype=np.float64) if layer.use_bias else np.zeros(kernel.shape[-1])
    )
    activation = getattr(layer.activation, "__name__", "")
    # Softmax mixes every filter at this position: send them all, else only this filter's.
    all_z = pre_activations(window, kernel, bias) if activation == "softmax" else None
    return OpenedPixel(
        window=window,
        kernel=kernel[..., channel],
        bias=float(bias[channel]),
        activation=activation,
        all_z=all_z,
        **where,
    )


def warm_up() -> int:
    """Import TensorFlow and answer one blank drawing, so the first visitor does not wait."""
    answer(ModelSource(BUNDLED_KEY, "", (28, 28, 1)), np.zeros((28, 28), np.float32))
    return os.getpid()


def open_model(source: ModelSource) -> tuple[tuple[int, ...], int]:
    """Load a visitor's uploaded model (safely; refused with a sentence) and keep it under its
    key; its input shape and number of outputs."""
    from nncore.digits.model_files import describe_shapes

    forget([source.key])
    return describe_shapes(model_for(source))


def keras_file(source: ModelSource) -> bytes:
    """A visitor's network as a ``.keras`` file to download (built here: the server has no Keras)."""
    from nncore.digits.model_files import save_keras_file

    return save_keras_file(build(source))


REQUESTS: dict[str, Callable[..., Any]] = {
    "forget": forget,
    "answer": answer,
    "open_model": open_model,
    "keras_file": keras_file,
    "open_pixel": open_pixel,
}


def serve(conn: Any) -> None:
    """Answer requests until the server closes the pipe."""
    warm_up()
    conn.send(("ready", os.getpid()))
    while True:
        try:
            kind, *arguments = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", REQUESTS[kind](*arguments)))
        except Exception as problem:  # goes back to the page, which says it in a sentence
            conn.send(("error", problem))
