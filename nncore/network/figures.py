"""The network drawn as columns of neurons (or feature maps), from the input to the answer.

Every row of the layer plan is drawn as its type's ``diagram`` says: a column of neurons, a
column of feature maps, or nothing (Flatten and Dropout change no neuron count). Labels
alternate above and below so six layers still fit a laptop screen.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nncore.network.plan import LayerPlan
from nncore.style import font, text_size

MAX_NODES_DRAWN = 10
NODE_COLOUR = "#0072B2"
INPUT_COLOUR = "#999999"


def diagram_columns(plan: LayerPlan) -> list[tuple[str, int, bool]]:
    """(label, neurons or maps, drawn as maps) per column, input first, output last."""
    if len(plan.input_shape) == 3:
        columns = [("Input<br>28×28", 1, True)]
    else:
        columns = [
            (f"Input<br>{int(np.prod(plan.input_shape))}", int(np.prod(plan.input_shape)), False)
        ]
    for row in plan.layers:
        if row.diagram == "none":
            continue
        activation = row.options.get("activation", "")
        name = row.keras_class if row.hidden else "Output"
        if row.diagram == "maps":
            side, maps = row.output_shape[0], row.output_shape[2]
            label = f"{name}<br>{maps} × {side}×{side}"
            columns.append((label + (f"<br>{activation}" if activation else ""), maps, True))
        else:
            columns.append(
                (f"{name} {row.output_shape[0]}<br>{activation}", row.output_shape[0], False)
            )
    return columns


def network_diagram(plan: LayerPlan, present: bool = False) -> go.Figure:
    """Columns of neurons from input to output, with the connections between neighbours.

    Wide layers show their first few neurons and a count; image layers show their feature
    maps as squares.
    """
    columns = diagram_columns(plan)
    positions = [
        np.linspace(-1, 1, min(count, MAX_NODES_DRAWN)) if count > 1 else np.zeros(1)
        for _, count, _ in columns
    ]
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for x in range(len(columns) - 1):
        for y0 in positions[x]:
            for y1 in positions[x + 1]:
                edge_x += [x, x + 1, None]
                edge_y += [y0, y1, None]
    # Gathered, then built once: each add_trace or add_annotation re-validates the figure.
    traces = [
        go.Scatter(
            x=edge_x,
            y=edge_y,
            mode="lines",
            line={"color": "#c8c8c8", "width": 1},
            hoverinfo="skip",
            showlegend=False,
        )
    ]
    notes: list[dict] = []
    crowded = len(columns) > 5
    for x, ((label, count, image), ys) in enumerate(zip(columns, positions, strict=True)):
        traces.append(
            go.Scatter(
                x=[x] * len(ys),
                y=ys,
                mode="markers",
                marker={
                    "size": 22 if image else 16,
                    "symbol": "square" if image else "circle",
                    "color": NODE_COLOUR if x else INPUT_COLOUR,
                    "line": {"width": 1, "color": "white"},
                },
                hovertext=label.replace("<br>", " ") + f" ({len(ys)} of {count} drawn)",
                hoverinfo="text",
                showlegend=False,
            )
        )
        above = crowded and x % 2 == 1  # alternate when many columns share the width
        notes.append(
            {
                "x": x,
                "y": 1.2 if above else -1.2,
                "text": label,
                "showarrow": False,
                "yanchor": "bottom" if above else "top",
            }
        )
    # How many of a wide layer's neurons are drawn: once, under the diagram. Under each
    # column, "(10 of 784 drawn)(10 of 128 drawn)" ran into each other (and the hover says it).
    thinned = any(count > len(ys) for (_, count, _), ys in zip(columns, positions, strict=True))
    size = font(present, scale=0.75 if crowded else 1.0)["size"]
    if thinned:
        notes.append(
            {
                "x": 0.5,
                "y": 0,
                "xref": "paper",
                "yref": "paper",
                "yanchor": "top",
                "yshift": -4,
                "text": f"Wide layers: their first {MAX_NODES_DRAWN} neurons drawn",
                "showarrow": False,
                "font": {"size": text_size(present, (0.75 if crowded else 1.0) * 0.8)},
            }
        )
    return go.Figure(
        traces,
        {
            "title": "The network",
            "plot_bgcolor": "white",
            "height": round((430 if crowded else 380) * (1.25 if present else 1)),
            "font": font(present, scale=0.75 if crowded else 1.0),
            "margin": {"l": 10, "r": 10, "t": 50, "b": 10 + (2 * size if thinned else 0)},
            "xaxis": {"visible": False, "range": [-0.75, len(columns) - 0.25]},
            "yaxis": {"visible": False, "range": [-2.3, 2.0 if crowded else 1.3]},
            "annotations": notes,
        },
    )
