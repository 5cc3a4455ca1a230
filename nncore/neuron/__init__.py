"""The notebook's single neuron: a weighted sum of inputs plus a bias, through an activation.

The home page's explorer; the activations themselves live in ``nncore.activations``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nncore.activations import ACTIVATIONS, NEURON_ACTIVATIONS, activation_choices
from nncore.settings import Setting


def weighted_sum(inputs: Sequence[float], weights: Sequence[float], bias: float) -> float:
    """z = Σ wᵢ·xᵢ + b: what the neuron computes before its activation."""
    return float(np.dot(inputs, weights) + bias)


def activate(name: str, z: float | np.ndarray) -> float | np.ndarray:
    """The neuron's output for pre-activation ``z``."""
    return ACTIVATIONS[name](z)


def _neuron_settings() -> tuple[Setting, ...]:
    inputs = [
        Setting(f"x{i}", f"input x{i}", "float", d, low=-5.0, high=5.0, step=0.1)
        for i, d in enumerate((1.0, 0.5, -1.0), start=1)
    ]
    weights = [
        Setting(f"w{i}", f"weight w{i}", "float", d, low=-5.0, high=5.0, step=0.1)
        for i, d in enumerate((0.8, -0.4, 0.3), start=1)
    ]
    return (
        *inputs,
        *weights,
        Setting("b", "bias b", "float", 0.1, low=-5.0, high=5.0, step=0.1),
        Setting(
            "act", "activation", "choice", "sigmoid", choices=activation_choices(NEURON_ACTIVATIONS)
        ),
    )


NEURON_SETTINGS = _neuron_settings()
