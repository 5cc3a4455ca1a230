"""The single neuron's activation curve, with this neuron's weighted sum and output marked."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nncore.activations import ACTIVATIONS
from nncore.style import font, presenter_axes

CURVE_COLOUR = "#0072B2"
MARK_COLOUR = "#D55E00"


def neuron_curve(activation: str, z: float, present: bool = False) -> go.Figure:
    """The activation function over z, with the neuron's (z, a) point and a guide line."""
    function = ACTIVATIONS[activation]
    span = max(6.0, abs(z) + 1.0)
    zs = np.linspace(-span, span, 400)
    output = function(z)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=zs,
            y=function(zs),
            mode="lines",
            name=activation,
            line={"width": 4, "color": CURVE_COLOUR},
        )
    )
    # The label sits on the side with room, so it never runs off the plot.
    fig.add_trace(
        go.Scatter(
            x=[z],
            y=[output],
            mode="markers+text",
            name="this neuron",
            marker={"size": 18, "color": MARK_COLOUR},
            text=[f"z = {z:.2f}, a = {output:.3f}"],
            textposition="middle left" if z > 0 else "middle right",
        )
    )
    fig.add_vline(x=z, line_dash="dot", line_color=MARK_COLOUR)
    fig.update_layout(
        title=f"{activation}(z)",
        showlegend=False,
        xaxis_title="z (weighted sum)",
        yaxis_title="output",
        height=round(380 * (1.25 if present else 1)),
        font=font(present),
        margin={"l": 20, "r": 20, "t": 50, "b": 20},
    )
    return presenter_axes(fig, present)
