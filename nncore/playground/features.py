"""What the network is fed: functions of the point (x1, x2), each one a toggle on the page.

TensorFlow Playground's lesson: with x1² and x2² a single neuron draws a circle, with x1·x2 the
XOR; with x1 and x2 alone the hidden layers have to build those shapes themselves. Each feature
is declared once: its label, its numpy function and how the generated script writes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Feature:
    """One input of the network: how a student reads it, and how it is computed from (x1, x2)."""

    key: str
    label: str
    compute: Callable[[np.ndarray, np.ndarray], np.ndarray]
    code: str  # the numpy expression in terms of x1 and x2, for the generated script


FEATURES: dict[str, Feature] = {
    f.key: f
    for f in (
        Feature("x1", "x₁", lambda x1, x2: x1, "x1"),
        Feature("x2", "x₂", lambda x1, x2: x2, "x2"),
        Feature("x1sq", "x₁²", lambda x1, x2: x1 * x1, "x1 * x1"),
        Feature("x2sq", "x₂²", lambda x1, x2: x2 * x2, "x2 * x2"),
        Feature("x1x2", "x₁·x₂", lambda x1, x2: x1 * x2, "x1 * x2"),
        Feature("sin1", "sin x₁", lambda x1, x2: np.sin(x1), "np.sin(x1)"),
        Feature("sin2", "sin x₂", lambda x1, x2: np.sin(x2), "np.sin(x2)"),
    )
}
DEFAULT_FEATURES = ("x1", "x2")


def feature_matrix(x: np.ndarray, keys: Sequence[str]) -> np.ndarray:
    """The network's input for points ``x`` (n × 2): one float32 column per feature, in order."""
    x = np.asarray(x, dtype=float)
    x1, x2 = x[:, 0], x[:, 1]
    columns = [FEATURES[key].compute(x1, x2) for key in keys]
    return np.column_stack(columns).astype(np.float32) if columns else np.zeros((len(x), 0))


def grid_points(size: int, radius: float) -> np.ndarray:
    """``size``² points covering [-radius, radius]², row by row from the bottom (y rising)."""
    axis = np.linspace(-radius, radius, size)
    x1, x2 = np.meshgrid(axis, axis)
    return np.column_stack([x1.ravel(), x2.ravel()])
