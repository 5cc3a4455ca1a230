"""Plotly figures for the home and Build pages: data in, ``go.Figure`` out, nothing drawn here.

Fonts are large because the playground is shown on projectors.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nncore.neuron import activate
from nncore.spec import LayerPlan

FONT = {"size": 16}
TRAIN_COLOUR = "#1f77b4"
TEST_COLOUR = "#ff7f0e"
MAX_NODES_DRAWN = 10


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, font=FONT, margin={"l": 20, "r": 20, "t": 50, "b": 20})
    return fig


def network_diagram(plan: LayerPlan) -> go.Figure:
    """Columns of neurons from input to output, with the connections between neighbours.

    Wide layers show their first few neurons and a count; image layers show their feature
    maps as squares. Flatten and Dropout change no neuron count, so they appear as labels only.
    """
    columns: list[tuple[str, int, bool]] = [("Input", int(np.prod(plan.input_shape)), False)]
    if len(plan.input_shape) == 3:
        columns[0] = ("Input 28×28", 1, True)
    for row in plan.layers:
        if row.keras_class in ("Flatten", "Dropout"):
            continue
        activation = row.options.get("activation", "")
        if len(row.output_shape) == 3:
            side = row.output_shape[0]
            label = f"{row.keras_class}<br>{row.output_shape[2]} maps {side}×{side}"
            columns.append(
                (label + (f"<br>{activation}" if activation else ""), row.output_shape[2], True)
            )
        else:
            name = "Output" if not row.hidden else row.keras_class
            columns.append(
                (f"{name} {row.output_shape[0]}<br>{activation}", row.output_shape[0], False)
            )

    fig = go.Figure()
    positions: list[np.ndarray] = []
    for _, count, _ in columns:
        shown = min(count, MAX_NODES_DRAWN)
        positions.append(np.linspace(-1, 1, shown) if shown > 1 else np.zeros(1))
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for x in range(len(columns) - 1):
        for y0 in positions[x]:
            for y1 in positions[x + 1]:
                edge_x += [x, x + 1, None]
                edge_y += [y0, y1, None]
    fig.add_trace(
        go.Scatter(x=edge_x, y=edge_y, mode="lines", line={"color": "#c8c8c8", "width": 1},
                   hoverinfo="skip", showlegend=False)
    )  # fmt: skip
    for x, ((label, count, image), ys) in enumerate(zip(columns, positions, strict=True)):
        fig.add_trace(
            go.Scatter(
                x=[x] * len(ys),
                y=ys,
                mode="markers",
                marker={"size": 22 if image else 16, "symbol": "square" if image else "circle",
                        "color": "#4c78a8" if x else "#999999", "line": {"width": 1, "color": "white"}},
                hovertext=label.replace("<br>", " "),
                hoverinfo="text",
                showlegend=False,
            )
        )  # fmt: skip
        more = f"<br>(showing {len(ys)} of {count})" if count > len(ys) else ""
        fig.add_annotation(x=x, y=-1.25, text=label + more, showarrow=False, yanchor="top")
    fig.update_xaxes(visible=False, range=[-0.6, len(columns) - 0.4])
    fig.update_yaxes(visible=False, range=[-1.9, 1.2])
    fig.update_layout(title="The network", plot_bgcolor="white")
    return _layout(fig, 380)


def training_curves(
    epochs: Sequence[int],
    loss: Sequence[float],
    val_loss: Sequence[float],
    accuracy: Sequence[float],
    val_accuracy: Sequence[float],
    total_epochs: int,
    lr_changes: Sequence[tuple[int, float]] = (),
) -> go.Figure:
    """Train and test loss and accuracy per epoch, on axes already as long as the whole run,
    with a dashed line wherever the learning rate was changed during training."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Loss", "Accuracy"))
    for col, (train, test) in enumerate([(loss, val_loss), (accuracy, val_accuracy)], start=1):
        fig.add_trace(go.Scatter(x=list(epochs), y=list(train), name="train", mode="lines",
                                 line={"color": TRAIN_COLOUR, "width": 3}, legendgroup="train",
                                 showlegend=col == 1), row=1, col=col)  # fmt: skip
        fig.add_trace(go.Scatter(x=list(epochs), y=list(test), name="test", mode="lines",
                                 line={"color": TEST_COLOUR, "width": 3}, legendgroup="test",
                                 showlegend=col == 1), row=1, col=col)  # fmt: skip
    for epoch, lr in lr_changes:
        for col in (1, 2):
            fig.add_vline(x=epoch - 0.5, line_dash="dash", line_color="#888", row=1, col=col)
        fig.add_annotation(x=epoch - 0.5, y=1.0, yref="y2 domain", xref="x2", text=f"η → {lr:g}",
                           showarrow=False, yanchor="bottom")  # fmt: skip
    fig.update_xaxes(title_text="epoch", range=[0.5, max(total_epochs, 2) + 0.5])
    fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return _layout(fig, 400)


