"""The output layer's activation and the loss, each a small table entry pairing a function with
the derivative backpropagation multiplies by (TensorFlow Playground's lesson: look the maths up
by name instead of branching on it).

Sigmoid outputs act neuron by neuron, so ∂out_k/∂net_m is zero unless k = m. Softmax outputs
share one denominator, so every output depends on every sum: its slope is a full matrix, and
the chain rule at an output becomes a sum over outputs. Both are kept as that matrix (the
Jacobian), so one backward pass serves every pairing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nncore.activations import ACTIVATIONS

Array = np.ndarray


@dataclass(frozen=True)
class OutputUnit:
    """How the output layer turns its sums into outputs, and its slope ∂out_k/∂net_m."""

    key: str
    label: str
    function: Callable[[Array], Array]
    jacobian: Callable[[Array], Array]  # from the outputs: matrix [k, m] = ∂out_k/∂net_m
    latex: str
    slope_template: str  # ∂out/∂net with $o for the output (element-wise units only)
    elementwise: bool


def _sigmoid_jacobian(out: Array) -> Array:
    return np.diag(out * (1.0 - out))


def _softmax_jacobian(out: Array) -> Array:
    return np.diag(out) - np.outer(out, out)


OUTPUT_UNITS: dict[str, OutputUnit] = {
    unit.key: unit
    for unit in (
        OutputUnit(
            "sigmoid",
            "sigmoid",
            ACTIVATIONS["sigmoid"].function,
            _sigmoid_jacobian,
            ACTIVATIONS["sigmoid"].latex,
            r"$o(1 - $o)",
            True,
        ),
        OutputUnit(
            "softmax",
            "softmax",
            ACTIVATIONS["softmax"].function,
            _softmax_jacobian,
            ACTIVATIONS["softmax"].latex,
            r"$k\,([k = m] - $m)",
            False,
        ),
    )
}


@dataclass(frozen=True)
class Loss:
    """The error of each output, and its slope ∂E/∂out_k, from targets t and outputs o.

    The templates write one output's error and slope with ``$t`` for its target and ``$o`` for
    its output, so the page can show them once in symbols and once with the numbers in (a
    line break marks where a long one may wrap).
    """

    key: str
    label: str
    per_output: Callable[[Array, Array], Array]
    slope: Callable[[Array, Array], Array]
    latex: str  # E_total as a formula
    error_template: str  # E_k
    slope_template: str  # ∂E/∂out_k
    keras_line: str  # the same loss written with TensorFlow ops


def _log(x: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


SQUARED = Loss(
    "squared",
    "squared error ½Σ(target − out)²",
    lambda t, o: 0.5 * (t - o) ** 2,
    lambda t, o: -(t - o),
    r"E = \sum_k \tfrac{1}{2}(t_k - \mathrm{out}_k)^2",
    r"\tfrac{1}{2}($t - $o)^2",
    r"-($t - $o)",
    "loss = 0.5 * tf.reduce_sum((target - out) ** 2)  # E = ½ Σ (target − out)²",
)
BINARY_CROSSENTROPY = Loss(
    "crossentropy",
    "cross-entropy −Σ[t log out + (1 − t) log(1 − out)]",
    lambda t, o: -(t * _log(o) + (1 - t) * _log(1 - o)),
    lambda t, o: -t / o + (1 - t) / (1 - o),
    r"E = -\sum_k \big[t_k \log \mathrm{out}_k + (1 - t_k) \log(1 - \mathrm{out}_k)\big]",
    "-\\big[$t \\log $o\n\\quad + (1 - $t) \\log(1 - $o)\\big]",
    r"-\frac{$t}{$o} + \frac{1 - $t}{1 - $o}",
    "loss = -tf.reduce_sum(target * tf.math.log(out) + (1 - target) * tf.math.log(1 - out))",
)
CATEGORICAL_CROSSENTROPY = Loss(
    "crossentropy",
    "cross-entropy −Σ t log out",
    lambda t, o: -t * _log(o),
    lambda t, o: -t / o,
    r"E = -\sum_k t_k \log \mathrm{out}_k",
    r"-$t \log $o",
    r"-\frac{$t}{$o}",
    "loss = -tf.reduce_sum(target * tf.math.log(out))  # E = −Σ target · log(out)",
)

# What the page offers: the key in the link → its label.
LOSS_CHOICES = {"squared": "squared error ½Σ(t − out)²", "crossentropy": "cross-entropy"}
# Cross-entropy means one formula for independent sigmoid outputs (each a yes/no), another for
# softmax outputs (one distribution): the same pairing Keras makes with binary_crossentropy and
# categorical_crossentropy.
LOSSES: dict[tuple[str, str], Loss] = {
    ("squared", "sigmoid"): SQUARED,
    ("squared", "softmax"): SQUARED,
    ("crossentropy", "sigmoid"): BINARY_CROSSENTROPY,
    ("crossentropy", "softmax"): CATEGORICAL_CROSSENTROPY,
}


def loss_for(loss: str, output: str) -> Loss:
    """The loss named ``loss`` as it applies to outputs of kind ``output``."""
    return LOSSES[loss, output]
