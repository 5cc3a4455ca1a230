"""Softmax opened up: from the last layer's ten numbers to the ten probabilities, by the numbers.

The network's last layer computes ten weighted sums (the logits, z). Softmax turns them into
probabilities: p_k = e^(z_k / T) / Σ_j e^(z_j / T). At temperature T = 1 that is exactly what
the network answers; a lower T sharpens the answer towards the largest logit, a higher T
flattens it towards 10% each. The temperature is a lesson, never the network's answer.

The exponentials are taken of z − max(z): the same probabilities (the common factor cancels
in the fraction), and numbers a person can read instead of e^80. Pure numpy and plotly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from nncore.style import INK_COLOUR, WINNER_COLOUR, font


@dataclass(frozen=True)
class SoftmaxSteps:
    """Every number of softmax for one answer: the logits, the shifted and scaled logits the
    exponentials are taken of, the exponentials, their sum and the probabilities."""

    logits: np.ndarray
    temperature: float
    scaled: np.ndarray  # (z − max z) / T
    exponentials: np.ndarray  # e^scaled
    total: float
    probabilities: np.ndarray


def softmax_steps(logits: np.ndarray, temperature: float = 1.0) -> SoftmaxSteps:
    """Softmax of ``logits`` at ``temperature``, keeping every intermediate number."""
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    z = np.asarray(logits, dtype=np.float64)
    scaled = (z - z.max()) / temperature
    exponentials = np.exp(scaled)
    total = float(exponentials.sum())
    return SoftmaxSteps(z, float(temperature), scaled, exponentials, total, exponentials / total)


def steps_table(steps: SoftmaxSteps) -> list[dict[str, str]]:
    """One row a digit, as the page shows the arithmetic (strings, formatted to be read)."""
    return [
        {
            "digit": str(digit),
            "logit z": f"{z:.3f}",
            "(z − max z) / T": f"{s:.3f}",
            "e^(…)": f"{e:.4g}",
            "÷ sum = probability": f"{p:.2%}",
        }
        for digit, (z, s, e, p) in enumerate(
            zip(steps.logits, steps.scaled, steps.exponentials, steps.probabilities, strict=True)
        )
    ]


def temperature_bars(logits: np.ndarray, temperature: float, present: bool = False) -> go.Figure:
    """The probabilities at ``temperature`` as bars, beside the network's own (T = 1) as
    outlines, so sharpening and flattening show against the real answer."""
    real = softmax_steps(logits, 1.0).probabilities
    shown = softmax_steps(logits, temperature).probabilities
    winner = int(np.argmax(real))
    digits = [str(d) for d in range(len(real))]
    return go.Figure(
        [
            go.Bar(
                x=digits,
                y=shown * 100,
                name=f"T = {temperature:g}",
                marker_color=[WINNER_COLOUR if d == winner else INK_COLOUR for d in range(10)],
                hovertemplate="digit %{x}: %{y:.1f}%<extra>T = " + f"{temperature:g}</extra>",
            ),
            go.Scatter(
                x=digits,
                y=real * 100,
                name="the network (T = 1)",
                mode="markers",
                marker={"symbol": "line-ew-open", "size": 28, "line": {"width": 3}},
                hovertemplate="digit %{x}: %{y:.1f}% at T = 1<extra></extra>",
            ),
        ],
        {  # the layout given whole: plotly's update_layout costs a stroke several times more
            "title": f"Probabilities at temperature T = {temperature:g}",
            "font": font(present),
            "height": 360,
            "yaxis": {"title": "probability (%)", "range": [0, 105]},
            "xaxis": {"title": "digit"},
            "legend": {"orientation": "h", "y": -0.25},
            "margin": {"t": 60, "b": 40, "l": 60, "r": 20},
        },
    )
