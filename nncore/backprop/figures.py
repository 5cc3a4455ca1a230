"""The tiny network drawn with its numbers, and the error falling over many updates.

The diagram is the picture a teacher draws on the board: inputs on the left, the hidden layer,
the outputs on the right, a number on every connection. Each weight's label sits 28% of the
way along its line from the sending neuron: with at most three neurons a layer, labels of
different lines stay at least a sixth of a row apart there, while at the middle two crossing
lines would put theirs on the same spot (a test checks every shape). Each label has a
clickable square carrying the weight's link key, and each neuron carries its bias's key, so
clicking one chooses what the page explains. Numbers beside neurons are one to a line, so the
whole drawing still fits a phone's width.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nncore.backprop.network import Network
from nncore.backprop.passes import Backward, Forward
from nncore.style import (
    TEST_COLOUR,
    TRAIN_COLOUR,
    font,
    presenter_axes,
    text_size,
    title,
    title_margin,
)

LABEL_AT = 0.28  # fraction of the way along a connection, from the sending neuron
NODE_COLOURS = {"input": "#E8E8E8", "hidden": "#CFE3F1", "output": "#F5DCCB"}
SELECTED_COLOUR = "#E69F00"  # Okabe–Ito orange
LINE_COLOUR = "#9A9A9A"
TEXT_COLOUR = "#262730"  # Streamlit's own text colour, darker than plotly's default grey
UNIT, PRESENTER_UNIT = 170, 220  # pixels between two neurons of a layer
CAPTION_DEPTH = 0.7  # data units under the bottom row for an output's four lines
LABEL_BACKGROUND = "rgba(255, 255, 255, 0.85)"  # numbers stay readable where lines cross


def short(value: float) -> str:
    """A number for the diagram: four significant digits (the tables carry nine)."""
    return f"{value:.4g}" if np.isfinite(value) else ("NaN" if np.isnan(value) else "∞")


def positions(count: int, x: float) -> list[tuple[float, float]]:
    """Neuron centres of one layer, top to bottom, centred on y = 0, one unit apart."""
    return [(x, (count - 1) / 2 - n) for n in range(count)]


def network_figure(
    network: Network,
    fwd: Forward | None = None,
    back: Backward | None = None,
    selected: str | None = None,
    present: bool = False,
) -> go.Figure:
    """The network with its weights, and once computed, each neuron's sum and output.

    ``fwd`` adds net and out to each neuron and the error to each output; ``back`` adds each
    weight's gradient to its hover text. ``selected`` (a link key) is drawn thick and orange.
    """
    n_in, n_hidden, n_out = network.shape
    layers = {
        "input": positions(n_in, 0.0),
        "hidden": positions(n_hidden, 1.0),
        "output": positions(n_out, 2.0),
    }
    # Traces and annotations are gathered, then the figure is built once: plotly's add_trace
    # and add_annotation re-validate the whole figure each time, and made this diagram, drawn
    # at every click on the page, cost the server about ten times as much.
    traces: list[go.Scatter] = []
    notes: list[dict] = []
    chips_x, chips_y, chips_text, chips_key, chips_hover, chips_colour = [], [], [], [], [], []
    for p in network.parameters:
        if p.source is None:  # a bias: no line to draw
            continue
        start = layers["input" if p.layer == "hidden" else "hidden"][p.source]
        end = layers[p.layer][p.neuron]
        chosen = p.key == selected
        traces.append(
            go.Scatter(
                x=[start[0], end[0]],
                y=[start[1], end[1]],
                mode="lines",
                line={
                    "color": SELECTED_COLOUR if chosen else LINE_COLOUR,
                    "width": 6 if chosen else 1.5,
                },
                hoverinfo="skip",
                showlegend=False,
            )
        )
        value = network.value(p)
        chips_x.append(start[0] + LABEL_AT * (end[0] - start[0]))
        chips_y.append(start[1] + LABEL_AT * (end[1] - start[1]))
        chips_text.append(
            f"<b>{p.plain} {short(value)}</b>" if chosen else f"{p.plain} {short(value)}"
        )
        chips_key.append(p.key)
        gradient = f"<br>∂E/∂{p.plain} = {back.gradient(p):.6g}" if back is not None else ""
        chips_hover.append(f"{p.label} = {value:.9g}{gradient}<br>click to explain")
        chips_colour.append(
            SELECTED_COLOUR if chosen else (TRAIN_COLOUR if value >= 0 else TEST_COLOUR)
        )
    traces.append(
        go.Scatter(
            x=chips_x,
            y=chips_y,
            mode="markers",
            marker={
                "symbol": "square",
                "size": 12,
                "color": chips_colour,
                "line": {"color": "white", "width": 1},
            },
            customdata=chips_key,
            hovertemplate="%{hovertext}<extra></extra>",
            hovertext=chips_hover,
            showlegend=False,
            name="weights",
        )
    )
    notes += [
        {
            "x": x,
            "y": y,
            "text": text,
            "xanchor": "left",
            "xshift": 9,
            "showarrow": False,
            "font": {"size": text_size(present, 0.85), "color": TEXT_COLOUR},
            "bgcolor": LABEL_BACKGROUND,
            "borderpad": 1,
        }
        for x, y, text in zip(chips_x, chips_y, chips_text, strict=True)
    ]
    _add_neurons(traces, notes, network, layers, fwd, selected, present)
    half = (max(network.shape) - 1) / 2
    y_range = [-half - CAPTION_DEPTH, half + 0.35]
    height = round((y_range[1] - y_range[0]) * (PRESENTER_UNIT if present else UNIT))
    return go.Figure(
        traces,
        {
            "height": height,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "font": font(present),
            "xaxis": {"visible": False, "range": [-0.5, 2.55], "fixedrange": True},
            "yaxis": {"visible": False, "range": y_range, "fixedrange": True},
            "plot_bgcolor": "white",
            "dragmode": False,
            "clickmode": "event+select",
            "hoverlabel": {"font": font(present, 0.8)},
            "annotations": notes,
        },
    )


def _add_neurons(
    traces: list[go.Scatter],
    notes: list[dict],
    network: Network,
    layers: dict[str, list[tuple[float, float]]],
    fwd: Forward | None,
    selected: str | None,
    present: bool,
) -> None:
    """Neuron circles with their names (to ``traces``), values beside them (to ``notes``), each
    circle carrying its bias's key."""
    size = text_size(present)
    for layer, centres in layers.items():
        xs = [c[0] for c in centres]
        ys = [c[1] for c in centres]
        names = [f"{layer[0]}{n + 1}" for n in range(len(centres))]
        keys = [None if layer == "input" else f"b_{name}" for name in names]
        outline = ["#333333" if key != selected else SELECTED_COLOUR for key in keys]
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers+text",
                marker={
                    "size": 2.4 * size,
                    "color": NODE_COLOURS[layer],
                    "line": {"color": outline, "width": 2},
                },
                text=names,
                textfont={"size": size},
                customdata=keys,
                hovertext=[_neuron_hover(network, layer, n, fwd) for n in range(len(centres))],
                hovertemplate="%{hovertext}<extra></extra>",
                showlegend=False,
                name=layer,
            )
        )
        radius = 1.2 * size + 3  # pixels from a neuron's centre to clear its circle
        small = {"size": text_size(present, 0.8), "color": TEXT_COLOUR}
        for n, (x, y) in enumerate(centres):
            if layer == "input":  # the value, to the left, where no line goes
                notes.append(
                    {
                        "x": x,
                        "y": y,
                        "text": short(network.inputs[n]),
                        "xanchor": "right",
                        "xshift": -radius,
                        "showarrow": False,
                        "font": small,
                    }
                )
                continue
            # The bias on top, the numbers below: narrow, so a phone's diagram has room.
            notes.append(
                {
                    "x": x,
                    "y": y,
                    "text": f"b {short(_bias(network, layer, n))}",
                    "yanchor": "bottom",
                    "yshift": radius,
                    "showarrow": False,
                    "font": small,
                    "bgcolor": LABEL_BACKGROUND,
                }
            )
            # An output's lines start just left of its centre and run right, clear of the
            # weights' labels on the lines arriving from the left.
            side = (
                {"xanchor": "left", "xshift": -8, "align": "left"}
                if layer == "output"
                else {"xshift": -3}
            )
            if caption := _neuron_caption(network, layer, n, fwd):
                notes.append(
                    {
                        "x": x,
                        "y": y,
                        "text": caption,
                        "yanchor": "top",
                        "yshift": -radius,
                        "showarrow": False,
                        "font": small,
                        "bgcolor": LABEL_BACKGROUND,
                        **side,
                    }
                )


