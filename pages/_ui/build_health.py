"""Build & Train's gradient panel: "Step one batch", and every layer's learning made visible.

The step runs in a training worker like a training does; what comes back is plain numbers
(``NetworkHealth``). During a training the worker measures the same numbers a few times a
second and the panel follows them with the curves.
"""

from __future__ import annotations

import time

import streamlit as st

from nncore.network.plan import LayerPlan
from nncore.network.spec import NetworkSpec
from nncore.training.health import NetworkHealth, what_to_look_for
from nncore.training.health_figures import (
    layer_histograms,
    layer_sizes,
    update_layer_histograms,
    update_layer_sizes,
)
from nncore.workers.client import start_step
from pages._ui import build_data, state
from pages._ui.live_chart import LiveChart
from pages._ui.widgets import presenter_mode

STEP_WAIT_SECONDS = 120.0  # a step waits in the trainers' queue like a training; not forever
# While a training runs, the panel is redrawn at most this often: it is the page's costliest
# part after the curves, and a classroom's server draws it for every visitor who trains.
LIVE_SECONDS = 1.0


def step(spec: NetworkSpec) -> None:
    """Callback: one more batch for this network (from fresh weights if the network changed)."""
    current = state.stepping()
    same = current is not None and current.spec == spec
    previous = current.result if current is not None and same else None
    try:
        split = build_data.upload_split(spec)
    except ValueError as problem:
        state.set_button_problem(str(problem))
        return
    job = start_step(spec, previous.state if previous else None, state.owner(), split)
    state.set_stepping(state.Stepping(spec, previous, job))


def step_button(column, spec: NetworkSpec, plan: LayerPlan, busy: bool) -> None:
    column.button(
        "Step one batch",
        key="step_batch",
        on_click=step,
        args=(spec,),
        disabled=busy or bool(plan.problems),
        width="stretch",
        help="Exactly one batch: one gradient, one optimizer step. Shows what each layer got.",
    )


def finish_step() -> None:
    """Wait for a step that was asked for (it takes a fraction of a second once a trainer is free)."""
    problem = state.take_button_problem()
    if problem:
        st.warning(problem)
    current = state.stepping()
    if current is None or current.pending is None:
        return
    job = current.pending
    deadline = time.monotonic() + STEP_WAIT_SECONDS
    with st.spinner("Running one batch…"):
        seen = -1
        while not job.over and time.monotonic() < deadline:
            seen = job.wait(seen, 0.5)
    if job.result is not None:
        state.set_stepping(state.Stepping(current.spec, job.result))
        return
    state.set_stepping(state.Stepping(current.spec, current.result))
    st.warning(
        job.error
        or "Every trainer is busy with other visitors' trainings; press Step one batch again "
        "in a moment."
    )


def weighted_layer_names(plan: LayerPlan) -> list[str]:
    """The layers with weights (the ones the panel has numbers for), input to output."""
    return [row.name for row in plan.layers if row.params > 0]


class GradientPanel:
    """The panel's place on the page; redrawn only when a new measurement arrives.

    The layer picker sits between two redrawn areas: a widget cannot be drawn again on every
    live update, the figures around it can (live charts: the last drawing stays up until the
    next one is drawn).
    """

    def __init__(self, plan: LayerPlan):
        st.markdown("**Gradients, layer by layer**")
        self.heading = st.empty()
        self.sizes = LiveChart("health_sizes")
        names = weighted_layer_names(plan)
        self.chosen = st.segmented_control(
            "Weights and gradients of layer",
            names,
            default=names[0] if names else None,
            key="health_layer",
        )
        self.histograms = LiveChart("health_histograms")
        self.details = st.empty()
        self.shown: NetworkHealth | None = None
        self.shown_at = 0.0

    def _figures(self, health: NetworkHealth, layer, present: bool):
        """The panel's two figures, built once per layout and refreshed in place after that."""
        frame = (tuple(lay.name for lay in health.layers), layer and layer.name, present)
        (sizes, histograms), fresh = state.cached_figure(
            "health",
            frame,
            lambda: (
                layer_sizes(health, present),
                layer_histograms(layer, present) if layer is not None else None,
            ),
        )
        if fresh:
            return sizes, histograms
        update_layer_sizes(sizes, health)
        if histograms is not None:
            update_layer_histograms(histograms, layer)
        return sizes, histograms

    def show(self, health: NetworkHealth | None, heading: str, live: bool = False) -> None:
        if health is None or health is self.shown:
            return
        if live and time.monotonic() - self.shown_at < LIVE_SECONDS:
            return
        self.shown, self.shown_at = health, time.monotonic()
        present = presenter_mode()
        by_name = {layer.name: layer for layer in health.layers}
        chosen = by_name.get(self.chosen) if self.chosen is not None else None
        layer = chosen or (health.layers[0] if health.layers else None)
        sizes, histograms = self._figures(health, layer, present)
        self.heading.caption(heading)
        self.sizes.plotly_chart(sizes)
        if histograms is not None:
            self.histograms.plotly_chart(histograms)
        with self.details.container():
            dead = [f"{lay.name} {lay.dead} of {lay.units}" for lay in health.layers if lay.units]
            if dead:
                example = build_data.example()
                st.caption(f"Dead relu units (0 for every test {example}): " + ", ".join(dead))
            st.info(what_to_look_for(health, build_data.example()), icon=":material/search:")

    def explain(self) -> None:
        self.heading.caption(
            "Press **Step one batch** to run exactly one batch, the step Keras's `fit` takes "
            "after every batch, and see what backpropagation gave each layer: the "
            "gradient's size and the update's size, both relative to the layer's weights, "
            "and their histograms. During a training they update live."
        )


def show_health(panel: GradientPanel, run_health: NetworkHealth | None, live: bool = False) -> None:
    """The latest of: this session's stepping, or its training's measurement (``live``: while
    the training runs, at most every LIVE_SECONDS)."""
    current = state.stepping()
    if current is not None and current.result is not None:
        result = current.result
        panel.show(
            result.health,
            f"After {result.state.steps} step{'s' * (result.state.steps != 1)} of one batch "
            f"(batch loss {result.health.batch_loss:.4g}). Press again for the next batch; "
            "Train starts again from fresh weights.",
        )
    elif run_health is not None:
        panel.show(
            run_health,
            "Measured during the training on a fixed batch of 256 training digits; the update "
            "is the weights' change over the last epoch.",
            live,
        )
    else:
        panel.explain()
