"""Gradients seen from inside: one batch stepped by hand, and a network's health measured.

"Step one batch" on the Build page runs exactly one optimizer step, the step ``fit`` takes
after each batch, and reports what backpropagation handed every layer. The same measurement
runs during a training, a few times a second. Imports TensorFlow: workers and tests only.
"""

from __future__ import annotations

import numpy as np

from nncore.data.mnist import Split, prepare_split
from nncore.keras_runtime import keras, tf
from nncore.network.model import build_model
from nncore.network.spec import NetworkSpec
from nncore.training.health import NetworkHealth, StepResult, StepState, dead_units, layer_health

PROBE_ROWS = 256  # the batch a training's gradients are measured on: fixed, so they compare


def weighted_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """The layers with a kernel (Dense, Conv2D): the ones whose learning can be watched."""
    return [layer for layer in model.layers if getattr(layer, "kernel", None) is not None]


def kernels(model: keras.Model) -> list[np.ndarray]:
    return [keras.ops.convert_to_numpy(layer.kernel) for layer in weighted_layers(model)]


def _is_relu(layer: keras.layers.Layer) -> bool:
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", "") == "relu"


def relu_dead_counts(model: keras.Model, x: np.ndarray) -> dict[str, tuple[int, int]]:
    """Per relu layer, (units that output 0 for every row of ``x``, units)."""
    counts = {}
    outputs = tf.constant(x)
    for layer in model.layers:
        outputs = layer(outputs, training=False)
        if _is_relu(layer):
            values = keras.ops.convert_to_numpy(outputs)
            counts[layer.name] = (dead_units(values), int(values.shape[-1]))
    return counts


def batch_gradients(
    model: keras.Model, x: np.ndarray, y: np.ndarray, training: bool
) -> tuple[float, list[tf.Tensor]]:
    """The batch's mean loss, as ``fit`` computes it, and its gradient for every variable."""
    loss_fn = keras.losses.get(model.loss)
    with tf.GradientTape() as tape:
        predictions = model(tf.constant(x), training=training)
        loss = tf.reduce_mean(loss_fn(tf.constant(y), predictions))
    return float(loss), tape.gradient(loss, model.trainable_variables)


def measure_health(
    model: keras.Model,
    gradients: list[tf.Tensor],
    previous_kernels: list[np.ndarray],
    x_test: np.ndarray,
    batch_loss: float,
    span: str,
) -> NetworkHealth:
    """Each weighted layer's kernel, kernel gradient and change since ``previous_kernels``."""
    by_variable = {id(v): g for v, g in zip(model.trainable_variables, gradients, strict=True)}
    dead = relu_dead_counts(model, x_test)
    layers = []
    for layer, before in zip(weighted_layers(model), previous_kernels, strict=True):
        gradient = by_variable.get(id(layer.kernel))
        gradient = (
            np.zeros(before.shape) if gradient is None else keras.ops.convert_to_numpy(gradient)
        )
        count, units = dead.get(layer.name, (None, None))
        layers.append(
            layer_health(
                layer.name,
                keras.ops.convert_to_numpy(layer.kernel),
                gradient,
                before,
                count,
                units,
            )
        )
    return NetworkHealth(tuple(layers), span, batch_loss)


def training_health(
    model: keras.Model, split: Split, previous_kernels: list[np.ndarray]
) -> NetworkHealth:
    """During a training: gradients on a fixed probe batch, the update over the last epoch."""
    rows = min(PROBE_ROWS, len(split.x_train))
    loss, gradients = batch_gradients(
        model, split.x_train[:rows], split.y_train[:rows], training=False
    )
    return measure_health(model, gradients, previous_kernels, split.x_test, loss, "one epoch")


def batch_rows(spec: NetworkSpec, step: int, rows: int) -> np.ndarray:
    """The training rows of step ``step`` (0-based): batches of a fresh shuffle every epoch."""
    per_epoch = -(-rows // spec.batch)
    epoch, index = divmod(step, per_epoch)
    order = np.random.default_rng([spec.seed, epoch]).permutation(rows)
    return order[index * spec.batch : (index + 1) * spec.batch]


def step_one_batch(
    spec: NetworkSpec, state: StepState | None, split: Split | None = None
) -> StepResult:
    """Exactly one optimizer step on the next batch, from ``state`` or from fresh weights, on
    ``split``'s rows (an uploaded file's) or the bundled digits'."""
    model = build_model(spec)
    optimizer = model.optimizer
    optimizer.build(model.trainable_variables)
    if state is not None:
        model.set_weights(state.weights)
        for variable, value in zip(optimizer.variables, state.optimizer, strict=True):
            variable.assign(value)
    split = prepare_split(spec) if split is None else split
    rows = batch_rows(spec, state.steps if state else 0, len(split.x_train))
    before = kernels(model)
    loss, gradients = batch_gradients(
        model, split.x_train[rows], split.y_train[rows], training=True
    )
    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
    health = measure_health(model, gradients, before, split.x_test, loss, "one batch")
    after = StepState(
        weights=model.get_weights(),
        optimizer=[keras.ops.convert_to_numpy(v) for v in optimizer.variables],
        steps=(state.steps if state else 0) + 1,
    )
    return StepResult(after, health)