def _bias(network: Network, layer: str, n: int) -> float:
    return float((network.hidden_biases if layer == "hidden" else network.output_biases)[n])


def _neuron_caption(network: Network, layer: str, n: int, fwd: Forward | None) -> str:
    """The numbers under a neuron, one to a line: its sum and output once computed, then an
    output's target and error. A hidden neuron's names sit above their numbers, in grey:
    weights' labels crowd it from both sides on a phone, so its column stays narrow."""
    lines = []
    if fwd is not None:
        hidden = layer == "hidden"
        net, out = (fwd.hidden_net, fwd.hidden_out) if hidden else (fwd.output_net, fwd.output_out)
        if hidden:
            lines += [_name("net"), short(net[n]), _name("out"), short(out[n])]
        else:
            lines += [f"net {short(net[n])}", f"out {short(out[n])}"]
    if layer == "output":
        lines.append(f"t {short(network.targets[n])}")
        if fwd is not None:
            lines.append(f"E {short(fwd.errors[n])}")
    return "<br>".join(lines)


def _name(text: str) -> str:
    return f"<span style='color:{LINE_COLOUR}'>{text}</span>"


def _neuron_hover(network: Network, layer: str, n: int, fwd: Forward | None) -> str:
    name = f"{layer[0]}{n + 1}"
    if layer == "input":
        return f"input {name} = {network.inputs[n]:.9g}"
    caption = _neuron_caption(network, layer, n, fwd)
    return f"{name}: b {_bias(network, layer, n):.9g}<br>{caption}<br>click to explain its bias"


