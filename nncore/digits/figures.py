"""Plotly figures for the Draw a Digit page: pure functions, data in, ``go.Figure`` out.

Fonts are large because the page is shown on a projector; every figure states what a colour
or a bar means in its title or hover text, so a student can read it without the lecturer.

Every stroke redraws these figures for the student who drew it, on the server's one core, so
each is built in one step: its layout (shapes included) is written as data and handed to
``go.Figure`` with the traces. Plotly's ``update_layout`` parses and validates every key path
again, and took most of a figure's time (``benchmarks/README.md``, "Server CPU per
interaction").
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go

from nncore.mosaic import tile_mosaic, tile_origin
from nncore.style import INK_COLOUR as INK
from nncore.style import WINNER_COLOUR as WINNER
from nncore.style import font, outline_shape, title, title_margin

MAX_FEATURE_MAPS = 16  # a grid of 4x4 maps per convolution layer stays readable
# A picture's axes: none shown, square pixels, row 0 at the top (as the digit is drawn).
PICTURE_AXES = {
    "xaxis": {"visible": False, "constrain": "domain"},
    "yaxis": {"visible": False, "autorange": "reversed", "scaleanchor": "x", "constrain": "domain"},
}


def probability_bars(probabilities: np.ndarray, present: bool = False) -> go.Figure:
    """The ten class probabilities as bars, the winning digit highlighted, percentages on top."""
    probabilities = np.asarray(probabilities, dtype=float)
    winner = int(np.argmax(probabilities))
    return go.Figure(
        go.Bar(
            x=[str(d) for d in range(10)],
            y=probabilities * 100,
            marker_color=[WINNER if d == winner else INK for d in range(10)],
            text=[f"{p:.0%}" if p >= 0.005 else "" for p in probabilities],
            textposition="outside",
            hovertemplate="digit %{x}: %{y:.1f}%<extra></extra>",
        ),
        {
            "title": "Probability of each digit",
            "font": font(present),
            "height": 360,
            "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
            "yaxis": {"title": "%", "range": [0, 115]},
            "xaxis": {"title": "digit", "type": "category"},
            "showlegend": False,
        },
    )


def input_pixels(x: np.ndarray, present: bool = False) -> go.Figure:
    """The 28x28 input enlarged, one visible square per pixel, white ink on black as drawn."""
    x = np.asarray(x, dtype=float).reshape(28, 28)
    heading = "28 × 28 numbers from 0 (black) to 1 (white)"  # two lines: one was cut at 1280
    return go.Figure(
        go.Heatmap(
            z=x,
            colorscale="gray",
            zmin=0,
            zmax=1,
            xgap=1,
            ygap=1,
            showscale=False,
            hovertemplate="row %{y}, column %{x}: %{z:.2f}<extra></extra>",
        ),
        {
            "title": title(heading, present),
            "font": font(present),
            "height": 350 + title_margin(heading, present),
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "plot_bgcolor": "#444",
            **PICTURE_AXES,
        },
    )


def feature_maps(
    name: str,
    activation: np.ndarray,
    limit: int = MAX_FEATURE_MAPS,
    present: bool = False,
    clickable: bool = False,
    mark: tuple[int, int, int] | None = None,
) -> go.Figure:
    """The first ``limit`` feature maps of a convolution layer, each as a small heat map.

    Bright means the filter found its pattern there. One shared colour range per layer, so
    a strong map and a weak map can be compared. ``clickable`` lays an invisible point on
    each map (plotly selects points, not heat-map cells), carrying (map from 1, row, column)
    of its strongest pixel for the page to open up; ``mark`` rings one pixel, (map from 0,
    row, column).
    """
    maps = np.asarray(activation, dtype=float)
    shown = min(limit, maps.shape[-1])
    columns = min(8, shown)
    rows = math.ceil(shown / columns)
    top = float(maps[..., :shown].max()) or 1.0
    picture, which = tile_mosaic(np.moveaxis(maps[..., :shown], -1, 0), columns)
    height, width = maps.shape[:2]
    traces: list[go.BaseTraceType] = [
        go.Heatmap(
            z=picture,
            customdata=which,
            colorscale="viridis",
            zmin=0,
            zmax=top,
            showscale=False,
            hoverongaps=False,
            hovertemplate="map %{customdata}: %{z:.2f}<extra></extra>",
            hoverinfo="skip" if clickable else None,
        )
    ]
    if clickable:
        traces.append(_map_points(maps[..., :shown], columns))
    shapes = []
    if mark is not None and mark[0] < shown:
        row, column = tile_origin(mark[0], columns, height, width)
        shapes.append(_ring(row + mark[1], column + mark[2], WINNER, 2))
    heading = f"{name}: {shown} of {maps.shape[-1]} feature maps, {height} × {width} each"
    layout = {
        "title": title(html.escape(heading), present),
        "font": font(present),
        "height": title_margin(heading, present) + 130 * rows,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "plot_bgcolor": "white",
        "showlegend": False,
        **PICTURE_AXES,
        "shapes": shapes,
        # a click picks the pixel under the pointer, never a neighbour's
        "hovermode": "closest",
        "clickmode": "event+select",
        "dragmode": False,
    }
    if clickable:
        # The point nearest the pointer, however far: a click anywhere on a map picks it.
        layout["hoverdistance"] = -1
    return go.Figure(traces, layout)


def _map_points(maps: np.ndarray, columns: int) -> go.Scatter:
    """One invisible point on the centre of each map of the mosaic, carrying (map from 1, row,
    column, value) of its strongest pixel: a click on a map opens it there, and the large map
    below picks the exact pixel. (A point on every pixel made each stroke's answer ten times
    heavier, for pixels a few screen pixels wide.)"""
    height, width, count = maps.shape
    band_rows, band_cols = divmod(np.arange(count), columns)
    flat = maps.reshape(height * width, count)
    rows, cols = divmod(np.argmax(flat, axis=0), width)
    return go.Scatter(
        x=band_cols * (width + 1) + (width - 1) / 2,
        y=band_rows * (height + 1) + (height - 1) / 2,
        mode="markers",
        marker={"size": 6, "color": "rgba(0,0,0,0)"},
        customdata=np.stack([np.arange(count) + 1, rows, cols, flat.max(axis=0)], axis=-1),
        hovertemplate="map %{customdata[0]}: click to open it up<extra></extra>",
        selected={"marker": {"opacity": 0}},
        unselected={"marker": {"opacity": 0}},
    )


def _pixel_points(maps: np.ndarray, columns: int, first: int = 0) -> go.Scatter:
    """One invisible point on the centre of every pixel of the mosaic, with its map (from 1;
    the first is map ``first`` + 1), row, column and value: what a click on a feature map
    selects and the hover text reads."""
    height, width, count = maps.shape
    index, rows, cols = np.meshgrid(
        np.arange(count), np.arange(height), np.arange(width), indexing="ij"
    )
    band_rows, band_cols = divmod(index, columns)
    values = np.moveaxis(maps, -1, 0)
    return go.Scatter(
        x=(band_cols * (width + 1) + cols).ravel(),
        y=(band_rows * (height + 1) + rows).ravel(),
        mode="markers",
        marker={"size": 6, "color": "rgba(0,0,0,0)"},
        customdata=np.stack([index + first + 1, rows, cols, values], axis=-1).reshape(-1, 4),
        hovertemplate="map %{customdata[0]}, row %{customdata[1]}, column %{customdata[2]}: "
        "%{customdata[3]:.3f}<extra>click to open it up</extra>",
        selected={"marker": {"opacity": 0}},
        unselected={"marker": {"opacity": 0}},
    )


def single_map(
    values: np.ndarray, channel: int, heading: str, mark: tuple[int, int], present: bool = False
) -> go.Figure:
    """One feature map large, its chosen pixel ringed, every pixel clickable: the precise way
    to pick a pixel (the mosaic's pixels are a few screen pixels wide)."""
    values = np.asarray(values, dtype=float)
    rows, columns = values.shape
    layout = _square_layout(heading, rows, columns, present, [_ring(*mark, WINNER, 3)])
    return go.Figure(
        [
            go.Heatmap(
                z=values,
                colorscale="viridis",
                zmin=min(0.0, float(values.min())),  # tanh and gelu maps go below 0
                zmax=float(values.max()) or 1.0,
                showscale=False,
                hoverinfo="skip",
            ),
            _pixel_points(values[..., None], 1, channel),
        ],
        {**layout, "clickmode": "event+select", "dragmode": False, "hovermode": "closest"},
    )


def _ring(row: float, column: float, colour: str, width: int) -> dict:
    """A square outline around cell (row, column) of a heat map, as a layout shape."""
    return outline_shape(column - 0.5, column + 0.5, row - 0.5, row + 0.5, colour, width)


def _square_layout(
    heading: str, rows: int, columns: int, present: bool, shapes: list[dict]
) -> dict:
    """A map's layout: square cells, row 0 at the top, no axes, the title above."""
    return {
        "title": title(html.escape(heading), present),
        "font": font(present),
        "height": (420 if present else 320) + title_margin(heading, present),
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "plot_bgcolor": "#444",
        "showlegend": False,
        "xaxis": {"visible": False, "constrain": "domain", "range": [-0.5, columns - 0.5]},
        "yaxis": {
            "visible": False,
            "range": [rows - 0.5, -0.5],
            "scaleanchor": "x",
            "constrain": "domain",
        },
        "shapes": shapes,
    }


def window_figure(
    inputs: np.ndarray,
    top: int,
    left: int,
    size: tuple[int, int],
    heading: str,
    picture: bool,
    mark: tuple[int, int] | None = None,
    present: bool = False,
) -> go.Figure:
    """The map a layer reads (one channel), with the window a pixel's arithmetic reads ringed
    (the part inside the map; 'same' padding lies outside it). ``picture``: the 28 × 28 input,
    drawn as the drawing is (grey, 0 to 1); else a feature map in the maps' colours. ``mark``
    rings one cell inside the window (the largest, for pooling)."""
    inputs = np.asarray(inputs, dtype=float)
    rows, columns = inputs.shape
    r0, r1 = max(top, 0), min(top + size[0], rows)
    c0, c1 = max(left, 0), min(left + size[1], columns)
    shapes = [outline_shape(c0 - 0.5, c1 - 0.5, r0 - 0.5, r1 - 0.5, WINNER, 3)]
    if mark is not None:
        shapes.append(_ring(top + mark[0], left + mark[1], "white", 2))
    return go.Figure(
        go.Heatmap(
            z=inputs,
            colorscale="gray" if picture else "viridis",
            zmin=0 if picture else min(0.0, float(np.nanmin(inputs))),
            zmax=1 if picture else (float(np.nanmax(inputs)) or 1.0),
            xgap=1 if rows <= 28 else 0,
            ygap=1 if rows <= 28 else 0,
            showscale=False,
            hovertemplate="row %{y}, column %{x}: %{z:.3f}<extra></extra>",
        ),
        _square_layout(heading, rows, columns, present, shapes),
    )


def dense_bars(name: str, activation: np.ndarray, present: bool = False) -> go.Figure:
    """A dense layer's outputs as one bar per unit (how strongly each neuron fires)."""
    values = np.asarray(activation, dtype=float).ravel()
    heading = f"{name}: the output of each of its {len(values)} neurons"
    return go.Figure(
        go.Bar(
            x=np.arange(1, len(values) + 1),
            y=values,
            marker_color=INK,
            hovertemplate="neuron %{x}: %{y:.3f}<extra></extra>",
        ),
        {
            "title": title(heading, present),
            "font": font(present),
            "height": 260 + title_margin(heading, present),
            "margin": {"l": 60, "r": 20, "t": 10, "b": 50},
            "xaxis": {"title": "neuron"},
            "yaxis": {"title": "activation"},
        },
    )


# An activation's number of axes says what kind of layer made it: (H, W, C) maps or (units,).
_BY_NDIM: dict[int, Callable[..., go.Figure]] = {3: feature_maps, 1: dense_bars}


def activation_figure(name: str, activation: np.ndarray, present: bool = False) -> go.Figure | None:
    """The right picture for one layer's activation, or ``None`` for a shape we do not draw."""
    builder = _BY_NDIM.get(np.ndim(activation))
    return builder(name, activation, present=present) if builder else None