def update_curves(
    fig: go.Figure,
    epochs: Sequence[int],
    loss: Sequence[float],
    val_loss: Sequence[float],
    accuracy: Sequence[float],
    val_accuracy: Sequence[float],
) -> go.Figure:
    """Put new points into a figure made by ``training_curves``, in place.

    Building the figure anew costs about 50 ms, refreshing its four traces about 1 ms: during
    live training that difference is time taken from the training itself.
    """
    with fig.batch_update():
        for trace, values in zip(fig.data, (loss, val_loss, accuracy, val_accuracy), strict=True):
            trace.x = list(epochs)
            trace.y = list(values)
    return fig


def confusion_heatmap(matrix: np.ndarray) -> go.Figure:
    """Counts of (true digit, predicted digit); the diagonal is what the network got right."""
    digits = [str(d) for d in range(matrix.shape[0])]
    fig = go.Figure(
        go.Heatmap(z=matrix, x=digits, y=digits, colorscale="Blues", text=matrix,
                   texttemplate="%{text}", hovertemplate="true %{y}, said %{x}: %{z}<extra></extra>")
    )  # fmt: skip
    fig.update_xaxes(title_text="predicted", side="top", type="category")
    fig.update_yaxes(title_text="true", autorange="reversed", type="category")
    fig.update_layout(title="Confusion matrix (test rows)")
    return _layout(fig, 480)


def digit_grid(
    images: np.ndarray, true: Sequence[int], predicted: Sequence[int], columns: int = 8
) -> go.Figure:
    """Small 28×28 pictures, each titled with its true and predicted label."""
    count = len(images)
    rows = max(1, -(-count // columns))
    titles = [f"{t} → {p}" for t, p in zip(true, predicted, strict=True)]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles,
                        horizontal_spacing=0.01, vertical_spacing=0.08)  # fmt: skip
    for index, image in enumerate(images):
        fig.add_trace(
            go.Heatmap(z=np.asarray(image).reshape(28, 28), colorscale="gray_r", showscale=False,
                       hoverinfo="skip"),
            row=index // columns + 1, col=index % columns + 1,
        )  # fmt: skip
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x")
    return _layout(fig, 40 + 130 * rows)


def neuron_curve(activation: str, z: float) -> go.Figure:
    """The activation function, with the neuron's weighted sum z and its output marked."""
    span = max(6.0, abs(z) + 1.0)
    zs = np.linspace(-span, span, 400)
    output = activate(activation, z)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=zs, y=activate(activation, zs), mode="lines", name=activation,
                             line={"width": 4, "color": "#4c78a8"}))  # fmt: skip
    fig.add_trace(go.Scatter(x=[z], y=[output], mode="markers+text", name="this neuron",
                             marker={"size": 18, "color": "#e45756"},
                             text=[f"  z = {z:.2f}, a = {output:.3f}"], textposition="middle right"))  # fmt: skip
    fig.add_vline(x=z, line_dash="dot", line_color="#e45756")
    fig.update_layout(title=f"{activation}(z)", showlegend=False, xaxis_title="z (weighted sum)",
                      yaxis_title="output")  # fmt: skip
    return _layout(fig, 380)
