"""One pixel of a feature map, opened up: the window it reads, the weights, the arithmetic.

A Conv2D output pixel is a weighted sum: the k × k window of the map below it (every channel),
times the filter's k × k × channels weights, summed, plus the filter's bias, through the
activation. A MaxPooling2D output pixel is the largest number in its window. These functions
redo that arithmetic in numpy from the numbers the inference worker sends (the window, the
kernel, the bias, the activation's name), so the page can show every step and a test can check
the result equals the pixel Keras computed.

Keras's padding and strides decide where the window sits: 'valid' starts at row × stride,
'same' first pads the map so that ceil(size / stride) windows fit, half the padding before
(the smaller half when it is odd), and windows then start at row × stride − that half.
Pure numpy; no Keras.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nncore.activations import ACTIVATIONS


def padding_before(size: int, kernel: int, stride: int, padding: str) -> int:
    """How many rows (or columns) of padding Keras puts before the map's first one.

    'valid' pads nothing. 'same' pads just enough for ceil(size / stride) windows and puts the
    smaller half before: that is where TensorFlow's convolution and pooling put it, so the
    window shown is the one the layer really read.
    """
    if padding == "valid":
        return 0
    if padding != "same":
        raise ValueError(f"unknown padding {padding!r}")
    outputs = math.ceil(size / stride)
    total = max((outputs - 1) * stride + kernel - size, 0)
    return total // 2


def window_start(index: int, size: int, kernel: int, stride: int, padding: str) -> int:
    """The first input row (or column) the window of output row ``index`` covers; negative
    when 'same' padding puts part of the window above (or left of) the map."""
    return index * stride - padding_before(size, kernel, stride, padding)


def take_window(
    inputs: np.ndarray, top: int, left: int, height: int, width: int, fill: float
) -> np.ndarray:
    """The ``height`` × ``width`` × channels block of ``inputs`` (H, W, C) from (top, left),
    ``fill`` where it lies outside the map (0 for a convolution's zero padding, NaN for
    pooling, which only compares numbers inside the map)."""
    inputs = np.asarray(inputs, dtype=np.float64)
    rows, columns, channels = inputs.shape
    window = np.full((height, width, channels), fill, dtype=np.float64)
    r0, r1 = max(top, 0), min(top + height, rows)
    c0, c1 = max(left, 0), min(left + width, columns)
    if r0 < r1 and c0 < c1:
        window[r0 - top : r1 - top, c0 - left : c1 - left] = inputs[r0:r1, c0:c1]
    return window


def pre_activations(window: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Every filter's weighted sum plus bias at one position: ``window`` (k, k, C) against the
    whole ``kernel`` (k, k, C, filters). Softmax needs them all: it mixes the filters."""
    return np.tensordot(window, kernel, axes=3) + np.asarray(bias, dtype=np.float64)


def activate(name: str, z: float, all_z: np.ndarray | None = None, index: int = 0) -> float | None:
    """``name``'s activation of ``z`` (softmax: of ``all_z``, at ``index``), from the same
    table the rest of the app uses; None for an activation the table does not know (a
    visitor's model may use one), which the page then names without redoing."""
    activation = ACTIVATIONS.get(name)
    if activation is None:
        return None
    if name == "softmax":
        if all_z is None:
            return None
        return float(np.asarray(activation(np.asarray(all_z, dtype=np.float64)))[index])
    return float(activation(z))


@dataclass(frozen=True)
class ConvolutionArithmetic:
    """Every number of one Conv2D output pixel: the products window × weights, their sum per
    input channel and over all, the bias, z = sum + bias, and the activation of z (None when
    the activation is not one the app can redo)."""

    window: np.ndarray  # (k, k, C): the input the kernel sits on, 0 in the padding
    kernel: np.ndarray  # (k, k, C): this filter's weights
    products: np.ndarray  # (k, k, C): window × kernel, element by element
    channel_sums: np.ndarray  # (C,): each input channel's share of the sum
    total: float  # the sum of every product
    bias: float
    z: float  # total + bias: what goes into the activation
    activation: str
    value: float | None  # activation(z): the map's pixel

    @property
    def strongest_channel(self) -> int:
        """The input channel whose products add up to the most (either sign): the one worth
        showing in detail when there are many."""
        return int(np.argmax(np.abs(self.channel_sums)))


def convolution_arithmetic(
    window: np.ndarray,
    kernel: np.ndarray,
    bias: float,
    activation: str,
    all_z: np.ndarray | None = None,
    index: int = 0,
) -> ConvolutionArithmetic:
    """Redo one Conv2D pixel from its window (k, k, C), its filter's kernel (k, k, C) and bias.

    Sums in float64 so the page's arithmetic is the exact sum of the numbers it shows; Keras
    sums in float32, so the two agree to about 1e-6. ``all_z`` and ``index``: every filter's z
    at this position and this filter's place among them, for softmax.
    """
    window = np.asarray(window, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if window.shape != kernel.shape:
        raise ValueError(f"window {window.shape} and kernel {kernel.shape} differ")
    products = window * kernel
    channel_sums = products.sum(axis=(0, 1))
    total = float(channel_sums.sum())
    z = total + float(bias)
    value = activate(activation, z, all_z, index)
    return ConvolutionArithmetic(
        window, kernel, products, channel_sums, total, float(bias), z, activation, value
    )


@dataclass(frozen=True)
class PoolingArithmetic:
    """One MaxPooling2D output pixel: its window on one channel (NaN outside the map), where
    the largest number sits in it, and that number."""

    window: np.ndarray  # (k, k)
    winner: tuple[int, int]  # (row, column) inside the window
    value: float


def pooling_arithmetic(window: np.ndarray) -> PoolingArithmetic:
    """The largest number of a pooling window (k, k), ignoring NaN (outside the map); on a tie
    the first in reading order wins (the one shown; the value is the same)."""
    window = np.asarray(window, dtype=np.float64)
    if window.ndim == 3:
        window = window[..., 0]
    if np.all(np.isnan(window)):
        raise ValueError("a pooling window entirely outside the map")
    flat = int(np.nanargmax(window))
    row, column = divmod(flat, window.shape[1])
    return PoolingArithmetic(window, (row, column), float(window[row, column]))


def number(value: float) -> str:
    """A number as the tables show it: three decimals, a real minus sign, no '-0.000'."""
    if np.isnan(value):
        return "·"
    text = f"{value:.3f}"
    if text.strip("-0.") == "":
        text = "0.000"
    return text.replace("-", "−")


def grid_markdown(
    cells: np.ndarray, rows: list[str], columns: list[str], mark: tuple[int, int] | None = None
) -> str:
    """A small table of numbers as Markdown (it grows with presenter mode's text, unlike a
    data grid): ``rows`` and ``columns`` label it, ``mark`` makes one cell bold."""
    lines = ["| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for r, label in enumerate(rows):
        shown = [
            f"**{number(v)}**" if mark == (r, c) else number(v) for c, v in enumerate(cells[r])
        ]
        lines.append(f"| **{label}** | " + " | ".join(shown) + " |")
    return "\n".join(lines)


def positions(start: int, count: int, size: int) -> list[str]:
    """Labels for a window's rows or columns by their place in a map of ``size`` ('3'), 'pad'
    for those in the padding outside it."""
    return [str(start + i) if 0 <= start + i < size else "pad" for i in range(count)]
