"""The network drawn as TensorFlow Playground draws it: a column of small heatmaps per layer
(what each feature and each neuron computes over the plane), joined by lines whose thickness
is the weight's size and whose colour is its sign. Hovering a line shows its weight; clicking a
neuron selects it (the page then writes out its numbers).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from nncore.numbers import significant
from nncore.playground.backward import (
    Weight,
    delta_tiles,
    line_levels,
    unit_name,
    unit_tag,
    weight_name,
)
from nncore.playground.colours import NEGATIVE, POSITIVE, png_uri
from nncore.playground.figures import NEURON_TRACE
from nncore.style import font

COLUMN_GAP = 3.0  # from one layer's tiles to the next, in tile widths
ROW_GAP = 1.35
WIDTH_LEVELS = 5
TILE_PIXELS = 25  # a tile's side in the network picture  # line thicknesses drawn (one trace per thickness and sign)


def column_heights(counts: Sequence[int]) -> list[np.ndarray]:
    """The vertical centre of each tile, every column centred on 0, first tile on top."""
    return [((n - 1) / 2 - np.arange(n)) * ROW_GAP for n in counts]


def tiles_picture(
    columns: Sequence[Sequence[np.ndarray | None]],
    heights: list[np.ndarray],
    x_range: tuple[float, float],
    top: float,
) -> str:
    """All tiles (TILE × TILE × 3 arrays, None: blank) framed, on a transparent PNG that
    spans ``x_range`` × [−top, top] in the figure's coordinates."""
    width = int(round((x_range[1] - x_range[0]) * TILE_PIXELS))
    height = int(round(2 * top * TILE_PIXELS))
    picture = np.zeros((height, width, 4))
    for column, tiles in enumerate(columns):
        for row, tile in enumerate(tiles):
            x = column * COLUMN_GAP - 0.5 - x_range[0]
            y = heights[column][row] - 0.5 + top  # rows counted from the bottom, as png_uri wants
            left, bottom = int(round(x * TILE_PIXELS)), int(round(y * TILE_PIXELS))
            block = np.full((TILE_PIXELS, TILE_PIXELS, 4), 255.0)
            if tile is not None:
                block[..., :3] = _fit(tile, TILE_PIXELS)
            block[[0, -1], :, :3] = block[:, [0, -1], :3] = 136  # a grey frame
            picture[bottom : bottom + TILE_PIXELS, left : left + TILE_PIXELS] = block
    return png_uri(picture)


def _fit(tile: np.ndarray, size: int) -> np.ndarray:
    """A square tile resampled to ``size`` pixels a side (nearest neighbour: cheap and exact)."""
    index = np.arange(size) * tile.shape[0] // size
    return tile[index][:, index]


def neuron_name(layer: int, unit: int) -> str:
    """How the page names a hidden neuron: layer and position, counted from 1."""
    return f"neuron {layer + 1}.{unit + 1}"


def _connections(
    kernels: Sequence[np.ndarray], heights: list[np.ndarray], names, hover: bool = True
) -> list:
    """Line traces (grouped by sign and thickness) and, with ``hover``, one hover trace for
    every weight. The lines stand for the weights, or (backward view) their gradients."""
    levels = line_levels(kernels, WIDTH_LEVELS)
    groups: dict[tuple[bool, int], tuple[list, list]] = {}
    hover_x, hover_y, hover_text = [], [], []
    for column, kernel in enumerate(kernels):
        x0, x1 = column * COLUMN_GAP + 0.5, (column + 1) * COLUMN_GAP - 0.5
        for i, j in np.ndindex(kernel.shape):
            w = float(kernel[i, j])
            y0, y1 = heights[column][i], heights[column + 1][j]
            level = int(levels[column][i, j])
            xs, ys = groups.setdefault((w >= 0, level), ([], []))
            xs += [x0, x1, np.nan]  # a gap: each weight its own segment in one trace
            ys += [y0, y1, np.nan]
            hover_x.append(x0 + 0.3 * (x1 - x0))
            hover_y.append(y0 + 0.3 * (y1 - y0))
            hover_text.append(f"w = {w:.3f}<br>{names[column][i]} → {names[column + 1][j]}")
    traces = [
        go.Scatter(
            x=np.array(xs),
            y=np.array(ys),
            mode="lines",
            hoverinfo="skip",
            line={"color": POSITIVE if positive else NEGATIVE, "width": 0.6 + 1.2 * level},
        )
        for (positive, level), (xs, ys) in sorted(groups.items())
    ]
    if not hover:
        return traces
    traces.append(
        go.Scatter(
            x=np.array(hover_x),
            y=np.array(hover_y),
            mode="markers",
            text=hover_text,
            name="weights",
            marker={"size": 7, "color": "rgba(0,0,0,0)"},
            hovertemplate="%{text}<extra></extra>",
        )
    )
    return traces


