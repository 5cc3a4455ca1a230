"""The 2D Playground's backward view: the network figure turned into the backward pass, and
one weight's chain rule written with the numbers at one training point.

A toggle above the network switches it on; it changes nothing about the setup, so a teacher's
lock leaves it working. The gradients come from the training worker (Keras's own, on a fixed
batch at the snapshot's weights); the chain rule is worked out here in numpy for the batch's
first point and written as the Backprop page writes its chain rules.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from nncore.numbers import fixed
from nncore.playground.backward import (
    Weight,
    all_weights,
    batch_latex,
    chain_rule,
    neuron_deltas,
    point_pass,
    unit_name,
    weight_name,
)
from nncore.playground.datasets import Split
from nncore.playground.features import feature_matrix
from nncore.playground.network_figure import backward_figure
from nncore.playground.settings import PlaygroundSpec
from nncore.workers.client import PlaygroundJob
from pages._ui import playground_state as pg
from pages._ui.widgets import presenter_mode

TOGGLE = "pg_backward"
WEIGHT = "pg_weight"  # the selected weight, (layer, input, unit): the selectbox's value
CHART = "pg_network_back"
CHART_CONFIG = {"displayModeBar": False}


def toggle(job: PlaygroundJob | None) -> bool:
    """The switch between the forward and the backward drawing; a playing worker is told, so
    it sends the backward pass with every snapshot only while someone looks at it."""
    on = st.toggle(
        "Backward pass",
        key=TOGGLE,
        help="Show ∂loss/∂w on every line and δ on every neuron; click a weight for its chain rule",
    )
    if job is not None:
        job.show_backward(on)
    return on


def weight_clicked() -> None:
    """Callback of a click on the backward figure: a weight's dot selects that weight."""
    event: Any = st.session_state.get(CHART) or {}
    points = (event.get("selection") or {}).get("points") or []
    weights = [p["customdata"] for p in points if len(p.get("customdata") or []) == 3]
    if weights:
        st.session_state[WEIGHT] = tuple(int(v) for v in weights[0])


def view(
    spec: PlaygroundSpec,
    job: PlaygroundJob | None,
    parts: Split,
    features: list[tuple[str, np.ndarray]],
) -> None:
    """The backward figure, the choice of a weight, and that weight's chain rule;
    ``features`` are the features' names and heatmaps, as the forward drawing has them."""
    gradients = None if job is None else job.gradients
    if gradients is None or len(gradients.weights) != 2 * (len(spec.units) + 1):
        st.info(
            "Press Step, or Pause while the network plays: the backward pass is worked out "
            "on the network as it then is."
        )
        return
    classes = parts.train.classes
    hidden_layers = len(spec.units)
    input_names = [label for label, _ in features]
    kernels = gradients.gradients[0::2]
    options = all_weights([k.shape for k in kernels])
    if st.session_state.get(WEIGHT) not in options:
        st.session_state[WEIGHT] = options[0]
    selected: Weight = st.session_state[WEIGHT]
    st.caption(
        f"The backward pass after epoch {gradients.epoch:,}: each line is ∂loss/∂w on one "
        f"batch, the first {gradients.rows} training points, at the weights after that epoch "
        "(blue: positive, the next step makes the weight smaller; vermillion: negative; "
        "thicker: larger). Each neuron is coloured by its δ = ∂loss/∂net, its mean over the "
        "batch. Click a dot on a line, or choose a weight below, for its chain rule."
    )
    figure = backward_figure(
        features,
        kernels,
        neuron_deltas(gradients.deltas),
        classes,
        selected,
        presenter_mode(),
    )
    st.plotly_chart(
        figure,
        key=CHART,
        on_select=weight_clicked,
        selection_mode="points",
        config=CHART_CONFIG,
    )
    st.selectbox(
        "Weight",
        options,
        key=WEIGHT,
        format_func=lambda w: weight_name(w, input_names, hidden_layers, classes),
    )
    chain_of(spec, gradients, parts, st.session_state[WEIGHT], input_names)


def chain_of(spec: PlaygroundSpec, gradients, parts: Split, weight: Weight, names) -> None:
    """One weight's chain rule at the batch's first point, then the batch's number."""
    classes = parts.train.classes
    hidden_layers = len(spec.units)
    point = pg.sample_point(parts)
    label = parts.train.y[0]
    inputs = feature_matrix(point[None], spec.features)[0]
    passed = point_pass(gradients.weights, spec.act, classes, inputs, label)
    chain = chain_rule(gradients.weights, passed, weight, spec.act, classes, names)
    layer, i, j = weight
    w = float(gradients.weights[2 * layer][i, j])
    batch = float(gradients.gradients[2 * layer][i, j])
    where = f"({point[0]:.2f}, {point[1]:.2f})".replace("-", "−")
    if classes:
        loss = f"its loss E = −ln out of class {int(label)}'s output (cross-entropy)"
    else:
        loss = f"its loss E = (out − t)², t = {float(label):.3f} (squared error)"
    with st.container(border=True, key="pg_chain"):
        st.markdown(
            f"**∂E/∂w for {weight_name(weight, names, hidden_layers, classes)}** (w = {fixed(w, 4)})"
        )
        st.markdown(
            f"At the batch's first training point (x₁, x₂) = {where}, {loss}. The neuron "
            f"it feeds is {unit_name(layer, j, hidden_layers, classes)}; net is its weighted "
            "sum, out its activation, δ = ∂E/∂net."
        )
        if layer < hidden_layers:
            st.caption(
                "Each δ of the layer after it is worked out the same way, from the layer "
                "after that; the outputs' δ is out − t (softmax with cross-entropy) or "
                "2(out − t) (squared error)."
            )
        # One under another: with their numbers' nine digits, two side by side would not fit.
        for block in chain.factors:
            st.latex(block)
        st.latex(chain.result)
        st.markdown(
            f"The line shows the batch's gradient, as Keras computes it: the mean of this "
            f"over the {gradients.rows} points"
            + (", plus the penalty's slope:" if spec.reg != "none" else ":")
        )
        st.latex(batch_latex(batch, gradients.rows, spec.reg, float(spec.rate), w))
