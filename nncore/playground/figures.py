"""The playground's figures: the plane with the network's answer and the points, the network
drawn as columns of heatmaps joined by its weights, and the loss curves.

Pure functions of numpy data; the page only shows them. Heatmaps travel as PNG images (see
``colours``) so a redraw five times a second stays small.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nncore.playground.colours import (
    CLASS_COLOURS,
    NEGATIVE,
    POSITIVE,
    class_image,
    png_uri,
    value_image,
)
from nncore.playground.datasets import RADIUS, Points
from nncore.style import TEST_COLOUR, TRAIN_COLOUR, font

MAX_CURVE_POINTS = 400  # a loss curve drawn with more points looks no different
CLICK_GRID = 31  # clickable places across the plane (every 0.4)
CLICK_TRACE = "click"  # the trace a click on the plane lands on
NEURON_TRACE = "neurons"  # the trace a click on a neuron lands on


def _plane_axes(present: bool) -> dict:
    axis = {"range": [-RADIUS, RADIUS], "zeroline": False, "showgrid": False, "dtick": 2}
    return {
        "xaxis": {**axis, "title": {"text": "x₁"}, "constrain": "domain"},
        "yaxis": {**axis, "title": {"text": "x₂"}, "scaleanchor": "x", "constrain": "domain"},
        "font": font(present),
        "margin": {"l": 50, "r": 10, "t": 10, "b": 45},
        "plot_bgcolor": "white",
        "showlegend": False,
        "clickmode": "event+select",
        "dragmode": False,
        "hovermode": "closest",
    }


def _points_traces(points: Points, test: bool) -> list[go.Scatter]:
    """One trace per class (or one coloured by value): training points filled, test ringed."""
    outline = {"color": "black", "width": 1.5} if test else {"color": "white", "width": 1}
    name = "test" if test else "training"
    common = {"mode": "markers", "hoverinfo": "skip", "name": name}
    if points.classes == 0:
        marker = {"color": points.y, "cmin": -1, "cmax": 1, "size": 8, "line": outline,
                  "colorscale": [[0, NEGATIVE], [0.5, "#FFFFFF"], [1, POSITIVE]]}  # fmt: skip
        return [go.Scatter(x=points.x[:, 0], y=points.x[:, 1], marker=marker, **common)]
    traces = []
    for label in range(points.classes):
        rows = points.y == label
        marker = {"color": CLASS_COLOURS[label], "size": 8, "line": outline}
        traces.append(go.Scatter(x=points.x[rows, 0], y=points.x[rows, 1], marker=marker,
                                 **common))  # fmt: skip
    return traces


def click_targets() -> go.Scatter:
    """Invisible points all over the plane: plotly reports clicks on points, not on images."""
    axis = np.linspace(-RADIUS, RADIUS, CLICK_GRID)
    x1, x2 = (a.ravel() for a in np.meshgrid(axis, axis))
    return go.Scatter(
        x=np.round(x1, 2), y=np.round(x2, 2), mode="markers", name=CLICK_TRACE,
        marker={"size": 14, "color": "rgba(0,0,0,0)"},
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
        hovertemplate="(%{x:.1f}, %{y:.1f})<extra>click to add a point</extra>",
    )  # fmt: skip


def plane_figure(
    image: str | None,
    train: Points,
    test: Points | None,
    clickable: bool = True,
    present: bool = False,
) -> go.Figure:
    """The plane: the network's answer as background (a PNG, or none yet) and the points."""
    figure = go.Figure(layout=_plane_axes(present))
    if image is not None:
        figure.update_layout(images=[{
            "source": image, "xref": "x", "yref": "y", "x": -RADIUS, "y": RADIUS,
            "sizex": 2 * RADIUS, "sizey": 2 * RADIUS, "sizing": "stretch", "layer": "below",
        }])  # fmt: skip
    if clickable:
        figure.add_trace(click_targets())
    for trace in _points_traces(train, test=False):
        figure.add_trace(trace)
    if test is not None:
        for trace in _points_traces(test, test=True):
            figure.add_trace(trace)
    figure.update_layout(height=460 if present else 400)
    return figure


def answer_colours(output: np.ndarray, classes: int, discrete: bool) -> np.ndarray:
    """The network's answer over the grid (GRID × GRID × outputs) as colours."""
    if classes == 0:
        return value_image(output[..., 0], discrete=discrete)
    return class_image(output, discrete)


def boundary_image(output: np.ndarray, classes: int, discrete: bool) -> str:
    """The network's answer over the grid as the plane's background image (smoothed)."""
    return png_uri(answer_colours(output, classes, discrete), upscale=4)


def loss_figure(losses: list[tuple[int, float, float]], present: bool = False) -> go.Figure:
    """Training and test loss by epoch (the last value is in the legend)."""
    last_row = losses[-1] if losses else None
    rows = np.asarray(losses, float).reshape(-1, 3)
    if len(rows) > MAX_CURVE_POINTS:  # thousands of epochs: every k-th, and always the last
        keep = np.unique(np.r_[np.linspace(0, len(rows) - 1, MAX_CURVE_POINTS).astype(int)])
        rows = rows[keep]
    figure = go.Figure()
    for column, name, colour in ((1, "training", TRAIN_COLOUR), (2, "test", TEST_COLOUR)):
        last = f" {last_row[column]:.3f}" if last_row else ""
        figure.add_trace(go.Scatter(x=rows[:, 0], y=rows[:, column], mode="lines",
                                    name=f"{name}{last}", line={"color": colour, "width": 2}))  # fmt: skip
    figure.update_layout(
        height=220, font=font(present, 0.8), margin={"l": 50, "r": 10, "t": 10, "b": 40},
        xaxis={"title": {"text": "epoch"}, "rangemode": "tozero"},
        yaxis={"title": {"text": "loss"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )  # fmt: skip
    return figure
