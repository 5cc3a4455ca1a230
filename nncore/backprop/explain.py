"""The worked example written out as LaTeX a student can follow line by line.

Every quantity is derived the way a teacher works it on the board: the formula in symbols,
then with the page's numbers in, then the result, one step per line and lined up on "=".
Numbers carry nine significant digits, enough to check against the textbook's published
values. Lines are kept short (long sums break after a "+"), so a derivation fits a phone's
width or a third of a wide page, where the page sets them side by side.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from string import Template

import numpy as np

from nncore.activations import ACTIVATIONS
from nncore.backprop.losses import OUTPUT_UNITS, loss_for
from nncore.backprop.network import Network, Parameter
from nncore.backprop.passes import Backward, Forward

NET, OUT = r"\mathrm{net}", r"\mathrm{out}"
TIMES = r" \cdot "
LINE_LIMIT = 26  # visible characters of one formula line


def tex(value: float, wrap: bool = True) -> str:
    """A number inside a formula; with ``wrap`` a negative one in brackets (``a - (-b)``)."""
    if math.isnan(value):
        return r"\text{NaN}"
    if math.isinf(value):
        return r"\infty" if value > 0 else r"(-\infty)"
    text = f"{value:.9g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return f"({text})" if wrap and value < 0 else text


def d(top: str, bottom: str) -> str:
    """∂top/∂bottom as a LaTeX fraction."""
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def visible(latex: str) -> int:
    """Roughly how many characters ``latex`` shows (a command counts as one)."""
    return len(re.sub(r"[{}\s]", "", re.sub(r"\\[a-zA-Z]+|\\,", "x", latex)))


def chained(parts: list[str], joiner: str = " + ") -> list[str]:
    """``parts`` joined by ``joiner``, broken into lines no longer than LINE_LIMIT."""
    lines = [parts[0]]
    for part in parts[1:]:
        if visible(lines[-1] + joiner + part) > LINE_LIMIT:
            lines.append(rf"\quad {joiner.strip()} {part}")
        else:
            lines[-1] += joiner + part
    return lines


def derivation(lhs: str, *steps: str | list[str]) -> str:
    """``lhs = step = step = …``, one step per line (a list, or a text with line breaks, is one
    step over several lines), aligned on "="; a step equal to the one before it is left out."""
    rows: list[str] = []
    previous = None
    for step in steps:
        pieces = step if isinstance(step, list) else step.split("\n")
        if pieces == previous:
            continue
        previous = pieces
        rows.append(f"&= {pieces[0]}")
        rows += [f"&{piece}" for piece in pieces[1:]]
    rows[0] = f"{lhs} {rows[0]}"
    return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"


def applied(activation: str) -> str:
    """How the activation is written applied to something: ``\\sigma``, ``\\tanh``."""
    return ACTIVATIONS[activation].latex.split("(z)")[0]


def weight_symbol(network: Network, layer: str, neuron: int, source: int) -> str:
    """The textbook name of the weight from ``source`` into ``neuron`` of ``layer``."""
    return next(
        p.symbol
        for p in network.parameters
        if (p.layer, p.neuron, p.source) == (layer, neuron, source)
    )


def forward_latex(network: Network, fwd: Forward, layer: str, neuron: int) -> list[str]:
    """One neuron's forward step: its weighted sum, then its activation, with the numbers."""
    me = f"{layer[0]}{neuron + 1}"
    hidden = layer == "hidden"
    values = network.inputs if hidden else fwd.hidden_out
    weights = (network.hidden_weights if hidden else network.output_weights)[neuron]
    bias = (network.hidden_biases if hidden else network.output_biases)[neuron]
    net, out = (fwd.hidden_net, fwd.hidden_out) if hidden else (fwd.output_net, fwd.output_out)
    source = "i_{%d}" if hidden else OUT + "_{h%d}"
    symbols = [
        rf"{weight_symbol(network, layer, neuron, s)}\, {source % (s + 1)}"
        for s in range(len(values))
    ]
    numbers = [f"{tex(w)}{TIMES}{tex(x)}" for w, x in zip(weights, values, strict=True)]
    net_block = derivation(
        f"{NET}_{{{me}}}",
        chained([*symbols, f"b_{{{me}}}"]),
        chained([*numbers, tex(bias)]),
        tex(net[neuron], False),
    )
    activation = network.hidden_activation if hidden else network.output
    if activation == "softmax":
        with np.errstate(all="ignore"):
            exps = np.exp(net)  # too large to write: every e^net divided by the largest instead
            exps = exps if np.all(np.isfinite(exps)) else np.exp(net - np.max(net))
        out_block = derivation(
            f"{OUT}_{{{me}}}",
            rf"\frac{{e^{{{NET}_{{{me}}}}}}}{{\sum_k e^{{{NET}_{{ok}}}}}}",
            rf"\frac{{{tex(exps[neuron], False)}}}{{{tex(exps.sum(), False)}}}",
            tex(out[neuron], False),
        )
        return [net_block, out_block]
    f = applied(activation)
    out_block = derivation(
        f"{OUT}_{{{me}}}",
        f"{f}({NET}_{{{me}}})",
        f"{f}({tex(net[neuron], False)})",
        tex(out[neuron], False),
    )
    return [net_block, out_block]


