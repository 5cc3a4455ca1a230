"""The playground's backward pass for a student: the chain rule of one weight written with the
numbers at one training point, and how the network figure shows the gradients.

The worker sends ∂loss/∂w of a batch as Keras computes it (``tf.GradientTape``). Here the
same network is pushed forward and back for one point in numpy, factor by factor, and written
out the way the Backprop page writes its 2-2-2 network (its formatting functions, reused), so
a student can follow one weight's gradient from the loss down to the number on the line: the
batch's gradient is the mean of these per-point gradients (plus the penalty's slope).

Notation: a neuron's weighted sum is ``net``, its activation ``out``, its
δ = ∂E/∂net; hidden neurons are named by layer and position (1.2), the outputs o0…o3 by their
class (o for a value), a feature by its own name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nncore.activations import ACTIVATIONS
from nncore.backprop.explain import NET, OUT, TIMES, applied, chained, d, derivation, tex
from nncore.playground.colours import value_image

Weight = tuple[int, int, int]  # (Dense layer, input, unit): kernel[layer][input, unit]
NEURON_STRENGTH = 0.9  # the largest δ's colour, nearly full: a neuron tile is a flat colour
DELTA_FLOOR = 0.15  # the faintest colour of a nonzero δ, as a share of the full one


@dataclass(frozen=True)
class PointPass:
    """One training point forward and back through the network, in numpy.

    Per Dense layer (the hidden ones, then the output): ``nets``, ``outs`` and ``deltas``
    (δ = ∂E/∂net of the point's own loss E). Per hidden layer: ``errors`` (∂E/∂out) and
    ``slopes`` (∂out/∂net, the activation's slope at net). ``target`` is t per output:
    1 for the point's class and 0 for the others, or the point's value.
    """

    inputs: np.ndarray
    nets: list[np.ndarray]
    outs: list[np.ndarray]
    target: np.ndarray
    deltas: list[np.ndarray]
    errors: list[np.ndarray]
    slopes: list[np.ndarray]

    def source(self, layer: int) -> np.ndarray:
        """What Dense layer ``layer`` multiplies by its weights: the features, or the outs
        of the layer before."""
        return self.inputs if layer == 0 else self.outs[layer - 1]

    def gradient(self, weight: Weight) -> float:
        """∂E/∂w for this point: the δ of the neuron the weight feeds × what it multiplies."""
        layer, i, j = weight
        return float(self.deltas[layer][j] * self.source(layer)[i])


def point_pass(
    weights: Sequence[np.ndarray], act: str, classes: int, inputs: np.ndarray, label: float
) -> PointPass:
    """The playground's network (Dense layers of ``act``, then softmax with cross-entropy for
    ``classes`` classes, or one linear output with squared error for 0) at one point.

    The output's δ is out − t for softmax with cross-entropy, and 2(out − t) for squared
    error; a hidden neuron's is its ∂E/∂out = Σ δ(next) · w times its activation's slope.
    """
    kernels, biases = list(weights[0::2]), list(weights[1::2])
    activation = ACTIVATIONS[act]
    nets, outs, h = [], [], np.asarray(inputs, float)
    for layer, (kernel, bias) in enumerate(zip(kernels, biases, strict=True)):
        net = h @ np.asarray(kernel, float) + np.asarray(bias, float)
        if layer < len(kernels) - 1:
            h = np.asarray(activation(net), float).reshape(net.shape)
        else:
            h = np.asarray(ACTIVATIONS["softmax"](net), float) if classes else net
        nets.append(net)
        outs.append(h)
    if classes:
        target = np.eye(classes)[int(label)]
        deltas = [outs[-1] - target]
    else:
        target = np.array([float(label)])
        deltas = [2.0 * (outs[-1] - target)]
    errors: list[np.ndarray] = []
    slopes: list[np.ndarray] = []
    for layer in reversed(range(len(kernels) - 1)):
        error = np.asarray(kernels[layer + 1], float) @ deltas[0]
        slope = np.asarray(activation.slope(nets[layer]), float).reshape(error.shape)
        deltas.insert(0, error * slope)
        errors.insert(0, error)
        slopes.insert(0, slope)
    return PointPass(np.asarray(inputs, float), nets, outs, target, deltas, errors, slopes)


# --- names ----------------------------------------------------------------------------------


def unit_tag(layer: int, unit: int, hidden_layers: int, classes: int) -> str:
    """A neuron's subscript: 1.2 for hidden layer 1's second neuron, o2 for class 2's output
    (o when the network answers a value)."""
    if layer < hidden_layers:
        return f"{layer + 1}.{unit + 1}"
    return f"o{unit}" if classes else "o"


def unit_name(layer: int, unit: int, hidden_layers: int, classes: int) -> str:
    """A neuron as a sentence names it: neuron 1.2, the output for class 2, the output."""
    if layer < hidden_layers:
        return f"neuron {layer + 1}.{unit + 1}"
    return f"the output for class {unit}" if classes else "the output"


def source_name(layer: int, i: int, input_names: Sequence[str]) -> str:
    """What a weight of Dense layer ``layer`` multiplies: a feature, or a hidden neuron."""
    return input_names[i] if layer == 0 else f"neuron {layer}.{i + 1}"


def weight_name(
    weight: Weight, input_names: Sequence[str], hidden_layers: int, classes: int
) -> str:
    """A weight by the two things it joins: ``x₁ → neuron 1.1``."""
    layer, i, j = weight
    return f"{source_name(layer, i, input_names)} → {unit_name(layer, j, hidden_layers, classes)}"


def all_weights(shapes: Sequence[tuple[int, ...]]) -> list[Weight]:
    """Every weight of kernels of these shapes (inputs × units), layer by layer."""
    return [(layer, i, j) for layer, shape in enumerate(shapes) for i, j in np.ndindex(*shape)]


# --- the chain rule, written out ------------------------------------------------------------


@dataclass(frozen=True)
class WeightChain:
    """One weight's chain rule at one point: the factors' derivations (each a LaTeX block,
    in the order a student works them out), the product, and its value."""

    factors: list[str]
    result: str
    value: float


def chain_rule(
    weights: Sequence[np.ndarray],
    passed: PointPass,
    weight: Weight,
    act: str,
    classes: int,
    input_names: Sequence[str],
) -> WeightChain:
    """∂E/∂w = ∂E/∂out · ∂out/∂net · ∂net/∂w for one weight, with the point's numbers.

    For an output weight the first two factors are its δ (out − t, or 2(out − t)); for a
    hidden one, ∂E/∂out sums over the neurons it feeds, δ(next) · w, the next layer's δ being
    worked out the same way from the layer after it.
    """
    layer, i, j = weight
    hidden_layers = len(weights) // 2 - 1
    me = unit_tag(layer, j, hidden_layers, classes)
    net, out = f"{NET}_{{{me}}}", f"{OUT}_{{{me}}}"
    source_value = float(passed.source(layer)[i])
    if layer == 0:
        source_symbol = rf"\text{{{input_names[i]}}}"
    else:
        source_symbol = f"{OUT}_{{{unit_tag(layer - 1, i, hidden_layers, classes)}}}"
    delta = float(passed.deltas[layer][j])
    value = passed.gradient(weight)
    input_block = derivation(d(net, "w"), source_symbol, tex(source_value, False))
    if layer == hidden_layers:
        out_value, target = float(passed.outs[layer][j]), float(passed.target[j])
        if classes:
            steps = [f"{out} - t_{{{me}}}", f"{tex(out_value, False)} - {tex(target)}"]
        else:
            steps = [rf"2\,({out} - t)", rf"2\,({tex(out_value, False)} - {tex(target)})"]
        own = derivation(rf"\delta_{{{me}}}", d("E", net), *steps, tex(delta, False))
        result = derivation(
            d("E", "w"),
            TIMES.join([d("E", net), d(net, "w")]),
            chained([tex(delta), tex(source_value)], TIMES),
            tex(value, False),
        )
        return WeightChain([own, input_block], result, value)
    following = range(len(passed.deltas[layer + 1]))
    kernel = np.asarray(weights[2 * (layer + 1)], float)
    tags = [unit_tag(layer + 1, k, hidden_layers, classes) for k in following]
    error = float(passed.errors[layer][j])
    # Each product over two lines: two nine-digit numbers side by side overflow a phone.
    products = []
    for k in following:
        delta_k = tex(passed.deltas[layer + 1][k])
        products += [delta_k if k == 0 else rf"\quad + {delta_k}"]
        products += [rf"\quad {TIMES.strip()} {tex(kernel[j, k])}"]
    error_block = derivation(
        d("E", out),
        chained([rf"\delta_{{{tag}}}\, w_{{{me} \to {tag}}}" for tag in tags]),
        products,
        tex(error, False),
    )
    f = applied(act)
    slope = float(passed.slopes[layer][j])
    net_value = float(passed.nets[layer][j])
    slope_block = derivation(
        d(out, net), f"{f}'({net})", f"{f}'({tex(net_value, False)})", tex(slope, False)
    )
    own = derivation(
        rf"\delta_{{{me}}}",
        d("E", net),
        TIMES.join([d("E", out), d(out, net)]),
        chained([tex(error), tex(slope)], TIMES),
        tex(delta, False),
    )
    # three fractions are too wide for a phone on one line: the third goes on the next
    symbolic = [
        TIMES.join([d("E", out), d(out, net)]),
        rf"\quad {TIMES.strip()} {d(net, 'w')}",
    ]
    result = derivation(
        d("E", "w"),
        symbolic,
        chained([tex(error), tex(slope), tex(source_value)], TIMES),
        tex(value, False),
    )
    return WeightChain([error_block, slope_block, own, input_block], result, value)


def penalty_slope(reg: str, rate: float, w: float) -> float:
    """The weight penalty's share of ∂loss/∂w: 2·rate·w for L2, rate·sign(w) for L1 (Keras
    adds rate·Σw² or rate·Σ|w| of the kernels to the loss)."""
    if reg == "l2":
        return 2.0 * rate * w
    if reg == "l1":
        return rate * float(np.sign(w))
    return 0.0


def batch_latex(gradient: float, rows: int, reg: str, rate: float, w: float) -> str:
    """The batch's ∂loss/∂w (Keras's number): the mean of the points' ∂E/∂w over the batch,
    plus the penalty's slope when there is one."""
    lhs = r"\frac{\partial\, \mathrm{loss}}{\partial w}"
    mean = rf"\frac{{1}}{{{rows}}} \sum_{{n=1}}^{{{rows}}} {d('E_n', 'w')}"
    if reg == "none":
        return derivation(lhs, mean, tex(gradient, False))
    penalty = penalty_slope(reg, rate, w)
    if reg == "l2":
        symbol, numbers = r"2 \lambda w", f"2{TIMES}{tex(rate)}{TIMES}{tex(w)}"
    else:
        symbol, numbers = r"\lambda\, \mathrm{sign}(w)", f"{tex(rate)}{TIMES}{tex(np.sign(w))}"
    return derivation(
        lhs,
        [mean, rf"\quad + {symbol}"],
        chained([tex(gradient - penalty, False), numbers]),
        tex(gradient, False),
    )


