"""The η number line beside the learning-rate control: where the chosen η sits between the
best fixed step η* = 2/(L+μ) and the edge 2/L past which plain gradient descent diverges.

Every label has its own place, so none is cut off at the figure's edge or lands on a tick:
threshold names above the line (η* leaning left, 2/L leaning right, since the two can almost
coincide), the chosen η and the "diverges" zone below it, tick numbers at the bottom. The range
leaves room on both sides for the labels that lean outwards.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from nncore.descent.theory import Theory
from nncore.optimizers import OPTIMIZERS
from nncore.style import font

DIVERGE_FILL = "#b2182b"  # a dark red, apart from every optimizer's colour
MARK = "#555555"
ABOVE, BELOW = 0.45, -0.45  # label rows, in the figure's y units (the line is y = 0)


def _log_range(eta: float, info: Theory) -> tuple[float, float]:
    """log10 of the x range: every value with room around it, and the diverging zone at
    least a third of the line so its label fits."""
    values = [math.log10(v) for v in (eta, info.eta_best, info.eta_max)]
    low, high = min(values) - 0.6, max(values) + 0.6
    edge = math.log10(info.eta_max)
    high = max(high, (edge - low / 3) / (2 / 3))  # (high − edge) ≥ (high − low) / 3
    return low, high


def eta_scale_figure(eta: float, info: Theory, present: bool = False) -> go.Figure:
    """The number line (log scale) with η, η* and 2/L, and the zone where SGD diverges."""
    low, high = _log_range(eta, info)
    small = font(present, 0.85)
    fig = go.Figure()
    fig.add_vrect(
        x0=info.eta_max,
        x1=10**high,
        fillcolor=DIVERGE_FILL,
        opacity=0.12,
        line_width=0,
        layer="below",
    )
    marks = (("η*", info.eta_best, "right"), ("2/L", info.eta_max, "left"))
    close = abs(math.log10(info.eta_max / info.eta_best)) < 0.4
    for name, value, lean in marks:
        fig.add_trace(
            go.Scatter(
                x=[value],
                y=[0],
                mode="markers",
                hoverinfo="skip",
                showlegend=False,
                marker={"symbol": "line-ns-open", "size": 30, "line": {"width": 3}, "color": MARK},
            )
        )
        fig.add_annotation(
            x=math.log10(value),
            y=ABOVE,
            text=f"{name} = {value:.3g}",
            xanchor=lean if close else "center",
            yanchor="bottom",
            showarrow=False,
            font=small,
        )
    diverges = eta > info.eta_max
    fig.add_annotation(
        x=math.log10(eta),
        y=BELOW,
        yanchor="top",
        showarrow=False,
        font=small,
        text="your η: diverges" if diverges else "your η",
    )
    if not diverges:
        fig.add_annotation(
            x=high,
            y=BELOW,
            xanchor="right",
            yanchor="top",
            showarrow=False,
            text="diverges",
            font={**small, "color": DIVERGE_FILL},
        )
    fig.add_trace(
        go.Scatter(
            x=[eta],
            y=[0],
            mode="markers",
            showlegend=False,
            name="your η",
            marker={
                "size": 18,
                "color": OPTIMIZERS["sgd"].color,
                "line": {"width": 2, "color": "white"},
            },
            hovertemplate="η = %{x:.3g}<extra></extra>",
        )
    )
    fig.update_layout(
        height=round(170 * (1.3 if present else 1)),
        margin={"l": 12, "r": 12, "t": 6, "b": 6},
        font=small,
        xaxis={
            "type": "log",
            "range": [low, high],
            "showgrid": False,
            "zeroline": False,
            "dtick": 1 if high - low <= 4 else 2,
            "ticks": "outside",
            "title": None,
            "fixedrange": True,
        },
        yaxis={"visible": False, "range": [-1.2, 1.3], "fixedrange": True},
        plot_bgcolor="white",
    )
    return fig
