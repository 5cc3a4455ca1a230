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
from nncore.style import font, presenter_axes

DIVERGE_FILL = "#b2182b"  # a dark red, apart from every optimizer's colour
MARK = "#555555"
ABOVE, BELOW = 0.45, -0.45  # label rows, in the figure's y units (the line is y = 0)
DIVERGING_LABEL = "your η:<br>diverges"
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def tick_values(low: float, high: float) -> list[float]:
    """Tick numbers for a log line from 10**low to 10**high: 1, 2 and 5 in every decade when
    the line spans a couple of decades (powers of ten alone left '1' the only number on a
    short line), powers of ten on a longer one, every other power on a very long one."""
    span = high - low
    steps = (1, 2, 5) if span <= 3 else (1,)
    every = 1 if span <= 5 else 2
    values = [
        m * 10.0**k
        for k in range(math.floor(low), math.ceil(high) + 1)
        if k % every == 0
        for m in steps
    ]
    return [v for v in values if low <= math.log10(v) <= high]


def tick_text(value: float) -> str:
    """A tick's number as a student writes it: 0.05, 2, or 2·10⁻⁵ when it is that small."""
    if value >= 1e-3:
        return f"{value:g}"
    mantissa, exponent = f"{value:.0e}".split("e")
    power = f"10{str(int(exponent)).translate(SUPERSCRIPT)}"
    return power if mantissa == "1" else f"{mantissa}·{power}"


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
    # Gathered, then built once: it is redrawn at every move of η, and plotly's add_trace and
    # add_annotation re-validate the figure each time.
    zone = {
        "type": "rect",
        "xref": "x",
        "yref": "y domain",
        "x0": info.eta_max,
        "x1": 10**high,
        "y0": 0,
        "y1": 1,
        "fillcolor": DIVERGE_FILL,
        "opacity": 0.12,
        "line": {"width": 0},
        "layer": "below",
    }
    marks = (("η*", info.eta_best, "right"), ("2/L", info.eta_max, "left"))
    close = abs(math.log10(info.eta_max / info.eta_best)) < 0.4
    traces = [
        go.Scatter(
            x=[value],
            y=[0],
            mode="markers",
            hoverinfo="skip",
            showlegend=False,
            marker={"symbol": "line-ns-open", "size": 30, "line": {"width": 3}, "color": MARK},
        )
        for _, value, _ in marks
    ]
    notes = [
        {
            "x": math.log10(value),
            "y": ABOVE,
            "text": f"{name} = {value:.3g}",
            "xanchor": lean if close else "center",
            "yanchor": "bottom",
            "showarrow": False,
            "font": small,
        }
        for name, value, lean in marks
    ]
    diverges = eta > info.eta_max
    # Past the edge the label starts just right of the 2/L line, inside the red zone (centred
    # on the dot it sat across the line when η was just past the edge), on two short lines.
    notes.append(
        {
            "x": math.log10(info.eta_max) if diverges else math.log10(eta),
            "xanchor": "left" if diverges else "center",
            "xshift": 8 if diverges else 0,
            "y": BELOW,
            "yanchor": "top",
            "showarrow": False,
            "font": small,
            "text": DIVERGING_LABEL if diverges else "your η",
        }
    )
    if not diverges:
        notes.append(
            {
                "x": high,
                "y": BELOW,
                "xanchor": "right",
                "yanchor": "top",
                "showarrow": False,
                "text": "diverges",
                "font": {**small, "color": DIVERGE_FILL},
            }
        )
    traces.append(
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
    ticks = tick_values(low, high)
    layout = {
        "height": round(170 * (1.3 if present else 1)),
        "margin": {"l": 12, "r": 12, "t": 6, "b": 6},
        "font": small,
        "xaxis": {
            "type": "log",
            "range": [low, high],
            "showgrid": False,
            "zeroline": False,
            "tickvals": ticks,
            "ticktext": [tick_text(value) for value in ticks],
            "ticks": "outside",
            "title": None,
            "fixedrange": True,
        },
        "yaxis": {"visible": False, "range": [-1.2, 1.3], "fixedrange": True},
        "plot_bgcolor": "white",
        "shapes": [zone],
        "annotations": notes,
    }
    fig = go.Figure(traces, layout)
    return presenter_axes(fig, present)