def error_latex(network: Network, fwd: Forward) -> list[str]:
    """Each output's error with its numbers, then the total E = Σ E_k."""
    loss = Template(loss_for(network.loss, network.output).error_template)
    blocks = [
        derivation(
            f"E_{{o{k + 1}}}",
            loss.substitute(t=f"t_{{o{k + 1}}}", o=f"{OUT}_{{o{k + 1}}}"),
            loss.substitute(t=tex(target), o=tex(fwd.output_out[k])),
            tex(fwd.errors[k], False),
        )
        for k, target in enumerate(network.targets)
    ]
    names = [f"E_{{o{k + 1}}}" for k in range(len(fwd.errors))]
    total = derivation(
        r"E_{\mathrm{total}}",
        chained(names),
        chained([tex(e) for e in fwd.errors]),
        tex(fwd.total, False),
    )
    return [*blocks, total]


def output_side(network: Network, fwd: Forward, back: Backward, k: int) -> list[str]:
    """For output k: ∂E/∂out, ∂out/∂net and δ = ∂E/∂net, the end of every chain through it.

    Softmax outputs share a denominator, so δ_ok sums over the outputs m: each ∂E/∂out_om
    times ∂out_om/∂net_ok = out_om([m = k] − out_ok).
    """
    me = f"o{k + 1}"
    loss = Template(loss_for(network.loss, network.output).slope_template)
    unit = OUTPUT_UNITS[network.output]
    blocks = [
        derivation(
            d("E", f"{OUT}_{{{me}}}"),
            loss.substitute(t=f"t_{{{me}}}", o=f"{OUT}_{{{me}}}"),
            loss.substitute(t=tex(network.targets[k]), o=tex(fwd.output_out[k])),
            tex(back.error_slope[k], False),
        )
    ]
    delta, delta_meaning = rf"\delta_{{{me}}}", d("E", f"{NET}_{{{me}}}")
    if unit.elementwise:
        slope = Template(unit.slope_template)
        blocks.append(
            derivation(
                d(f"{OUT}_{{{me}}}", f"{NET}_{{{me}}}"),
                slope.substitute(o=f"{OUT}_{{{me}}}"),
                slope.substitute(o=tex(fwd.output_out[k])),
                tex(back.output_jacobian[k, k], False),
            )
        )
        symbols = [d("E", f"{OUT}_{{{me}}}"), d(f"{OUT}_{{{me}}}", f"{NET}_{{{me}}}")]
        factors = [tex(back.error_slope[k]), tex(back.output_jacobian[k, k])]
        blocks.append(
            derivation(
                delta,
                delta_meaning,
                TIMES.join(symbols),
                chained(factors, TIMES),
                tex(back.output_delta[k], False),
            )
        )
        return blocks
    outputs = range(len(network.targets))
    blocks.append(
        derivation(
            delta,
            delta_meaning,
            rf"\sum_m {d('E', f'{OUT}_{{om}}')} {OUT}_{{om}}([m{{=}}{k + 1}] - {OUT}_{{{me}}})",
            chained(
                [
                    f"{tex(back.error_slope[m])}{TIMES}{tex(back.output_jacobian[m, k])}"
                    for m in outputs
                ]
            ),
            tex(back.output_delta[k], False),
        )
    )
    return blocks


@dataclass(frozen=True)
class Chain:
    """The chain rule for one weight, ready to lay out.

    ``outputs`` holds, per output the chain passes through, the derivations of its δ (empty
    when the factors below already show them); ``factors`` the derivation of each factor of
    ∂E/∂w; ``result`` the factors multiplied out.
    """

    outputs: list[list[str]]
    factors: list[str]
    result: str


