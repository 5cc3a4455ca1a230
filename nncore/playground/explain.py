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

# About what a phone's column holds of a displayed formula, in characters: a longer sum goes on
# to the next line (a formula that does not fit is cut, or hidden behind a scroll bar).
LINE_CHARACTERS = 26


@dataclass(frozen=True)
class NeuronNumbers:
    """A hidden neuron's weights (one per input), its bias, and the worked example."""

    name: str
    inputs: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    formula: str  # LaTeX: the formula with the numbers plugged in, a few terms a line
    point: str  # plain text: the training point the example is worked out at
    example: str  # LaTeX: the same at that point, evaluated


@dataclass(frozen=True)
class Term:
    """One part of a sum: its LaTeX, and how many characters it shows (to fill lines)."""

    latex: str
    width: int


def _signed(value: float, first: bool) -> Term:
    """A weight as the sum writes it: its sign is the operator before it (+ 0.5, − 0.5)."""
    text = f"{abs(value):.3f}"
    if first:
        return Term(f"-{text}" if value < 0 else text, len(text) + (value < 0))
    return Term(f" - {text}" if value < 0 else f" + {text}", len(text) + 2)


def _factor(value: float) -> Term:
    """A number multiplied by a weight: in brackets when negative, 0.606·(−0.029), so a
    product never reads as a subtraction."""
    text = f"{abs(value):.3f}"
    return Term(f"(-{text})", len(text) + 3) if value < 0 else Term(text, len(text))


def _times(left: Term, right: Term, sign: str) -> Term:
    return Term(f"{left.latex}{sign}{right.latex}", left.width + right.width + 1)


def sum_lines(start: str, terms: Sequence[Term], end: str = "") -> list[str]:
    """``start`` followed by the sum of ``terms`` then ``end``, as LaTeX lines of at most about
    LINE_CHARACTERS characters, each line after the first indented under the sum."""
    lines, line, width = [], start, len(start)
    for index, term in enumerate(terms):
        if index and width + term.width > LINE_CHARACTERS:
            lines.append(line)
            line, width = r"\qquad {}", 4
        line, width = line + term.latex, width + term.width
    if end and width + len(end) > LINE_CHARACTERS:
        lines.append(line)
        line = r"\qquad {}"
    lines.append(line + end)
    return lines


def aligned(lines: Sequence[str]) -> str:
    """Lines of LaTeX shown one under another, left-aligned."""
    return r"\begin{aligned}" + r" \\ ".join(f"& {line}" for line in lines) + r"\end{aligned}"


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
    The sums are written a few terms a line, so they fit a phone's column and are never cut.
    """
    kernel, bias = weights[2 * layer][:, unit], float(weights[2 * layer + 1][unit])
    name = f"neuron {layer + 1}.{unit + 1}"
    activation = ACTIVATIONS[act].key
    terms = [
        _times(_signed(w, index == 0), Term(f"\\text{{{label}}}", len(label)), "\\,")
        for index, (w, label) in enumerate(zip(kernel, input_names, strict=True))
    ]
    terms.append(_signed(bias, not terms))
    formula = aligned(
        [f"\\text{{{name}}} = \\mathrm{{{activation}}}(z)", *sum_lines("z = ", terms)]
    )
    previous = [np.atleast_2d(point_inputs), *layer_values(point_inputs[None], weights, act)]
    inputs = previous[layer][0]
    z = float(inputs @ kernel + bias)
    products = [
        _times(_signed(w, index == 0), _factor(v), " \\cdot ")
        for index, (w, v) in enumerate(zip(kernel, inputs, strict=True))
    ]
    products.append(_signed(bias, not products))
    example = aligned(
        [
            *sum_lines("z = ", products, f" = {z:.3f}"),
            f"\\mathrm{{{activation}}}({z:.3f}) = {ACTIVATIONS[act](z):.3f}",
        ]
    )
    where = f"At the training point (x₁, x₂) = ({point[0]:.2f}, {point[1]:.2f}):".replace("-", "−")
    return NeuronNumbers(
        name, tuple(input_names), tuple(map(float, kernel)), bias, formula, where, example
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
