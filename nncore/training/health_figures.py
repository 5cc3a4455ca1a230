"""Plotly figures of a network's gradients: sizes per layer, and one layer's histograms.

Data in (``NetworkHealth``), ``go.Figure`` out. Sizes span many powers of ten between a
vanishing first layer and an exploding last one, so the bars are on a log axis.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nncore.style import TEST_COLOUR, TRAIN_COLOUR, font, panel_titles, presenter_axes
from nncore.training.health import Histogram, LayerHealth, NetworkHealth

HEALTHY_UPDATE = 1e-3  # the rule of thumb drawn on the update chart
FLOOR = 1e-12  # a zero on a log axis: drawn as this, labelled 0


def _shown(value: float) -> tuple[float, str]:
    """A bar height a log axis can draw, and the label that says the true value."""
    if not math.isfinite(value):
        return 1e3, "∞ / NaN"
    if value <= 0:
        return FLOOR, "0"
    return value, f"{value:.1e}"


def layer_sizes(health: NetworkHealth, present: bool = False) -> go.Figure:
    """Per layer, input at the top: |∂loss/∂W| / |W| and |ΔW| / |W|, side by side, log scale.

    Horizontal bars keep the layer names readable on a phone and on a projector alike.
    """
    names = [layer.name for layer in health.layers]
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        subplot_titles=("gradient ÷ weights", "update ÷ weights"),
        horizontal_spacing=0.06,
    )
    panel_titles(fig, present)
    for col, colour in enumerate((TRAIN_COLOUR, TEST_COLOUR), start=1):
        fig.add_trace(
            go.Bar(
                y=names,
                orientation="h",
                textposition="auto",
                insidetextanchor="end",
                marker_color=colour,
                showlegend=False,
                hovertemplate="%{y}: %{text}<extra></extra>",
            ),
            row=1,
            col=col,
        )
    update_layer_sizes(fig, health)
    fig.add_vline(x=HEALTHY_UPDATE, line_dash="dot", line_color="#555", row=1, col=2)
    fig.update_xaxes(type="log", dtick=1, exponentformat="power")
    fig.update_yaxes(autorange="reversed", type="category")
    height = 110 + 45 * len(names)
    fig.update_layout(
        height=round(height * (1.25 if present else 1)),
        font=font(present),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return presenter_axes(fig, present)


def update_layer_sizes(fig: go.Figure, health: NetworkHealth) -> go.Figure:
    """New measurements into a ``layer_sizes`` figure of the same layers, in place.

    During a training the panel follows the worker's measurements: refreshing two traces costs
    the server a small fraction of building the figure again (benchmarks/README.md).
    """
    with fig.batch_update():
        for trace, ratio_of in zip(
            fig.data,
            (lambda layer: layer.gradient_ratio, lambda layer: layer.update_ratio),
            strict=True,
        ):
            shown = [_shown(ratio_of(layer)) for layer in health.layers]
            trace.x = [height for height, _ in shown]
            trace.text = [label for _, label in shown]
    return fig


def _histogram_trace(histogram: Histogram, colour: str) -> go.Bar:
    return go.Bar(
        marker_color=colour, showlegend=False, hovertemplate="around %{x:.3g}: %{y}<extra></extra>"
    )


def _titles(histograms: tuple[Histogram, Histogram]) -> tuple[str, str]:
    def title(kind: str, histogram: Histogram) -> str:
        return f"{kind} ({histogram.not_finite} not finite)" if histogram.not_finite else kind

    weights, gradients = histograms
    return title("weights", weights), title("gradients", gradients)


def update_layer_histograms(fig: go.Figure, layer: LayerHealth) -> go.Figure:
    """New counts into a ``layer_histograms`` figure, in place (as ``update_layer_sizes``)."""
    histograms = (layer.weights, layer.gradients)
    with fig.batch_update():
        for trace, histogram in zip(fig.data, histograms, strict=True):
            trace.x = histogram.centres
            trace.y = histogram.counts
            trace.width = histogram.edges[1] - histogram.edges[0]
        for annotation, title in zip(fig.layout.annotations, _titles(histograms), strict=False):
            annotation.text = title
    return fig


def layer_histograms(layer: LayerHealth, present: bool = False) -> go.Figure:
    """How one layer's weights and their gradients are spread (NaN/∞ are counted in the title)."""

    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=_titles((layer.weights, layer.gradients)),
        horizontal_spacing=0.1,
    )
    panel_titles(fig, present)
    fig.add_trace(_histogram_trace(layer.weights, TRAIN_COLOUR), row=1, col=1)
    fig.add_trace(_histogram_trace(layer.gradients, TEST_COLOUR), row=1, col=2)
    update_layer_histograms(fig, layer)
    fig.update_xaxes(exponentformat="e", nticks=5)
    fig.update_yaxes(title_text="count", row=1, col=1)
    fig.update_layout(
        height=round(280 * (1.25 if present else 1)),
        font=font(present),
        bargap=0.05,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return presenter_axes(fig, present)