def error_curve(errors: np.ndarray, present: bool = False, max_points: int = 1500) -> go.Figure:
    """E_total after each update, on a log scale when it stays positive (it falls by
    orders of magnitude). Long runs are thinned to ``max_points`` (last point kept)."""
    steps = np.arange(len(errors))
    if len(errors) > max_points:
        keep = np.unique(
            np.r_[np.linspace(0, len(errors) - 1, max_points).astype(int), len(errors) - 1]
        )
        steps, errors = steps[keep], errors[keep]
    finite = errors[np.isfinite(errors)]
    log = bool(len(finite)) and bool(np.all(finite > 0))
    axis = {"type": "log", "dtick": 1, "exponentformat": "power"} if log else {"type": "linear"}
    figure = go.Figure(
        go.Scatter(
            x=steps,
            y=errors,
            mode="lines+markers" if len(errors) < 60 else "lines",
            line={"color": TRAIN_COLOUR, "width": 3},
            hovertemplate="after %{x} updates<br>E_total = %{y:.9g}<extra></extra>",
        )
    )
    heading = "Total error E after each update"  # within the figure on a projector too
    figure.update_layout(
        height=330 + (60 if present else 0) + title_margin(heading, present, 40),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font=font(present),
        title={**title(heading, present, 40), "font": font(present)},
        xaxis={"title": {"text": "updates"}},
        yaxis={"title": {"text": "E_total"}, **axis},
    )
    return presenter_axes(figure, present)
