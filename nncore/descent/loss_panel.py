"""The race panel: how far each optimizer's loss still is above the minimum, f − f*, against
step, on a log axis (every curve heads for zero, and a log axis shows how fast).

It sits beside the function view, or in a strip under the 3D view. It has no axis title: on a
phone one would not fit between the panels and landed on the contour plot. The panel is named
inside its top strip instead, which the axis range keeps free of curves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from nncore.descent.animation import at_step
from nncore.descent.explain import short_label
from nncore.descent.paths import Path
from nncore.optimizers import OPTIMIZERS
from nncore.style import font

FLOOR = 1e-16  # exact zeros sit on this floor of the log axis
GAP = 0.15  # between the panels: room for the loss axis's tick labels, even on a phone
LOSS_STRIP = 0.25  # under the 3D view the panel is the bottom quarter of the figure


def _trace(kind: str, **props) -> dict:
    return {"type": kind, **props}


def suboptimality(losses: np.ndarray, f_min: float) -> np.ndarray:
    """f(θ) − f(θ*), floored so a log axis can show an exact hit of the minimum."""
    return np.maximum(np.asarray(losses, dtype=float) - f_min, FLOOR)


def loss_traces(paths: Mapping[str, Path], f_min: float) -> list:
    """f − f* against step, one line per optimizer (drawn once, not per frame)."""
    return [
        _trace(
            "scatter",
            x=np.arange(path.steps + 1),
            y=suboptimality(path.losses, f_min),
            mode="lines",
            line={"color": OPTIMIZERS[key].color, "width": 3},
            name=short_label(key),
            legendgroup=key,
            showlegend=False,
            xaxis="x2",
            yaxis="y2",
            hovertemplate=f"step %{{x}}<br>f − f* = %{{y:.3g}}<extra>{short_label(key)}</extra>",
        )
        for key, path in paths.items()
    ]


def loss_now(paths: Mapping[str, Path], step: int, f_min: float) -> dict:
    """Where each optimizer is on its loss curve at ``step``."""
    return {
        "x": np.array([min(step, p.steps) for p in paths.values()], dtype=float),
        "y": suboptimality(at_step(paths, step, -1), f_min),
    }


def loss_style(paths: Mapping[str, Path], present: bool) -> dict:
    """The markers on the loss curves at the current step."""
    marker = {"color": [OPTIMIZERS[k].color for k in paths], "size": 16 if present else 13}
    return {
        "mode": "markers",
        "xaxis": "x2",
        "yaxis": "y2",
        "showlegend": False,
        "hoverinfo": "skip",
        "marker": marker,
    }


def loss_axes(
    steps: int, paths: Mapping[str, Path], f_min: float, present: bool, beside: float | None
) -> dict:
    """The panel's axes and its name: right of ``beside`` (the function view's share of the
    width), or, when None, across the full width at the bottom."""
    losses = [suboptimality(p.losses, f_min) for p in paths.values()]
    low = min((float(v.min()) for v in losses), default=1e-3)
    high = max((float(v.max()) for v in losses), default=1.0)
    headroom = max(0.3, 0.14 * (math.log10(high / low) + 0.3))  # the top eighth stays empty
    ticks = _decades(low, high, 5 if beside else 3)
    return {
        "xaxis2": {
            "domain": [beside + GAP, 1.0] if beside else [0.0, 1.0],
            "anchor": "y2",
            "title": {"text": "step"},
            "range": [0, max(steps, 1)],
        },
        "yaxis2": {
            "domain": [0.0, 1.0] if beside else [0.0, LOSS_STRIP],
            "anchor": "x2",
            "type": "log",
            "range": [math.log10(low) - 0.3, math.log10(high) + headroom],
            "tickvals": ticks,
            "ticktext": [_power_of_ten(t) for t in ticks],
            "tickfont": font(present, 0.8),
        },
        "annotations": [
            {
                "text": "f − f*",
                "xref": "x2 domain",
                "yref": "y2 domain",
                "x": 1.0,
                "y": 1.0,
                "xanchor": "right",
                "yanchor": "top",
                "showarrow": False,
                "font": font(present, 0.9),
            }
        ],
    }


def _decades(low: float, high: float, labels: int) -> list[float]:
    """Powers of ten for the loss axis: one per decade or per few (the 2s and 5s between are
    noise), none in the empty strip above the curves where the panel's name sits."""
    first, last = math.ceil(math.log10(low) - 0.3), math.floor(math.log10(high))
    step = max(1, math.ceil((last - first) / labels))
    return [10.0**k for k in range(last, first - 1, -step)]


def _power_of_ten(value: float) -> str:
    """1, 10, 10² …, as plotly's "power" format writes them (it does not for set ticks)."""
    k = round(math.log10(value))
    return {0: "1", 1: "10"}.get(k, f"10<sup>{k}</sup>".replace("-", "−"))
