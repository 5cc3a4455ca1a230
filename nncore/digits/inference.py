"""A Keras model answering drawings: probabilities and what each layer sees (TensorFlow).

Imported only in worker processes. Models are called directly in a cached graph, never through
``model.predict``, which builds a data pipeline per call (about 60 ms for one sample).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nncore.keras_runtime import keras, tf


def model_input(x: np.ndarray, input_shape: Sequence[int]) -> np.ndarray:
    """A batch of one, shaped for the model: (1, 784) for dense nets, (1, 28, 28, 1) for CNNs."""
    return np.asarray(x, dtype=np.float32).reshape((1, *input_shape))


def input_shape_of(model: keras.Model) -> tuple[int, ...]:
    """The per-sample input shape a built model expects, e.g. (784,) or (28, 28, 1)."""
    return tuple(int(d) for d in model.inputs[0].shape[1:])


_GRAPHS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_GRAPHS_LOCK = threading.Lock()


def graph_call(model: keras.Model, input_shape: Sequence[int]) -> Callable[[Any], Any]:
    """``model(x, training=False)`` traced once into a TensorFlow graph, cached per model.

    Calling a Keras model eagerly dispatches every layer from Python; the traced graph runs
    the same call in a tenth of the time (benchmarks/README.md). The graph reads the
    model's variables, so a fine-tuned copy answers with its new weights without retracing.
    It holds the model only weakly, so a discarded model (a retrained Build network) is freed.
    """
    shape = tuple(int(d) for d in input_shape)
    with _GRAPHS_LOCK:
        per_shape = _GRAPHS.setdefault(model, {})
        if shape not in per_shape:
            owner = weakref.ref(model)

            def call(batch: Any) -> Any:
                live = owner()
                if live is None:  # only traced while a caller holds the model
                    raise ReferenceError("the model behind this graph was freed")
                return live(batch, training=False)

            per_shape[shape] = tf.function(
                call,
                input_signature=[tf.TensorSpec((None, *shape), tf.float32)],
                autograph=False,
            )
        return per_shape[shape]


def classify(
    model: keras.Model, x: np.ndarray, input_shape: Sequence[int] | None = None
) -> np.ndarray:
    """The ten class probabilities for one 28x28 input.

    Calls the model directly (in a cached graph, see ``graph_call``), never ``model.predict``:
    ``predict`` builds a data pipeline per call, about 60 ms for one sample. Raises
    FloatingPointError when the answer is not a number (a network whose training diverged), so
    the page can say so.
    """
    shape = tuple(input_shape or input_shape_of(model))
    batch = model_input(x, shape)
    probabilities = np.asarray(graph_call(model, shape)(batch), dtype=np.float64)[0]
    if not np.all(np.isfinite(probabilities)):
        raise FloatingPointError("the network answered NaN: its training diverged")
    return probabilities


def accuracy(
    model: keras.Model, x: np.ndarray, y: np.ndarray, input_shape: Sequence[int] | None = None
) -> float:
    """Share of 28x28 rows ``x`` the model labels as ``y``: a quick check that teaching a few
    drawings did not make the network forget the digits it knew."""
    shape = tuple(input_shape or input_shape_of(model))
    call = graph_call(model, shape)
    batch = np.asarray(x, dtype=np.float32).reshape((len(x), *shape))
    guesses = np.concatenate(
        [np.argmax(np.asarray(call(batch[i : i + 500])), axis=1) for i in range(0, len(x), 500)]
    )
    return float(np.mean(guesses == np.asarray(y)))


def layer_activations(
    model: keras.Model,
    x: np.ndarray,
    input_shape: Sequence[int] | None = None,
    pooling: bool = False,
) -> list[tuple[str, np.ndarray]]:
    """What every layer with weights (convolutions, dense layers) outputs for one input, and
    with ``pooling`` every max-pooling layer too (its maps are half the size of those below).

    Runs the layers one after another on the same input, which works for any Sequential model
    without building a second functional model. Returns (layer name, activation of the single
    sample) pairs, e.g. (28, 28, 32) feature maps for a convolution, (64,) for a dense layer.
    """
    h = model_input(x, input_shape or input_shape_of(model))
    shown = []
    for layer in model.layers:
        h = layer(h, training=False)
        pooled = pooling and openable_kind(layer) == "pool"
        if (layer.weights or pooled) and np.ndim(h) in (2, 4):
            shown.append((layer.name, np.asarray(h)[0]))
    return shown


def openable_kind(layer: Any) -> str | None:
    """The kind of output pixel the Draw page can open up in ``layer`` ("conv" or "pool"), or
    None: only a plain Conv2D or MaxPooling2D with channels last (a visitor's model may have
    other layers). A dilated or grouped convolution reads a window with holes or only some
    channels, which the page's arithmetic does not draw, so it is not offered."""
    if getattr(layer, "data_format", None) != "channels_last":
        return None
    kind = type(layer).__name__
    if kind == "MaxPooling2D":
        return "pool"
    if kind == "Conv2D" and tuple(layer.dilation_rate) == (1, 1) and layer.groups == 1:
        return "conv"
    return None


def logits(
    model: keras.Model, x: np.ndarray, input_shape: Sequence[int] | None = None
) -> np.ndarray | None:
    """The ten numbers the last layer computes before softmax turns them into probabilities.

    For a last Dense layer with a softmax activation they are its weighted sums (the previous
    layer's output times the kernel, plus the bias); for a softmax layer of its own, its input.
    None for a network that ends otherwise (there is no softmax to open up).
    """
    *body, last = model.layers
    h = model_input(x, input_shape or input_shape_of(model))
    for layer in body:
        h = layer(h, training=False)
    before = np.asarray(h, dtype=np.float64).reshape(1, -1)[0]
    activation = getattr(getattr(last, "activation", None), "__name__", "")
    if type(last).__name__ == "Dense" and activation == "softmax":
        kernel, bias = (np.asarray(w, dtype=np.float64) for w in last.get_weights())
        return before @ kernel + bias
    if type(last).__name__ in ("Softmax", "Activation") and activation in ("softmax", ""):
        return before
    return None


def private_copy(model: keras.Model) -> keras.Model:
    """A copy with its own weights, so training it can never change the original model.

    The bundled model is shared by every visitor (``st.cache_resource``); each session that
    teaches the network gets its own copy.
    """
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def load_model(path: str) -> Any:
    """Load a saved Keras model for inference only (no optimizer state)."""
    return keras.models.load_model(path, compile=False)
