"""The forward and backward passes as tables: every neuron's numbers, every weight's gradient.

Cells are text with nine significant digits, enough to check each number against the
textbook's published values (a table of floats would round them to a few decimals). What is
not a number says so in words: NaN, ∞.
"""

from __future__ import annotations

import math

import pandas as pd

from nncore.backprop.network import Network
from nncore.backprop.passes import Backward, Forward


def number(value: float) -> str:
    """A table cell: nine significant digits, or a word for what is not a number."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:.9g}"


def forward_table(network: Network, fwd: Forward) -> pd.DataFrame:
    """Every neuron's weighted sum and output, each output's target and error, and E_total."""
    blank = {"net (weighted sum)": "", "out": "", "target": "", "error": ""}
    rows = [
        {"neuron": f"i{i + 1}", **blank, "out": number(x)} for i, x in enumerate(network.inputs)
    ]
    rows += [
        {"neuron": f"h{j + 1}", **blank, "net (weighted sum)": number(z), "out": number(a)}
        for j, (z, a) in enumerate(zip(fwd.hidden_net, fwd.hidden_out, strict=True))
    ]
    for k, target in enumerate(network.targets):
        rows.append(
            {
                "neuron": f"o{k + 1}",
                "net (weighted sum)": number(fwd.output_net[k]),
                "out": number(fwd.output_out[k]),
                "target": number(target),
                "error": number(fwd.errors[k]),
            }
        )
    rows.append({"neuron": "E_total", **blank, "error": number(fwd.total)})
    return pd.DataFrame(rows)


def delta_table(network: Network, back: Backward) -> pd.DataFrame:
    """Per neuron, output side first: ∂E/∂out, ∂out/∂net and δ = ∂E/∂net.

    For softmax outputs ∂out/∂net is the diagonal entry only; δ then also sums the other
    outputs' share (the page says so).
    """
    rows = [
        {
            "neuron": f"o{k + 1}",
            "∂E/∂out": number(back.error_slope[k]),
            "∂out/∂net": number(back.output_jacobian[k, k]),
            "δ = ∂E/∂net": number(back.output_delta[k]),
        }
        for k in range(len(network.targets))
    ]
    rows += [
        {
            "neuron": f"h{j + 1}",
            "∂E/∂out": number(back.hidden_error[j]),
            "∂out/∂net": number(back.hidden_slope[j]),
            "δ = ∂E/∂net": number(back.hidden_delta[j]),
        }
        for j in range(len(network.hidden_biases))
    ]
    return pd.DataFrame(rows)


def gradient_table(network: Network, back: Backward) -> pd.DataFrame:
    """Every weight and bias: its value and ∂E/∂w = δ of the neuron it feeds × what it
    multiplies."""
    return pd.DataFrame(
        {
            "weight": p.plain,
            "from → to": f"{p.from_name} → {p.to_name}",
            "value": number(network.value(p)),
            "∂E/∂w": number(back.gradient(p)),
        }
        for p in network.parameters
    )


def update_table(network: Network, after: Network) -> pd.DataFrame:
    """Every weight and bias before and after one update, and the step −η·∂E/∂w between."""
    rows = []
    for p in network.parameters:
        old, new = network.value(p), after.value(p)
        rows.append(
            {
                "weight": p.plain,
                "value": number(old),
                "step −η·∂E/∂w": number(new - old) if math.isfinite(new) else number(new),
                "new value": number(new),
            }
        )
    return pd.DataFrame(rows)
