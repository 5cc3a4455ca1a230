"""Plotly figures for the Draw a Digit page: pure functions, data in, ``go.Figure`` out.

Fonts are large because the page is shown on a projector; every figure states what a colour
or a bar means in its title or hover text, so a student can read it without the lecturer.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go

from nncore.mosaic import tile_mosaic
from nncore.style import INK_COLOUR as INK
from nncore.style import WINNER_COLOUR as WINNER
from nncore.style import font, title, title_margin

MAX_FEATURE_MAPS = 16  # a grid of 4x4 maps per convolution layer stays readable


def probability_bars(probabilities: np.ndarray, present: bool = False) -> go.Figure:
    """The ten class probabilities as bars, the winning digit highlighted, percentages on top."""
    probabilities = np.asarray(probabilities, dtype=float)
    winner = int(np.argmax(probabilities))
    figure = go.Figure(
        go.Bar(
            x=[str(d) for d in range(10)],
            y=probabilities * 100,
            marker_color=[WINNER if d == winner else INK for d in range(10)],
            text=[f"{p:.0%}" if p >= 0.005 else "" for p in probabilities],
            textposition="outside",
            hovertemplate="digit %{x}: %{y:.1f}%<extra></extra>",
        )
    )
    figure.update_layout(
        title="Probability of each digit",
        font=font(present),
        height=360,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        yaxis={"title": "%", "range": [0, 115]},
        xaxis={"title": "digit", "type": "category"},
        showlegend=False,
    )
    return figure


def input_pixels(x: np.ndarray, present: bool = False) -> go.Figure:
    """The 28x28 input enlarged, one visible square per pixel, white ink on black as drawn."""
    x = np.asarray(x, dtype=float).reshape(28, 28)
    figure = go.Figure(
        go.Heatmap(
            z=x,
            colorscale="gray",
            zmin=0,
            zmax=1,
            xgap=1,
            ygap=1,
            showscale=False,
            hovertemplate="row %{y}, column %{x}: %{z:.2f}<extra></extra>",
        )
    )
    heading = "28 × 28 numbers from 0 (black) to 1 (white)"  # two lines: one was cut at 1280
    figure.update_layout(
        title=title(heading, present),
        font=font(present),
        height=350 + title_margin(heading, present),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        plot_bgcolor="#444",
        xaxis={"visible": False, "constrain": "domain"},
        yaxis={
            "visible": False,
            "autorange": "reversed",
            "scaleanchor": "x",
            "constrain": "domain",
        },
    )
    return figure


def feature_maps(
    name: str, activation: np.ndarray, limit: int = MAX_FEATURE_MAPS, present: bool = False
) -> go.Figure:
    """The first ``limit`` feature maps of a convolution layer, each as a small heat map.

    Bright means the filter found its pattern there. One shared colour range per layer, so
    a strong map and a weak map can be compared.
    """
    maps = np.asarray(activation, dtype=float)
    shown = min(limit, maps.shape[-1])
    columns = min(8, shown)
    rows = math.ceil(shown / columns)
    top = float(maps[..., :shown].max()) or 1.0
    picture, which = tile_mosaic(np.moveaxis(maps[..., :shown], -1, 0), columns)
    figure = go.Figure(
        go.Heatmap(
            z=picture,
            customdata=which,
            colorscale="viridis",
            zmin=0,
            zmax=top,
            showscale=False,
            hoverongaps=False,
            hovertemplate="map %{customdata}: %{z:.2f}<extra></extra>",
        )
    )
    figure.update_xaxes(visible=False, constrain="domain")
    figure.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", constrain="domain")
    height, width = maps.shape[:2]
    heading = f"{name}: {shown} of {maps.shape[-1]} feature maps, {height} × {width} each"
    figure.update_layout(
        title=title(heading, present),
        font=font(present),
        height=title_margin(heading, present) + 130 * rows,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        plot_bgcolor="white",
    )
    return figure


def dense_bars(name: str, activation: np.ndarray, present: bool = False) -> go.Figure:
    """A dense layer's outputs as one bar per unit (how strongly each neuron fires)."""
    values = np.asarray(activation, dtype=float).ravel()
    figure = go.Figure(
        go.Bar(
            x=np.arange(1, len(values) + 1),
            y=values,
            marker_color=INK,
            hovertemplate="neuron %{x}: %{y:.3f}<extra></extra>",
        )
    )
    heading = f"{name}: the output of each of its {len(values)} neurons"
    figure.update_layout(
        title=title(heading, present),
        font=font(present),
        height=260 + title_margin(heading, present),
        margin={"l": 60, "r": 20, "t": 10, "b": 50},
        xaxis={"title": "neuron"},
        yaxis={"title": "activation"},
    )
    return figure


# An activation's number of axes says what kind of layer made it: (H, W, C) maps or (units,).
_BY_NDIM: dict[int, Callable[..., go.Figure]] = {3: feature_maps, 1: dense_bars}


def activation_figure(name: str, activation: np.ndarray, present: bool = False) -> go.Figure | None:
    """The right picture for one layer's activation, or ``None`` for a shape we do not draw."""
    builder = _BY_NDIM.get(np.ndim(activation))
    return builder(name, activation, present=present) if builder else None