def chain_latex(network: Network, fwd: Forward, back: Backward, p: Parameter) -> Chain:
    """∂E/∂w for one weight or bias: ∂E/∂out · ∂out/∂net · ∂net/∂w, with its numbers.

    For a hidden weight ∂E/∂out_h is a sum over every output the hidden neuron feeds,
    Σ_k δ_ok · w(h→ok), using the output weights as they are before the update.
    """
    me, w = p.to_name, p.symbol
    if p.source is None:  # a bias multiplies 1
        source_symbol, source_value = "1", 1.0
    elif p.layer == "hidden":
        source_symbol, source_value = f"i_{{{p.source + 1}}}", float(network.inputs[p.source])
    else:
        source_symbol, source_value = f"{OUT}_{{{p.from_name}}}", float(fwd.hidden_out[p.source])
    input_block = derivation(d(f"{NET}_{{{me}}}", w), source_symbol, tex(source_value, False))
    grad = tex(back.gradient(p), False)
    # three fractions are too wide for a phone on one line: the third goes on the next
    symbolic = [
        TIMES.join([d("E", f"{OUT}_{{{me}}}"), d(f"{OUT}_{{{me}}}", f"{NET}_{{{me}}}")]),
        rf"\quad {TIMES.strip()} {d(f'{NET}_{{{me}}}', w)}",
    ]
    if p.layer == "output":
        own = output_side(network, fwd, back, p.neuron)
        if OUTPUT_UNITS[network.output].elementwise:
            k = p.neuron
            numbers = [tex(back.error_slope[k]), tex(back.output_jacobian[k, k]), tex(source_value)]
            result = derivation(d("E", w), symbolic, chained(numbers, TIMES), grad)
            return Chain([], [*own[:2], input_block], result)
        # Softmax: δ_ok already sums every output's ∂E/∂out, shown first.
        via_delta = TIMES.join([d("E", f"{NET}_{{{me}}}"), d(f"{NET}_{{{me}}}", w)])
        numbers = [tex(back.output_delta[p.neuron]), tex(source_value)]
        result = derivation(d("E", w), via_delta, chained(numbers, TIMES), grad)
        slopes = [side[:1] for side in _sides(network, fwd, back)]
        return Chain(slopes, [own[-1], input_block], result)
    j = p.neuron
    outputs = range(len(network.targets))
    hidden_error = derivation(
        d("E", f"{OUT}_{{{me}}}"),
        chained(
            [rf"\delta_{{o{k + 1}}}\, {weight_symbol(network, 'output', k, j)}" for k in outputs]
        ),
        chained(
            [
                f"{tex(back.output_delta[k])}{TIMES}{tex(network.output_weights[k, j])}"
                for k in outputs
            ]
        ),
        tex(back.hidden_error[j], False),
    )
    f = applied(network.hidden_activation)
    slope = derivation(
        d(f"{OUT}_{{{me}}}", f"{NET}_{{{me}}}"),
        f"{f}'({NET}_{{{me}}})",
        f"{f}'({tex(fwd.hidden_net[j], False)})",
        tex(back.hidden_slope[j], False),
    )
    numbers = [tex(back.hidden_error[j]), tex(back.hidden_slope[j]), tex(source_value)]
    result = derivation(d("E", w), symbolic, chained(numbers, TIMES), grad)
    return Chain(_sides(network, fwd, back), [hidden_error, slope, input_block], result)


def _sides(network: Network, fwd: Forward, back: Backward) -> list[list[str]]:
    return [output_side(network, fwd, back, k) for k in range(len(network.targets))]


def update_latex(network: Network, back: Backward, p: Parameter) -> str:
    """w⁺ = w − η·∂E/∂w with the numbers; a fixed bias says it stays."""
    old, grad = network.value(p), back.gradient(p)
    if p.is_bias and not network.update_biases:
        return (
            rf"{p.symbol}^{{+}} = {p.symbol} = {tex(old, False)} \quad \text{{(biases stay fixed)}}"
        )
    with np.errstate(all="ignore"):
        new = old - network.eta * grad
    return derivation(
        f"{p.symbol}^{{+}}",
        rf"{p.symbol} - \eta{TIMES}{d('E', p.symbol)}",
        f"{tex(old, False)} - {tex(network.eta)}{TIMES}{tex(grad)}",
        tex(new, False),
    )


def activation_rule(network: Network) -> str:
    """The hidden activation's slope rule, a′(z), as the textbook writes it."""
    return ACTIVATIONS[network.hidden_activation].derivative_latex