def network_figure(
    feature_tiles: Sequence[tuple[str, np.ndarray]],
    hidden_tiles: Sequence[Sequence[np.ndarray | None]],
    output_tile: np.ndarray | None,
    kernels: Sequence[np.ndarray] | None,
    selected: tuple[int, int] | None = None,
    present: bool = False,
) -> go.Figure:
    """Features (label, tile), hidden layers (a tile per neuron), the output, and the weights.

    A tile is a TILE × TILE × 3 colour array (row 0 at the bottom of the plane), None: blank.

    ``kernels`` are the Dense kernels, inputs × units, from the features to the output (None
    before the first snapshot: the tiles are then blank and no lines are drawn).
    """
    counts = [len(feature_tiles), *(len(layer) for layer in hidden_tiles), 1]
    heights = column_heights(counts)
    names = [
        [label for label, _ in feature_tiles],
        *(
            [neuron_name(layer, unit) for unit in range(len(tiles))]
            for layer, tiles in enumerate(hidden_tiles)
        ),
        ["the output"],
    ]
    figure = go.Figure()
    if kernels is not None:
        # One tile stands for every output unit: each line is drawn as its strongest weight.
        last = kernels[-1]
        strongest = last[np.arange(len(last)), np.abs(last).argmax(axis=1)][:, None]
        drawn = [*kernels[:-1], strongest]
        for trace in _connections(drawn, heights, names):
            figure.add_trace(trace)
    unit_x, unit_y, custom, hover = [], [], [], []
    for layer, tiles in enumerate(hidden_tiles):
        for unit in range(len(tiles)):
            unit_x.append((layer + 1) * COLUMN_GAP)
            unit_y.append(heights[layer + 1][unit])
            custom.append([layer, unit])
            hover.append(f"{neuron_name(layer, unit)}: click for its numbers")
    if unit_x:
        outline = [2.5 if selected == (l, u) else 0 for l, u in custom]  # noqa: E741
        figure.add_trace(
            go.Scatter(
                x=unit_x,
                y=unit_y,
                mode="markers",
                name=NEURON_TRACE,
                customdata=custom,
                text=hover,
                marker={
                    "symbol": "square",
                    "size": 36,
                    "color": "rgba(0,0,0,0)",
                    "line": {"color": "black", "width": outline},
                },
                selected={"marker": {"opacity": 1}},
                unselected={"marker": {"opacity": 1}},
                hovertemplate="%{text}<extra></extra>",
            )
        )
    columns = [[tile for _, tile in feature_tiles], *hidden_tiles, [output_tile]]
    titles = ["features", *(f"layer {i + 1}" for i in range(len(hidden_tiles))), "output"]
    return _frame(figure, columns, heights, [label for label, _ in feature_tiles], titles, present)


def _frame(
    figure: go.Figure,
    columns: Sequence[Sequence[np.ndarray | None]],
    heights: list[np.ndarray],
    feature_labels: Sequence[str],
    titles: Sequence[str],
    present: bool,
    output_labels: Sequence[str] = (),
) -> go.Figure:
    """The tiles (one picture), the features' names (and the outputs', if given), the column
    titles and the layout that both drawings of the network share."""
    top = max(h.max() for h in heights) + 0.9
    last = (len(columns) - 1) * COLUMN_GAP
    x_range = (-1.6, last + (1.6 if output_labels else 0.7))
    # Every tile goes into one transparent picture: one layout image instead of dozens, which
    # plotly would validate one by one on every redraw (a second for a 6 × 8 network).
    images = [
        {
            "source": tiles_picture(columns, heights, x_range, top),
            "xref": "x",
            "yref": "y",
            "x": x_range[0],
            "y": top,
            "sizex": x_range[1] - x_range[0],
            "sizey": 2 * top,
            "sizing": "stretch",
            "layer": "above",
        }
    ]
    labels = [
        {
            "x": -0.6,
            "y": float(heights[0][row]),
            "text": label,
            "showarrow": False,
            "xanchor": "right",
            "font": font(present, 0.8),
        }
        for row, label in enumerate(feature_labels)
    ]
    labels += [
        {
            "x": last + 0.6,
            "y": float(heights[-1][row]),
            "text": label,
            "showarrow": False,
            "xanchor": "left",
            "font": font(present, 0.8),
        }
        for row, label in enumerate(output_labels)
    ]
    for column, title in enumerate(titles):
        labels.append(
            {
                "x": column * COLUMN_GAP,
                "y": top,
                "text": title,
                "showarrow": False,
                "font": font(present, 0.75),
            }
        )
    figure.update_layout(
        height=int((40 + 42 * 2 * top) * (1.3 if present else 1.0)),
        font=font(present, 0.8),
        margin={"l": 60, "r": 10, "t": 10, "b": 10},
        showlegend=False,
        plot_bgcolor="white",
        xaxis={"visible": False, "range": list(x_range)},
        yaxis={"visible": False, "range": [-top, top + 0.2], "scaleanchor": "x"},
        clickmode="event+select",
        dragmode=False,
        hovermode="closest",
        images=images,
        annotations=labels,
    )
    return figure