# --- how the figure shows the gradients -----------------------------------------------------


def line_levels(values: Sequence[np.ndarray], levels: int) -> list[np.ndarray]:
    """Each value's thickness class 0 … levels − 1, by its size against the largest of all:
    one scale for the whole network, so a layer whose gradients vanish shows thin lines."""
    largest = max((float(np.abs(v).max()) for v in values if np.size(v)), default=0.0)
    largest = largest or 1.0
    return [np.minimum((np.abs(v) / largest * levels).astype(int), levels - 1) for v in values]


def neuron_deltas(deltas: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Each neuron's δ for the batch: the mean of its points' δ (rows × units per layer)."""
    return [np.asarray(rows, float).mean(axis=0) for rows in deltas]


def delta_tiles(deltas: Sequence[np.ndarray], size: int) -> list[list[np.ndarray]]:
    """A flat tile per neuron, size × size, coloured by its δ: blue positive, vermillion
    negative, stronger the larger it is against the largest δ of the network.

    A faint floor (DELTA_FLOOR) keeps the sign of a small δ visible: the outputs' δ is often
    ten times the first layer's, which would otherwise leave those tiles white.
    """
    largest = max((float(np.abs(v).max()) for v in deltas if np.size(v)), default=0.0) or 1.0
    tiles = []
    for layer in deltas:
        shades = np.sign(layer) * (DELTA_FLOOR + (1 - DELTA_FLOOR) * np.abs(layer) / largest)
        tiles.append(
            [value_image(np.full((size, size), s), 1.0, strength=NEURON_STRENGTH) for s in shades]
        )
    return tiles
