"""What a training will cost a shared trainer, known before it starts (no TensorFlow).

A class shares one or two trainers. A training that would hold one for hours (a wide
convolutional network trained one digit at a time, for hundreds of epochs) is refused before
it starts, with a sentence that names its estimated time and what makes it long; everything
shorter is shared fairly by the trainers' queue (a long training gives way between epochs).

The estimate counts the multiply-adds a sample costs (from the layer plan, the same one the
model is built from) and the optimizer's work per batch, at rates measured on a 2-core
machine (``benchmarks/training_estimate.py`` compares the estimate with real epochs). It is a
budget, not a promise: within a factor of two or so.
"""

from __future__ import annotations

import math

from nncore.network.plan import LayerPlan, layer_plan
from nncore.network.spec import NetworkSpec

# Rates measured on a 2-core machine: a dense layer's multiply-adds run as large matrix
# products, a convolution's cost more each, and every batch pays each layer's own overhead
# and the optimizer's update of every weight, which is what makes small batches slow.
SECONDS_PER_DENSE_MAC = 1e-11
SECONDS_PER_CONV_MAC = 3e-11  # Conv2D and the pooling windows
SECONDS_PER_LAYER_BATCH = 1.2e-4  # each layer with weights or a picture, once a batch
SECONDS_PER_PARAMETER_UPDATE = 1.3e-9  # the optimizer's update of one weight, once a batch
SECONDS_PER_EPOCH = 3e-3  # the compiled epoch's own call
PASSES_PER_TRAINING_SAMPLE = 3  # the forward pass, and the backward pass at about twice that
MAX_TRAINING_SECONDS = 10 * 60.0  # a training may ask a shared trainer for this much at most


def multiply_adds(plan: LayerPlan) -> tuple[int, int]:
    """Multiply-adds of one forward pass of one sample, (dense, convolutional): a Dense
    layer's weights once each, a Conv2D kernel at every position of its output, a pooling
    window's comparisons."""
    dense = image = 0
    for layer in plan.layers:
        if layer.keras_class == "Conv2D":
            kernel = layer.params - layer.output_shape[-1]  # the biases are added, not multiplied
            image += kernel * math.prod(layer.output_shape[:-1])
        elif layer.keras_class == "MaxPooling2D":
            image += 4 * math.prod(layer.output_shape)
        elif layer.keras_class == "Dense":
            dense += layer.params
    return dense, image


def epoch_seconds(spec: NetworkSpec, train_rows: int | None = None) -> float:
    """The estimated time of one epoch of ``spec`` on one trainer (``train_rows`` for an
    uploaded file's rows; the spec's own split otherwise)."""
    plan = layer_plan(spec)
    rows = spec.train_rows if train_rows is None else train_rows
    test_rows = max(spec.rows - rows, 0) if train_rows is None else round(rows * spec.test)
    batches = math.ceil(rows / max(spec.batch, 1))
    working = sum(layer.params > 0 or layer.keras_class == "MaxPooling2D" for layer in plan.layers)
    per_batch = working * SECONDS_PER_LAYER_BATCH + plan.total_params * SECONDS_PER_PARAMETER_UPDATE
    dense, image = multiply_adds(plan)
    per_sample = dense * SECONDS_PER_DENSE_MAC + image * SECONDS_PER_CONV_MAC
    passes = rows * PASSES_PER_TRAINING_SAMPLE + test_rows
    return SECONDS_PER_EPOCH + passes * per_sample + batches * per_batch


def training_seconds(spec: NetworkSpec, train_rows: int | None = None) -> float:
    """The estimated time of the whole training, every epoch."""
    return spec.epochs * epoch_seconds(spec, train_rows)


def say_duration(seconds: float) -> str:
    """A duration as a person says it: "40 seconds", "12 minutes", "4.2 hours"."""
    if seconds < 90:
        return f"{max(round(seconds), 1)} seconds"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} minutes"
    return f"{seconds / 3600:.1f} hours"


def training_problem(spec: NetworkSpec, train_rows: int | None = None) -> str | None:
    """Why this training may not start on a shared trainer (it would take too long), or None.

    The sentence names the estimate and the settings that make it long, so a student knows
    what to change.
    """
    seconds = training_seconds(spec, train_rows)
    if seconds <= MAX_TRAINING_SECONDS:
        return None
    rows = spec.train_rows if train_rows is None else train_rows
    return (
        f"This training would take about {say_duration(seconds)} on the class's shared trainer "
        f"({spec.epochs} epochs of {rows:,} rows in batches of {spec.batch}); a training may "
        f"take at most {say_duration(MAX_TRAINING_SECONDS)}. Use fewer epochs or rows, a larger "
        "batch, or fewer filters and units."
    )
