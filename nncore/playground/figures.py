"""The playground's figures: the plane with the network's answer and the points, the network
drawn as columns of heatmaps joined by its weights, and the loss curves.

Pure functions of numpy data; the page only shows them. Heatmaps travel as PNG images (see
``colours``) so a redraw five times a second stays small.

The plane comes in two forms of the same size and look: ``plane_figure``, a plotly figure
whose clicks add points (when the network waits), and ``plane_picture``, the same plane
composed into one image while the network plays. Re-rendering a plotly figure with ~1,500
markers five times a second kept the browser's main thread busy 7 s in 8 (the boundary moved
1–2.6 times a second); swapping one image costs it next to nothing.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw

from nncore.playground.colours import (
    CLASS_COLOURS,
    NEGATIVE,
    POSITIVE,
    class_image,
    png_uri,
    to_picture,
    value_image,
)
from nncore.playground.datasets import RADIUS, Points
from nncore.style import TEST_COLOUR, TRAIN_COLOUR, font, presenter_axes

MAX_CURVE_POINTS = 400  # a loss curve drawn with more points looks no different
CLICK_GRID = 31  # clickable places across the plane (every 0.4)
CLICK_TRACE = "click"  # the trace a click on the plane lands on
NEURON_TRACE = "neurons"  # the trace a click on a neuron lands on
TICK_STEP = 2  # a tick label every 2 along each axis
MARKER_SIZE = 8  # a point's diameter in pixels
AXIS_GREY = "#808495"  # tick labels and axis titles, as Streamlit's plotly theme draws them


def plane_margin(present: bool) -> dict[str, int]:
    """Pixels around the square plane: room for the tick labels and the axis titles, as much
    as plotly's automargin gave them (it grew 10/45 px to 19/68, 98 on a projector, and the
    square shrank to 403 px). Fixed, so the live picture is laid out the same."""
    return {"l": 60 if present else 55, "r": 15, "t": 20, "b": 100 if present else 70}


def plane_height(present: bool) -> int:
    """The plane's height in pixels (the square plus the margins): 435 px square on a laptop,
    520 in presenter mode. A narrower column (a phone) draws the square smaller, at the top."""
    m = plane_margin(present)
    return (520 if present else 435) + m["t"] + m["b"]


def plane_max_height(present: bool) -> str:
    """The height the plane needs, as a CSS length: ``plane_height``, or less where the column
    is narrower than the square plus its margins (a phone). The square is drawn at the top, so
    what is below it is spare: with the column at most the viewport wide (100vw), the square is
    at most 100vw less the side margins, and the figure needs that plus the top and bottom."""
    m = plane_margin(present)
    extra = m["t"] + m["b"] - m["l"] - m["r"]
    sign = "+" if extra >= 0 else "-"
    return f"min({plane_height(present)}px, calc(100vw {sign} {abs(extra)}px))"


def _plane_axes(present: bool) -> dict:
    axis = {
        "range": [-RADIUS, RADIUS],
        "zeroline": False,
        "showgrid": False,
        "dtick": TICK_STEP,
        "automargin": False,  # the margins are plane_margin's, the live picture's too
    }
    return {
        "xaxis": {**axis, "title": {"text": "x₁"}, "constrain": "domain"},
        "yaxis": {
            **axis,
            "title": {"text": "x₂"},
            "scaleanchor": "x",
            "constrain": "domain",
            "constraintoward": "top",  # a narrow column leaves its spare height below
        },
        "font": font(present),
        "margin": plane_margin(present),
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
        marker = {
            "color": points.y,
            "cmin": -1,
            "cmax": 1,
            "size": 8,
            "line": outline,
            "colorscale": [[0, NEGATIVE], [0.5, "#FFFFFF"], [1, POSITIVE]],
        }
        return [go.Scatter(x=points.x[:, 0], y=points.x[:, 1], marker=marker, **common)]
    traces = []
    for label in range(points.classes):
        rows = points.y == label
        marker = {"color": CLASS_COLOURS[label], "size": 8, "line": outline}
        traces.append(go.Scatter(x=points.x[rows, 0], y=points.x[rows, 1], marker=marker, **common))
    return traces


def click_targets() -> go.Scatter:
    """Invisible points all over the plane: plotly reports clicks on points, not on images."""
    axis = np.linspace(-RADIUS, RADIUS, CLICK_GRID)
    x1, x2 = (a.ravel() for a in np.meshgrid(axis, axis))
    return go.Scatter(
        x=np.round(x1, 2),
        y=np.round(x2, 2),
        mode="markers",
        name=CLICK_TRACE,
        marker={"size": 14, "color": "rgba(0,0,0,0)"},
        selected={"marker": {"opacity": 1}},
        unselected={"marker": {"opacity": 1}},
        hovertemplate="(%{x:.1f}, %{y:.1f})<extra>click to add a point</extra>",
    )


def plane_figure(
    image: str | None,
    train: Points,
    test: Points | None,
    clickable: bool = True,
    present: bool = False,
) -> go.Figure:
    """The plane: the network's answer as background (a PNG, or none yet) and the points.

    Built in one step, layout and traces together (as every live figure here): plotly's
    ``update_layout`` and ``add_trace`` re-validate the figure each time, several times the
    cost of the figure itself."""
    layout = {**_plane_axes(present), "height": plane_height(present)}
    if image is not None:
        layout["images"] = [
            {
                "source": image,
                "xref": "x",
                "yref": "y",
                "x": -RADIUS,
                "y": RADIUS,
                "sizex": 2 * RADIUS,
                "sizey": 2 * RADIUS,
                "sizing": "stretch",
                "layer": "below",
            }
        ]
    traces = [click_targets()] if clickable else []
    traces += _points_traces(train, test=False)
    if test is not None:
        traces += _points_traces(test, test=True)
    return presenter_axes(go.Figure(traces, layout), present)


def point_colours(points: Points) -> list[tuple[int, int, int]]:
    """Each point's fill: its class's colour, or its value at full strength (regression)."""
    if points.classes:
        palette = [(int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)) for c in CLASS_COLOURS]
        return [palette[int(label)] for label in points.y]
    colours = np.rint(value_image(points.y, strength=1.0)).astype(int)
    return [tuple(c) for c in colours]


def plane_side(present: bool) -> int:
    """The square plane's largest side in pixels (the figure's height less its margins)."""
    m = plane_margin(present)
    return plane_height(present) - m["t"] - m["b"]


def plane_picture(
    colours: np.ndarray | None,
    train: Points,
    test: Points | None,
    side: int,
) -> Image.Image:
    """The square plane (−RADIUS…RADIUS each way) as one ``side`` × ``side`` image: the
    network's answer and the points drawn on it as ``plane_figure`` draws them.

    ``colours`` is the answer over the grid (``answer_colours``; row 0 at the bottom), or None
    before the first epoch. Training points are filled with a white edge, test points ringed
    in black, as in the figure, so the switch between the two is not seen.
    """
    picture = Image.new("RGB", (side, side), "white")
    if colours is not None:
        picture.paste(to_picture(colours).resize((side, side), Image.Resampling.BILINEAR))
    draw = ImageDraw.Draw(picture)
    for points, ringed in ((train, False), (test, True)):
        if points is None:
            continue
        edge, width = ("black", 2) if ringed else ("white", 1)
        radius = (MARKER_SIZE + width) / 2  # plotly centres the edge on the circle's rim
        pixels = (points.x * [1, -1] + RADIUS) / (2 * RADIUS) * side  # x2 grows upwards
        for (x, y), fill in zip(pixels, point_colours(points), strict=True):
            draw.ellipse(
                (x - radius, y - radius, x + radius, y + radius),
                fill=fill,
                outline=edge,
                width=width,
            )
    return picture


def plane_html(picture: str, present: bool = False) -> str:
    """The live plane as HTML laid out as plotly lays out ``plane_figure``: the same height and
    margins, the square as wide as the column allows (at most ``plane_side``), centred across
    and at the top, tick labels and axis titles as text, so Play and Pause move nothing.

    ``picture`` is ``plane_picture``'s PNG as a data URI (st.image would scale the labels
    with the picture in a narrow column; here they keep their size).
    """
    m, side = plane_margin(present), plane_side(present)
    size = font(present)["size"]
    tick, title = round(size * 0.75), round(size * 0.9)
    text = f"position:absolute;color:{AXIS_GREY};font-size:{tick}px;line-height:1;"
    labels = []
    for value in range(-int(RADIUS), int(RADIUS) + 1, TICK_STEP):
        share = (value + RADIUS) / (2 * RADIUS) * 100
        label = f"{value:g}".replace("-", "−")  # plotly's minus sign
        labels.append(
            f'<span style="{text}top:calc(100% + 6px);left:{share:g}%;'
            f'transform:translateX(-50%)">{label}</span>'
        )
        labels.append(
            f'<span style="{text}right:calc(100% + 6px);top:{100 - share:g}%;'
            f'transform:translateY(-50%)">{label}</span>'
        )
    labels.append(
        f'<span style="{text}font-size:{title}px;top:calc(100% + {tick + 14}px);'
        'left:50%;transform:translateX(-50%)">x₁</span>'
    )
    labels.append(
        f'<span style="{text}font-size:{title}px;right:calc(100% + {2 * tick + 10}px);'
        'top:50%;transform:translateY(-50%) rotate(-90deg)">x₂</span>'
    )
    return (
        f'<div style="position:relative;height:{plane_height(present)}px">'
        f'<div style="position:absolute;top:{m["t"]}px;bottom:{m["b"]}px;left:{m["l"]}px;'
        f'right:{m["r"]}px;display:flex;align-items:flex-start;justify-content:center">'
        f'<div style="position:relative;width:min(100%,{side}px);aspect-ratio:1">'
        f'<img src="{picture}" alt="the network\'s answer and the points" '
        f'style="display:block;width:100%;height:100%">{"".join(labels)}</div></div></div>'
    )


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
    traces = [
        go.Scatter(
            x=rows[:, 0],
            y=rows[:, column],
            mode="lines",
            name=f"{name}{f' {last_row[column]:.3f}' if last_row else ''}",
            line={"color": colour, "width": 2},
        )
        for column, name, colour in ((1, "training", TRAIN_COLOUR), (2, "test", TEST_COLOUR))
    ]
    layout = {
        "height": 290 if present else 220,  # room for the plot under presenter mode's text
        "font": font(present, 0.8),
        "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
        "xaxis": {"title": {"text": "epoch"}, "rangemode": "tozero"},
        "yaxis": {"title": {"text": "loss"}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    }
    return presenter_axes(go.Figure(traces, layout), present)
