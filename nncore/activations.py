"""Every activation function the playground offers, declared once with its behaviour.

The home page's single neuron, the Build page's layers, the backpropagation page and the
generated Keras code all read this table, so an activation's formula, its derivative (what
backpropagation multiplies by), its LaTeX and its Keras name cannot disagree. The numpy
functions follow Keras's definitions (``keras.activations``), which a test checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import erfc

Array = np.ndarray


def _sigmoid(z: Array) -> Array:
    # tanh form: never overflows, unlike 1 / (1 + exp(-z)) for very negative z
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _softmax(z: Array) -> Array:
    shifted = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _gelu(z: Array) -> Array:
    # erfc(−x) = 1 + erf(x), without losing digits where erf(x) is close to −1
    return 0.5 * z * erfc(-z / math.sqrt(2.0))


def _gelu_derivative(z: Array) -> Array:
    return 0.5 * erfc(-z / math.sqrt(2.0)) + z * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class Activation:
    """One activation: what it computes, its slope, and how a student and Keras write it.

    ``derivative`` is the element-wise slope a′(z), the factor ∂out/∂net of backpropagation.
    Softmax has none: each output depends on every input, so its slope is a matrix; paired
    with cross-entropy the two together give the simple gradient out − target.
    ``latex`` is the formula in terms of z, ``derivative_latex`` its slope.
    """

    key: str
    label: str
    function: Callable[[Array], Array]
    derivative: Callable[[Array], Array] | None
    latex: str
    derivative_latex: str = ""
    output_range: str = ""

    @property
    def keras_name(self) -> str:
        """The string Keras accepts as ``activation=``; the keys are chosen to be exactly that."""
        return self.key

    def __call__(self, z: float | Array) -> float | Array:
        result = self.function(np.asarray(z, dtype=float))
        return float(result) if np.ndim(result) == 0 else result

    def slope(self, z: float | Array) -> float | Array:
        """a′(z); raises for softmax, whose slope is not element-wise."""
        if self.derivative is None:
            raise ValueError(f"{self.label} has no element-wise derivative")
        result = self.derivative(np.asarray(z, dtype=float))
        return float(result) if np.ndim(result) == 0 else result


ACTIVATIONS: dict[str, Activation] = {
    a.key: a
    for a in (
        Activation(
            "sigmoid",
            "sigmoid",
            _sigmoid,
            lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)),
            r"\sigma(z) = \frac{1}{1 + e^{-z}}",
            r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))",
            "(0, 1)",
        ),
        Activation(
            "tanh",
            "tanh",
            np.tanh,
            lambda z: 1.0 - np.tanh(z) ** 2,
            r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
            r"\tanh'(z) = 1 - \tanh^2(z)",
            "(−1, 1)",
        ),
        Activation(
            "relu",
            "relu",
            lambda z: np.maximum(z, 0.0),
            lambda z: (z > 0).astype(float),
            r"\mathrm{relu}(z) = \max(0, z)",
            r"\mathrm{relu}'(z) = 1 \text{ if } z > 0 \text{ else } 0",
            "[0, ∞)",
        ),
        Activation(
            "elu",
            "elu",
            lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
            lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0))),
            r"\mathrm{elu}(z) = z \text{ if } z > 0 \text{ else } e^{z} - 1",
            r"\mathrm{elu}'(z) = 1 \text{ if } z > 0 \text{ else } e^{z}",
            "(−1, ∞)",
        ),
        Activation(
            "gelu",
            "gelu",
            _gelu,
            _gelu_derivative,
            r"\mathrm{gelu}(z) = z\,\Phi(z)",
            r"\mathrm{gelu}'(z) = \Phi(z) + z\,\varphi(z)",
            "[−0.17, ∞)",
        ),
        Activation(
            "linear",
            "linear (none)",
            lambda z: z,
            np.ones_like,
            r"\mathrm{linear}(z) = z",
            r"\mathrm{linear}'(z) = 1",
            "(−∞, ∞)",
        ),
        Activation(
            "softmax",
            "softmax",
            _softmax,
            None,
            r"\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
            "",
            "(0, 1), summing to 1",
        ),
    )
}

# What the single neuron on the home page can be: the notebook's three classic ones.
NEURON_ACTIVATIONS = ("sigmoid", "tanh", "relu")


def activation_choices(keys: tuple[str, ...] | None = None) -> dict[str, str]:
    """URL value → label for a setting's ``choices``, from this table (all, or ``keys``)."""
    return {key: ACTIVATIONS[key].label for key in (keys or tuple(ACTIVATIONS))}