WEIGHT_TRACE = "weight dots"  # the backward view's clickable dot on every weight's line
SELECTED_TRACE = "selected weight"


def weight_dot(column: int, i: int, j: int, heights: list[np.ndarray]) -> tuple[float, float]:
    """Where a weight's clickable dot sits on its line: further along the more its unit is
    down its column, so two lines that cross never share a dot (midpoints would)."""
    x0, x1 = column * COLUMN_GAP + 0.5, (column + 1) * COLUMN_GAP - 0.5
    y0, y1 = heights[column][i], heights[column + 1][j]
    targets = len(heights[column + 1])
    t = 0.5 if targets == 1 else 0.3 + 0.4 * j / (targets - 1)
    return x0 + t * (x1 - x0), float(y0 + t * (y1 - y0))


def backward_figure(
    feature_tiles: Sequence[tuple[str, np.ndarray]],
    gradients: Sequence[np.ndarray],
    deltas: Sequence[np.ndarray],
    classes: int,
    selected: Weight | None = None,
    present: bool = False,
) -> go.Figure:
    """The network's backward pass: every line ∂loss/∂w (thickness its size, colour its
    sign), every neuron a flat tile coloured by its δ, one output tile per class.

    ``gradients`` are the kernels' gradients (inputs × units per Dense layer), ``deltas``
    each neuron's δ for the batch (per Dense layer). Each line carries a dot: a click on it
    selects the weight (its ``customdata`` is [layer, input, unit]); ``selected`` is drawn
    in black.
    """
    hidden_layers = len(gradients) - 1
    counts = [len(feature_tiles), *(len(layer) for layer in deltas)]
    heights = column_heights(counts)
    names = [
        [label for label, _ in feature_tiles],
        *(
            [unit_name(layer, unit, hidden_layers, classes) for unit in range(len(units))]
            for layer, units in enumerate(deltas)
        ),
    ]
    input_names = names[0]
    figure = go.Figure()
    for trace in _connections(gradients, heights, names, hover=False):
        figure.add_trace(trace)
    dot_x, dot_y, custom, hover = [], [], [], []
    for column, kernel in enumerate(gradients):
        for i, j in np.ndindex(kernel.shape):
            x, y = weight_dot(column, i, j, heights)
            dot_x.append(x)
            dot_y.append(y)
            custom.append([column, i, j])
            name = weight_name((column, i, j), input_names, hidden_layers, classes)
            hover.append(f"{name}<br>∂loss/∂w = {significant(float(kernel[i, j]), 3)}")
    if selected is not None:
        layer, i, j = selected
        x, y = weight_dot(layer, i, j, heights)
        figure.add_trace(
            go.Scatter(
                x=[layer * COLUMN_GAP + 0.5, (layer + 1) * COLUMN_GAP - 0.5],
                y=[heights[layer][i], heights[layer + 1][j]],
                mode="lines",
                name=SELECTED_TRACE,
                hoverinfo="skip",
                line={"color": "black", "width": 3, "dash": "dot"},
            )
        )
    dot_size = 11 if present else 9
    figure.add_trace(
        go.Scatter(
            x=dot_x,
            y=dot_y,
            mode="markers",
            name=WEIGHT_TRACE,
            customdata=custom,
            text=hover,
            marker={
                "size": [dot_size + 5 if selected == tuple(c) else dot_size for c in custom],
                "color": ["black" if selected == tuple(c) else "white" for c in custom],
                "line": {"color": "#555555", "width": 1.5},
            },
            selected={"marker": {"opacity": 1}},
            unselected={"marker": {"opacity": 1}},
            hovertemplate="%{text}<br>click for its chain rule<extra></extra>",
        )
    )
    unit_x, unit_y, unit_hover = [], [], []
    for layer, units in enumerate(deltas):
        for unit, delta in enumerate(units):
            unit_x.append((layer + 1) * COLUMN_GAP)
            unit_y.append(float(heights[layer + 1][unit]))
            name = unit_name(layer, unit, hidden_layers, classes)
            unit_hover.append(f"{name}: δ = ∂loss/∂net = {significant(float(delta), 3)}")
    figure.add_trace(
        go.Scatter(
            x=unit_x,
            y=unit_y,
            mode="markers",
            name="deltas",
            text=unit_hover,
            marker={"symbol": "square", "size": 30, "color": "rgba(0,0,0,0)"},
            selected={"marker": {"opacity": 1}},
            unselected={"marker": {"opacity": 1}},
            hovertemplate="%{text}<extra></extra>",
        )
    )
    columns = [[tile for _, tile in feature_tiles], *delta_tiles(deltas, TILE_PIXELS)]
    titles = ["features", *(f"layer {i + 1}" for i in range(hidden_layers)), "output"]
    outputs = [unit_tag(hidden_layers, k, hidden_layers, classes) for k in range(counts[-1])]
    return _frame(figure, columns, heights, input_names, titles, present, outputs)
