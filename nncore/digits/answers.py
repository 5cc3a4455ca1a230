"""Reading a network's answer to a drawing: the likeliest digits, and which networks can answer.

Pure numpy, so the web server can use it on the probabilities a worker sends back.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MNIST_SHAPES = ((784,), (28, 28), (28, 28, 1))  # the input shapes a drawing can be fed as
CLASSES = 10


def top_k(probabilities: np.ndarray, k: int = 3) -> list[tuple[int, float]]:
    """The ``k`` most likely digits with their probabilities, most likely first."""
    order = np.argsort(-probabilities, kind="stable")[:k]  # ties: the smaller digit first
    return [(int(digit), float(probabilities[digit])) for digit in order]


def reads_drawings(input_shape: Sequence[int], outputs: int) -> bool:
    """Whether a network reads a 28x28 MNIST picture (flat or as an image) and answers ten digits.

    The Build page can make networks for other inputs; feeding those a drawing would fail deep
    inside Keras, so the page asks first.
    """
    return tuple(input_shape) in MNIST_SHAPES and outputs == CLASSES
