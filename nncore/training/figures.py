"""Plotly figures of a training: live curves, the confusion matrix, misclassified digits.

Data in, ``go.Figure`` out; fonts come from ``nncore.style`` (larger in presenter mode).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from nncore.mosaic import tile_mosaic, tile_origin
from nncore.style import (
    PANEL_AXES,
    TEST_COLOUR,
    TRAIN_COLOUR,
    font,
    outline_shape,
    presenter_axes,
    two_panels,
)

GRID_GAP, TITLE_BAND = 6, 9  # blank cells between the mistakes' pictures, and for each title
GRID_WIDTH_PX = 460  # the width a grid of digits is sized for (Build's results column at 1280)


def _layout(height: int, present: bool) -> dict:
    """The layout every figure here starts from: its height (taller in presenter mode), the
    font and the margins. Figures are built with their whole layout at once: plotly's
    update_layout re-validates the figure, several times the cost of building it."""
    return {
        "height": round(height * (1.25 if present else 1)),
        "font": font(present),
        "margin": {"l": 20, "r": 20, "t": 60, "b": 20},
    }


def training_curves(
    epochs: Sequence[int],
    loss: Sequence[float],
    val_loss: Sequence[float],
    accuracy: Sequence[float],
    val_accuracy: Sequence[float],
    total_epochs: int,
    lr_changes: Sequence[tuple[int, float]] = (),
    present: bool = False,
) -> go.Figure:
    """Train and test loss and accuracy per epoch, on axes already as long as the whole run,
    with a dashed line wherever the learning rate was changed during training."""
    traces = [
        go.Scatter(
            x=list(epochs),
            y=list(values),
            name=name,
            mode="lines",
            line={"color": colour, "width": 3},
            legendgroup=name,
            showlegend=axes is PANEL_AXES[0],
            **axes,
        )
        for axes, pair in zip(PANEL_AXES, [(loss, val_loss), (accuracy, val_accuracy)], strict=True)
        for values, name, colour in zip(
            pair, ("train", "test"), (TRAIN_COLOUR, TEST_COLOUR), strict=True
        )
    ]
    changes = [
        {
            "x": epoch - 0.5,
            "y": 0.02,
            "yref": "y2 domain",
            "xref": "x2",
            "text": f"η → {lr:g}",
            "showarrow": False,
            "xanchor": "left",
            "yanchor": "bottom",
            "bgcolor": "rgba(255,255,255,0.8)",
        }  # inside the accuracy plot's lower edge, where no title or curve sits
        for epoch, lr in lr_changes
    ]
    lines = [
        {
            "type": "line",
            "x0": epoch - 0.5,
            "x1": epoch - 0.5,
            "xref": axes["xaxis"],
            "y0": 0,
            "y1": 1,
            "yref": f"{axes['yaxis']} domain",
            "line": {"dash": "dash", "color": "#888"},
        }
        for epoch, _ in lr_changes
        for axes in PANEL_AXES
    ]
    panels = two_panels(("Loss", "Accuracy"), present)
    epochs_axis = {"title": {"text": "epoch"}, "range": [0.5, max(total_epochs, 2) + 0.5]}
    layout = {
        **_layout(400, present),
        **panels,
        "xaxis": {**panels["xaxis"], **epochs_axis},
        "xaxis2": {**panels["xaxis2"], **epochs_axis},
        "yaxis2": {**panels["yaxis2"], "range": [0, 1.02]},
        "annotations": panels["annotations"] + changes,
        "shapes": lines,
        "legend": {"orientation": "h", "y": -0.22},
    }
    return presenter_axes(go.Figure(traces, layout), present)


def update_curves(
    fig: go.Figure,
    epochs: Sequence[int],
    loss: Sequence[float],
    val_loss: Sequence[float],
    accuracy: Sequence[float],
    val_accuracy: Sequence[float],
) -> go.Figure:
    """Put new points into a figure made by ``training_curves``, in place.

    Building the figure anew costs tens of times more than refreshing its four traces (the
    figures are in benchmarks/README.md): during live training that is server time taken from
    every other visitor.
    """
    with fig.batch_update():
        for trace, values in zip(fig.data, (loss, val_loss, accuracy, val_accuracy), strict=True):
            trace.x = list(epochs)
            trace.y = list(values)
    return fig


def confusion_heatmap(
    matrix: np.ndarray,
    present: bool = False,
    names: Sequence[str] | None = None,
    chosen: tuple[int, int] | None = None,
) -> go.Figure:
    """Counts of (true class, predicted class); the diagonal is what the network got right.

    ``names`` are the classes' names (an uploaded file's); plotly reads tags in labels as HTML,
    so angle brackets are replaced and a name from a file stays text. Every cell is a point a
    click selects (a heatmap itself reports no click to Streamlit): an invisible marker on each
    cell, in row-major order, so point ``i`` is cell ``divmod(i, classes)``. ``chosen`` (true,
    predicted) is outlined: the cell whose digits the page shows.
    """
    classes = matrix.shape[0]
    digits = [str(d) for d in range(classes)] if names is None else list(names)
    digits = [name.replace("<", "‹").replace(">", "›") for name in digits]
    columns, rows = np.meshgrid(digits, digits)
    shapes = []
    if chosen is not None:
        true, predicted = chosen
        shapes.append(
            outline_shape(predicted - 0.5, predicted + 0.5, true - 0.5, true + 0.5, "#D55E00", 4)
        )
    size = font(present)["size"]
    fig = go.Figure(
        [
            go.Heatmap(
                z=matrix,
                x=digits,
                y=digits,
                colorscale="Blues",
                text=matrix,
                texttemplate="%{text}",
                hoverinfo="skip",
            ),
            go.Scatter(
                x=columns.ravel(),
                y=rows.ravel(),
                customdata=np.asarray(matrix).ravel(),
                mode="markers",
                marker={"symbol": "square", "size": 30, "opacity": 0},
                showlegend=False,
                hovertemplate="true %{y}, said %{x}: %{customdata}<br>"
                "click to see them<extra></extra>",
            ),
        ],
        {
            **_layout(480, present),
            # The title at the very top, with room under it for the axis title and the digits
            # above the matrix: in the middle of a 60 px margin it ran into "predicted" on a
            # phone.
            "title": {
                "text": "Confusion matrix (test rows)",
                "yref": "container",
                "y": 1,
                "yanchor": "top",
                "pad": {"t": 8},
            },
            "margin": {"l": 20, "r": 20, "t": round(5.5 * size), "b": 20},
            "xaxis": {
                "title": {"text": "predicted"},
                "side": "top",
                "type": "category",
                "fixedrange": True,
            },
            "yaxis": {
                "title": {"text": "true"},
                "autorange": "reversed",
                "type": "category",
                "fixedrange": True,
            },
            "shapes": shapes,
            "hoverdistance": -1,  # a click anywhere in a cell picks that cell's marker
            "clickmode": "event+select",
            "dragmode": False,
        },
    )
    return presenter_axes(fig, present)


def digit_grid(
    images: np.ndarray,
    true: Sequence[int | str],
    predicted: Sequence[int | str],
    columns: int = 8,
    present: bool = False,
    titles: Sequence[str] | None = None,
    clickable: bool = False,
    chosen: int | None = None,
) -> go.Figure:
    """Small 28×28 pictures, each titled with its true and predicted label (or ``titles``:
    an uploaded file's digits before training have no prediction).

    ``clickable`` puts an invisible marker on every picture, so a click selects picture ``i``
    as point ``i``; ``chosen`` is outlined.
    """
    count = len(images)
    rows = max(1, -(-count // columns))
    if titles is None:
        titles = [f"{t} → {p}" for t, p in zip(true, predicted, strict=True)]
    # Plotly reads tags in titles as HTML: a class name from a file stays text.
    titles = [str(title).replace("<", "‹").replace(">", "›") for title in titles]
    tiles = np.asarray(images, dtype=float).reshape(count, 28, 28)
    mosaic, _ = tile_mosaic(tiles, columns, gap=GRID_GAP, band=TITLE_BAND)
    places = [tile_origin(i, columns, 28, 28, GRID_GAP, TITLE_BAND) for i in range(count)]
    width = columns * (28 + GRID_GAP) - GRID_GAP
    # As tall as the pictures need in Build's results column on a laptop (about 460 px for
    # eight; the titles sit inside the plot). A taller figure was blank space above and below
    # the digits on every screen; sized so, a wider column leaves a margin at the sides instead
    # and a phone's narrower one only a little blank above and below.
    row_units = TITLE_BAND + 28 + GRID_GAP
    per_row = GRID_WIDTH_PX / (width + 4) * row_units * (1.15 if present else 1)
    layout: dict = {
        "annotations": [
            {
                "x": left + 13.5,
                "y": top - 1,
                "text": title,
                "showarrow": False,
                "xanchor": "center",
                "yanchor": "bottom",
            }
            for title, (top, left) in zip(titles, places, strict=True)
        ],
        "xaxis": {"visible": False, "range": [-2.5, width + 1.5], "fixedrange": True},
        "yaxis": {
            "visible": False,
            "autorange": "reversed",
            "scaleanchor": "x",
            "fixedrange": True,
        },
        "plot_bgcolor": "white",
        "height": round(16 + per_row * rows),
        "font": font(present),
        "margin": {"l": 4, "r": 4, "t": 8, "b": 8},
    }
    traces: list[go.BaseTraceType] = [
        go.Heatmap(
            z=mosaic,
            colorscale="gray_r",
            zmin=0,
            showscale=False,
            zmax=float(tiles.max(initial=0)) or 1.0,
            hoverinfo="skip",
        )
    ]
    if clickable:
        traces.append(
            go.Scatter(
                x=[left + 13.5 for _, left in places],
                y=[top + 13.5 for top, _ in places],
                mode="markers",
                marker={"symbol": "square", "size": 40, "opacity": 0},
                showlegend=False,
                text=titles,
                hovertemplate="%{text}: click to open it<extra></extra>",
            )
        )
        layout.update(hoverdistance=-1, clickmode="event+select", dragmode=False)
    if chosen is not None and 0 <= chosen < count:
        top, left = places[chosen]
        layout["shapes"] = [
            outline_shape(left - 1.5, left + 28.5, top - 1.5, top + 28.5, "#D55E00", 3)
        ]
    return presenter_axes(go.Figure(traces, layout), present)
