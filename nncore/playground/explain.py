"""The numbers behind the picture, and the sentence under it, for a student.

A clicked neuron is written out as its formula with its own weights, bias and activation, and
then evaluated at one training point, every product shown, so the heatmap tile is no longer
a mystery: it is this one formula computed at every place on the plane.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nncore.activations import ACTIVATIONS


@dataclass(frozen=True)
class NeuronNumbers:
    """A hidden neuron's weights (one per input), its bias, and the worked example."""

    name: str
    inputs: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    formula: str  # LaTeX: the formula with the numbers plugged in
    example: str  # LaTeX: the same at one point, evaluated


def _signed(value: float, first: bool) -> str:
    text = f"{abs(value):.3f}"
    if first:
        return f"-{text}" if value < 0 else text
    return f" - {text}" if value < 0 else f" + {text}"


def layer_values(x: np.ndarray, weights: Sequence[np.ndarray], act: str) -> list[np.ndarray]:
    """Every hidden layer's output for inputs ``x`` (numpy, the same maths as Keras's Dense)."""
    outputs, h = [], np.asarray(x, float)
    for kernel, bias in zip(weights[0:-2:2], weights[1:-2:2], strict=True):
        h = np.asarray(ACTIVATIONS[act](h @ kernel + bias))
        outputs.append(np.atleast_2d(h))
    return outputs


def neuron_numbers(
    weights: Sequence[np.ndarray],
    layer: int,
    unit: int,
    input_names: Sequence[str],
    act: str,
    point: np.ndarray,
    point_inputs: np.ndarray,
) -> NeuronNumbers:
    """Neuron ``unit`` of hidden ``layer``: its formula, and its value at ``point``.

    ``point_inputs`` are the features at ``point``; the hidden values in between are computed.
    """
    kernel, bias = weights[2 * layer][:, unit], float(weights[2 * layer + 1][unit])
    symbols = [f"\\text{{{name}}}" for name in input_names]
    terms = "".join(
        f"{_signed(w, index == 0)}\\,{symbol}"
        for index, (w, symbol) in enumerate(zip(kernel, symbols, strict=True))
    )
    name = f"neuron {layer + 1}.{unit + 1}"
    activation = ACTIVATIONS[act].key
    formula = f"\\text{{{name}}} = \\mathrm{{{activation}}}({terms}{_signed(bias, not terms)})"
    previous = [np.atleast_2d(point_inputs), *layer_values(point_inputs[None], weights, act)]
    inputs = previous[layer][0]
    z = float(inputs @ kernel + bias)
    products = "".join(
        f"{_signed(w, index == 0)} \\cdot {v:.3f}"
        for index, (w, v) in enumerate(zip(kernel, inputs, strict=True))
    )
    example = (
        f"\\text{{at }}(x_1, x_2) = ({point[0]:.2f}, {point[1]:.2f}):\\quad "
        f"\\mathrm{{{activation}}}({products}{_signed(bias, not products)}) = "
        f"\\mathrm{{{activation}}}({z:.3f}) = {ACTIVATIONS[act](z):.3f}"
    )
    return NeuronNumbers(
        name, tuple(input_names), tuple(map(float, kernel)), bias, formula, example
    )


def what_to_look_at(classes: int, epoch: int, losses: tuple[float, float] | None) -> str:
    """One or two sentences under the picture: what the colours mean and what to try next."""
    if classes == 0:
        colours = "The background is the network's answer at each place (blue high, red low)"
    else:
        colours = (
            "The background is the network's answer at each place: the colour of the class it "
            "picks, paler where it is unsure"
        )
    if epoch == 0 or losses is None:
        return f"{colours}. Press ▶ Play and watch it reshape itself as the network learns."
    train, test = losses
    if test > 1.5 * train + 0.05:
        advice = (
            "The test loss is well above the training loss: the network is memorising its "
            "points. Try fewer neurons, more points, or L2 regularisation."
        )
    elif train > 0.3:
        advice = (
            "The loss is still high: give it more epochs, add a hidden layer or neurons, "
            "or switch on features such as x₁² and x₂²."
        )
    else:
        advice = (
            "It has learned these points. Add noise, or click the plane to add points where "
            "it is unsure, and see whether the boundary moves."
        )
    return f"{colours}. {advice}"
