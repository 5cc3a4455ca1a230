"""The notebook's single neuron: a weighted sum of inputs plus a bias, through an activation."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


# The activations the home page explores, with the formula a student reads beside the curve.
NEURON_ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
    "sigmoid": (_sigmoid, r"\sigma(z) = \frac{1}{1 + e^{-z}}"),
    "tanh": (np.tanh, r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}"),
    "relu": (lambda z: np.maximum(z, 0.0), r"\mathrm{relu}(z) = \max(0, z)"),
}


def weighted_sum(inputs: Sequence[float], weights: Sequence[float], bias: float) -> float:
    """z = Σ wᵢ·xᵢ + b: what the neuron computes before its activation."""
    return float(np.dot(inputs, weights) + bias)


def activate(name: str, z: float | np.ndarray) -> float | np.ndarray:
    """The neuron's output for pre-activation ``z``."""
    function, _ = NEURON_ACTIVATIONS[name]
    result = function(np.asarray(z, dtype=float))
    return float(result) if np.ndim(result) == 0 else result


def _neuron_settings() -> tuple:
    from nncore.settings import Setting

    inputs = [Setting(f"x{i}", f"input x{i}", "float", d, low=-5.0, high=5.0, step=0.1)
              for i, d in enumerate((1.0, 0.5, -1.0), start=1)]  # fmt: skip
    weights = [Setting(f"w{i}", f"weight w{i}", "float", d, low=-5.0, high=5.0, step=0.1)
               for i, d in enumerate((0.8, -0.4, 0.3), start=1)]  # fmt: skip
    return (
        *inputs,
        *weights,
        Setting("b", "bias b", "float", 0.1, low=-5.0, high=5.0, step=0.1),
        Setting("act", "activation", "choice", "sigmoid",
                choices={name: name for name in NEURON_ACTIVATIONS}),
    )  # fmt: skip


NEURON_SETTINGS = _neuron_settings()
