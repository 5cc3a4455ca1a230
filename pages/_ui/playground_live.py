"""The 2D Playground's live part: epoch counter, plane, losses and the network's heatmaps.

Drawn by a fragment that reruns itself five or six times a second while the network plays (and
not at all otherwise), each time drawing the newest snapshot the worker sent: the rest of the
page is not rerun. Clicks on the plane (a new point) and on a neuron (its numbers) arrive here too.

While the network plays, the plane is one image (``plane_picture``) swapped five times a
second, not a plotly figure: plotly re-rendering it kept the browser too busy to show more
than one or two boundaries a second. When it waits, the plane is the clickable plotly figure
again. The loss curves, like the network, are redrawn once a second.

Those are the rates of a student playing alone or with a few. Every playing network of the
server shares one redraw budget (``nncore.playground.live``): in a class where many play at
once, each is redrawn less often, so that the server keeps time for everyone's clicks.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from nncore.playground.colours import CLASS_NAMES, live_picture_uri, value_image
from nncore.playground.datasets import RADIUS, Split
from nncore.playground.explain import neuron_numbers, what_to_look_at
from nncore.playground.features import FEATURES, feature_matrix, grid_points
from nncore.playground.figures import (
    answer_colours,
    boundary_image,
    loss_figure,
    plane_figure,
    plane_html,
    plane_picture,
    plane_side,
)
from nncore.playground.live import LiveSessions, needs_slowing, redraw_seconds
from nncore.playground.network_figure import network_figure
from nncore.playground.settings import PlaygroundSpec
from nncore.workers.client import PlayMetrics, Snapshot
from pages._ui import playground_backward
from pages._ui import playground_state as pg
from pages._ui.widgets import locked, presenter_mode

# The fragment's timer counts from the end of its last run, so it is set below the 0.2 s a
# 5-a-second redraw would suggest (what each setting gave in Chromium is in
# benchmarks/README.md); the worker sends at most 8 snapshots a second.
REDRAW_SECONDS = 0.125
NETWORK_SECONDS = 1.0  # the network (the costliest figure, slowest to change) at 1 Hz
LOSS_SECONDS = 1.0  # the loss curves: a plotly chart too, and a second's epochs barely show
# What the server spends on every playing network together, in redraws a second (nncore.
# playground.live): five students play at the fastest rates above; beyond, they share these.
PLANE_REDRAWS_PER_SECOND = 40.0
NETWORK_REDRAWS_PER_SECOND = 5.0
LOSS_REDRAWS_PER_SECOND = 5.0
SLOWED_AT_MOST_EVERY = 10.0  # seconds between two slow-downs of one playing network
TILE = 25  # a neuron's heatmap, TILE × TILE (every other grid point)
CHART_CONFIG = {"displayModeBar": False}


@st.cache_resource
def live_sessions() -> LiveSessions:
    """The sessions of this server whose network plays (the redraw budget's count)."""
    return LiveSessions()


def intervals(players: int) -> tuple[float, float, float]:
    """Seconds between redraws of the plane, the loss curves and the network for one of
    ``players`` students playing at once."""
    return (
        redraw_seconds(players, REDRAW_SECONDS, PLANE_REDRAWS_PER_SECOND),
        redraw_seconds(players, LOSS_SECONDS, LOSS_REDRAWS_PER_SECOND),
        redraw_seconds(players, NETWORK_SECONDS, NETWORK_REDRAWS_PER_SECOND),
    )


def keep_to_the_budget() -> None:
    """In a redraw of a playing plane: count this session as playing and, when so many others
    play that its rate is at least twice its share, run the page again so that its fragments
    are declared at the slower rates (at most every SLOWED_AT_MOST_EVERY seconds)."""
    context = get_script_run_ctx()
    if context is None:
        return
    players = live_sessions().seen(context.session_id)
    declared = st.session_state.get("pg_plane_every", REDRAW_SECONDS)
    now = time.monotonic()
    if needs_slowing(declared, intervals(players)[0]) and (
        now - st.session_state.get("pg_slowed_at", 0.0) > SLOWED_AT_MOST_EVERY
    ):
        st.session_state["pg_slowed_at"] = now
        st.rerun(scope="app")


def current_intervals() -> tuple[float, float, float]:
    """The rates for a page run now: this session among those playing."""
    context = get_script_run_ctx()
    sessions = live_sessions()
    players = sessions.playing()
    if context is not None and context.session_id not in sessions.sessions():
        players += 1  # about to play: its own share counts
    return intervals(players)


@st.cache_data(max_entries=16)
def feature_tile(key: str) -> np.ndarray:
    """A feature's heatmap over the plane (the same for everyone: cached for the process)."""
    values = feature_matrix(grid_points(TILE, RADIUS), [key])[:, 0].reshape(TILE, TILE)
    return value_image(values, float(np.abs(values).max()))


def neuron_tiles(snapshot: Snapshot | None, units: tuple[int, ...]) -> list[list]:
    """Each hidden neuron's heatmap, scaled to its own largest value (the shape is the point)."""
    if snapshot is None:
        return [[None] * n for n in units]
    return [
        [value_image(grid, float(np.abs(grid).max()) or 1.0) for grid in layer[:, ::2, ::2]]
        for layer in snapshot.neurons
    ]


def epoch_line(job, snapshot: Snapshot | None) -> None:
    """The epoch counter and the latest losses, where a browser test and a student find them."""
    epoch = 0 if snapshot is None else snapshot.epoch
    line = f"**Epoch {epoch:,}**"
    if job is not None and job.losses:
        _, train, test = job.losses[-1]
        line += f" · training loss {train:.3f} · test loss {test:.3f}"
    st.container(key="pg_epoch").markdown(line)
    if job is not None and job.state == "queued":
        st.info(job.waiting_note())


def live_plane(parts: Split, snapshot, values: dict) -> None:
    """The plane while the network plays: one image, the same size as the figure."""
    colours = None
    if snapshot is not None:
        colours = answer_colours(snapshot.output, parts.train.classes, values["discrete"])
    test = parts.test if values["show_test"] else None
    present = presenter_mode()
    picture = plane_picture(colours, parts.train, test, plane_side(present))
    st.container(key="pg_live_plane").html(plane_html(live_picture_uri(picture), present))
    if not locked():
        st.caption("Pause to add a point: a click on the plane adds one while the network waits.")


def plane(parts: Split, snapshot, values: dict, add_point: Callable[[float, float], None]) -> None:
    """The plane: the boundary, the points, and a click that adds a point."""
    image = None
    if snapshot is not None:
        image = boundary_image(snapshot.output, parts.train.classes, values["discrete"])
    test = parts.test if values["show_test"] else None
    figure = plane_figure(image, parts.train, test, present=presenter_mode())
    clicks = st.session_state.setdefault("pg_clicks", 0)
    if locked():  # a teacher's lock=1: a click adds no point
        st.plotly_chart(figure, key=f"pg_plane_{clicks}", config=CHART_CONFIG)
        return
    event = st.plotly_chart(
        figure,
        key=f"pg_plane_{clicks}",
        on_select="rerun",
        selection_mode="points",
        config=CHART_CONFIG,
    )
    chosen = [p for p in event.selection.points if p.get("curve_number") == 0]
    if chosen:
        st.session_state["pg_clicks"] = clicks + 1  # a fresh chart: the selection is spent
        add_point(float(chosen[0]["x"]), float(chosen[0]["y"]))


def network(spec: PlaygroundSpec, snapshot: Snapshot | None, parts: Split) -> None:
    """The network as heatmaps joined by weights; a click on a neuron writes out its numbers."""
    features = [(FEATURES[key].label, feature_tile(key)) for key in spec.features]
    output = None
    if snapshot is not None:
        output = answer_colours(snapshot.output[::2, ::2], parts.train.classes, False)
    kernels = None if snapshot is None else snapshot.weights[0::2]
    selected = pg.selected_neuron()
    if selected is not None and (
        selected[0] >= len(spec.units) or selected[1] >= spec.units[selected[0]]
    ):
        selected = None
    tiles = neuron_tiles(snapshot, spec.units)
    figure = network_figure(features, tiles, output, kernels, selected, presenter_mode())
    event = st.plotly_chart(
        figure, key="pg_network", on_select="rerun", selection_mode="points", config=CHART_CONFIG
    )
    clicked = [p for p in event.selection.points if len(p.get("customdata") or []) == 2]
    if clicked:
        layer, unit = (int(v) for v in clicked[0]["customdata"])
        selected = (layer, unit)
        pg.select_neuron(selected)
    if selected is None:
        st.caption("Click a neuron to see its weights, its bias and its formula with numbers.")
    elif snapshot is None:
        st.caption("Press Play or Step: the neuron's numbers appear with its first weights.")
    else:
        numbers_of(spec, snapshot, parts, selected)


def numbers_of(spec, snapshot: Snapshot, parts: Split, selected: tuple[int, int]) -> None:
    layer, unit = selected
    inputs = (
        [FEATURES[key].label for key in spec.features]
        if layer == 0
        else [f"neuron {layer}.{u + 1}" for u in range(spec.units[layer - 1])]
    )
    point = pg.sample_point(parts)
    numbers = neuron_numbers(
        snapshot.weights,
        layer,
        unit,
        inputs,
        spec.act,
        point,
        feature_matrix(point[None], spec.features)[0],
    )
    with st.container(border=True, key="pg_numbers"):
        st.markdown(f"**{numbers.name}** after epoch {snapshot.epoch}")
        st.table(
            {
                "input": [*numbers.inputs, "bias"],
                "weight": [f"{w:.4f}" for w in (*numbers.weights, numbers.bias)],
            }
        )
        st.latex(numbers.formula)
        st.markdown(numbers.point)
        st.latex(numbers.example)


def plane_part(
    spec: PlaygroundSpec,
    parts: Split,
    values: dict,
    current: pg.Training,
    add_point: Callable[[float, float], None],
) -> None:
    """The epoch counter, the plane with the boundary, the sentence under it, the losses."""
    job = current.job
    snapshot = None if job is None else job.latest
    was_live = st.session_state.get("pg_was_live", False)
    live = job is not None and job.live
    st.session_state["pg_was_live"] = live
    if was_live and not live:
        st.rerun(scope="app")  # the worker paused or let go: the buttons must say so
    epoch_line(job, snapshot)
    if job is not None and job.error:
        st.error(job.error)
    if snapshot is not None and snapshot.note:
        st.info(snapshot.note)
    if job is not None and job.playing:
        keep_to_the_budget()
        live_plane(parts, snapshot, values)
    else:
        plane(parts, snapshot, values, add_point)
    last = job.losses[-1][1:] if job is not None and job.losses else None
    epoch = 0 if snapshot is None else snapshot.epoch
    st.caption(what_to_look_at(parts.train.classes, epoch, last))


def loss_part(current: pg.Training) -> None:
    """The training and test loss curves, once there are some, and the measures beside them."""
    job = current.job
    if job is not None and job.losses:
        if job.latest is not None and job.latest.metrics is not None:
            metrics_part(job.latest.metrics)
        st.plotly_chart(loss_figure(job.losses, presenter_mode()), config=CHART_CONFIG)


def _shown(value: float, percent: bool) -> str:
    if not math.isfinite(value):
        return "–"
    return f"{value:.1%}" if percent else f"{value:.3f}"


def metrics_part(metrics: PlayMetrics) -> None:
    """Accuracy and the test points' confusion matrix for classes; R² and RMSE for values.
    The worker measured them after the epoch the counter shows."""
    box = st.container(key="pg_metrics", horizontal=True, vertical_alignment="top", gap="medium")
    if not metrics.classes:
        for label, value in (
            ("Train R²", metrics.train),
            ("Test R²", metrics.test),
            ("Train RMSE", metrics.train_rmse),
            ("Test RMSE", metrics.test_rmse),
        ):
            box.metric(label, _shown(value, False), width="content")
        return
    box.metric("Train accuracy", _shown(metrics.train, True), width="content")
    box.metric("Test accuracy", _shown(metrics.test, True), width="content")
    if metrics.confusion is not None:
        names = [CLASS_NAMES[c] for c in range(metrics.classes)]
        table = pd.DataFrame(metrics.confusion, index=names, columns=names)
        table.index.name = "true ↓ · answered →"
        with box.container(key="pg_confusion", width="content"):
            st.caption("Test points: true class (rows), the network's answer (columns)")
            st.table(table)


def network_part(spec: PlaygroundSpec, parts: Split, current: pg.Training) -> None:
    job = current.job
    if playground_backward.toggle(job):  # the backward pass instead of the forward drawing
        features = [(FEATURES[key].label, feature_tile(key)) for key in spec.features]
        playground_backward.view(spec, job, parts, features)
        return
    network(spec, None if job is None else job.latest, parts)


def draw_plane(spec, parts, values, current, add_point) -> None:
    """``plane_part`` as a fragment: while playing, every REDRAW_SECONDS or the session's share
    of the server's redraws; once otherwise."""
    live = current.job is not None and current.job.live
    every = current_intervals()[0]
    st.session_state["pg_plane_every"] = every
    st.fragment(run_every=every if live else None)(plane_part)(
        spec, parts, values, current, add_point
    )


def draw_losses(current) -> None:
    """``loss_part`` as a fragment: while playing, every LOSS_SECONDS or its share; once
    otherwise."""
    live = current.job is not None and current.job.live
    st.fragment(run_every=current_intervals()[1] if live else None)(loss_part)(current)


def draw_network(spec, parts, current) -> None:
    """``network_part`` as a fragment: while playing, every NETWORK_SECONDS or its share; once
    otherwise."""
    live = current.job is not None and current.job.live
    every = current_intervals()[2]
    st.fragment(run_every=every if live else None)(network_part)(spec, parts, current)
