"""Typed access to the 2D Playground's part of ``st.session_state``: the visitor's points and
their network's training. Everything here is private to one visitor's session.

The network is identified by everything that shapes it (the spec, the training share and the
points' version); when any of these change, the old network is dropped, as in TensorFlow
Playground, and the next Play starts from fresh seeded weights.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

from nncore.playground.datasets import RADIUS, Points, Split, generate
from nncore.playground.features import feature_matrix, grid_points
from nncore.playground.settings import GRID, SETTINGS_BY_KEY, PlaygroundSpec
from nncore.workers.client import PlaygroundJob, PlayRequest, start_playground
from pages._ui.state import owner
from pages._ui.widgets import last_value


@dataclass(frozen=True)
class PointsState:
    """The points on the plane, what generated them, and a version bumped on every change."""

    points: Points
    source: tuple  # (dataset, noise, number, seed) they were generated from
    version: int
    own: bool = False  # clicked or uploaded points (not what the generator gives)


def generator_key(values: dict) -> tuple:
    return (values["data"], int(values["noise"]), int(values["points"]), int(values["seed"]))


def points_state(values: dict) -> PointsState:
    """The visitor's points: regenerated when the generator's settings change, otherwise kept
    (with the points they clicked or uploaded)."""
    current: PointsState | None = st.session_state.get("pg_points")
    source = generator_key(values)
    if current is None or current.source != source:
        data, noise, n, seed = source
        current = PointsState(
            generate(data, n, noise / 100, seed), source, (current.version + 1) if current else 0
        )
        st.session_state["pg_points"] = current
    return current


def set_points(points: Points) -> None:
    """Replace the points (a click, an upload); the network learns them from scratch."""
    current: PointsState = st.session_state["pg_points"]
    st.session_state["pg_points"] = replace(
        current, points=points, version=current.version + 1, own=True
    )


def regenerate() -> None:
    """Callback of Regenerate: new points from the next seed (clicked or uploaded ones go).

    The seed's widget may have no state at this moment (Streamlit drops a widget's state when
    the run that should draw it was cut short, as a busy server's are): then the page's last
    published value, or the default, is the one to step from.
    """
    seed = SETTINGS_BY_KEY["seed"]
    st.session_state[seed.key] = (int(last_value("playground", seed)) + 1) % 10_000


@dataclass
class Training:
    """This visitor's network: what it was made for, and its current (or last) job."""

    signature: tuple
    job: PlaygroundJob | None = None


def training(signature: tuple) -> Training:
    """The training of the network with ``signature``; a different one drops the old network."""
    current: Training | None = st.session_state.get("pg_training")
    if current is None or current.signature != signature:
        if current is not None and current.job is not None:
            current.job.stop()
        current = st.session_state["pg_training"] = Training(signature)
    return current


def request(
    spec: PlaygroundSpec, parts: Split, job: PlaygroundJob | None, mode: str
) -> PlayRequest:
    """What a new job needs: the features of the points and the grid, and where to continue."""
    f = spec.features
    latest = job.latest if job is not None else None
    return PlayRequest(
        spec,
        feature_matrix(parts.train.x, f),
        parts.train.y,
        feature_matrix(parts.test.x, f),
        parts.test.y,
        feature_matrix(grid_points(GRID, RADIUS), f),
        weights=None if latest is None else latest.weights,
        epoch=0 if latest is None else latest.epoch,
        mode=mode,
    )


def start(current: Training, spec: PlaygroundSpec, parts: Split, mode: str) -> None:
    """A new job continuing the last one's network (its curves carried over)."""
    previous = current.job
    job = start_playground(request(spec, parts, previous, mode), owner())
    if previous is not None:
        job.losses = list(previous.losses)
        job.latest = previous.latest
    current.job = job


def play(current: Training, spec: PlaygroundSpec, parts: Split) -> None:
    """Callback of ▶ Play: resume the waiting job, or start one from where the network is."""
    if current.job is not None and current.job.state == "paused":
        current.job.play()
    elif current.job is None or not current.job.active:
        start(current, spec, parts, "play")


def pause(current: Training) -> None:
    if current.job is not None:
        current.job.pause()


def step(current: Training, spec: PlaygroundSpec, parts: Split) -> None:
    """Callback of Step: one epoch, then wait."""
    if current.job is not None and current.job.state in ("paused", "playing"):
        current.job.step()
    elif current.job is None or not current.job.active:
        start(current, spec, parts, "step")


def reset(current: Training) -> None:
    """Callback of Reset: stop and forget the network; the next Play starts at epoch 0."""
    if current.job is not None:
        current.job.stop()
    current.job = None


def selected_neuron() -> tuple[int, int] | None:
    return st.session_state.get("pg_neuron")


def select_neuron(neuron: tuple[int, int] | None) -> None:
    st.session_state["pg_neuron"] = neuron


def sample_point(parts: Split) -> np.ndarray:
    """The training point a neuron's numbers are worked out at: the first one."""
    return parts.train.x[0]
