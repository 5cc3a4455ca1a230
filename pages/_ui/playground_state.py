"""Typed access to the 2D Playground's part of ``st.session_state``: the visitor's points and
their network's training. Everything here is private to one visitor's session.

The network is identified by everything that shapes it (the spec, the training share and the
points' version); when any of these change, the old network is dropped, as in TensorFlow
Playground, and the next Play starts from fresh seeded weights. What it trained is listed under
"Your runs" first (``nncore.playground.runs`` says when a run ends).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import streamlit as st

from nncore.playground.datasets import Points, Split, generate
from nncore.playground.runs import playground_record
from nncore.playground.settings import SETTINGS_BY_KEY, PlaygroundSpec
from nncore.training.compare import RunRecord, keep_bounded
from nncore.workers.client import PlaygroundJob, PlayRequest, StopRule, start_playground
from pages._ui.runs import RunList, newly_listed
from pages._ui.state import owner
from pages._ui.widgets import PageWidgets, last_value


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
    PageWidgets("playground")[seed.key] = (int(last_value("playground", seed)) + 1) % 10_000


def new_run_id() -> str:
    return secrets.token_hex(8)


@dataclass
class Training:
    """This visitor's network: what it was made for, its current (or last) job, and the run
    it is (``run_id``, with the settings and spec the run is listed with)."""

    signature: tuple
    job: PlaygroundJob | None = None
    spec: PlaygroundSpec | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    run_id: str = field(default_factory=new_run_id)
    rule: StopRule | None = None  # the stop rule the page last handed over (None: none)


def training(
    signature: tuple, spec: PlaygroundSpec | None = None, settings: dict[str, Any] | None = None
) -> Training:
    """The training of the network with ``signature``; a different one drops the old network
    (listed under Your runs first, if it trained)."""
    current: Training | None = st.session_state.get("pg_training")
    if current is None or current.signature != signature:
        if current is not None:
            list_run(current)
            if current.job is not None:
                current.job.stop()
        current = Training(signature, spec=spec, settings=dict(settings or {}))
        st.session_state["pg_training"] = current
    return current


# --- Your runs --------------------------------------------------------------------------------

RUNS_KEPT = 20  # as on Build & Train: the session's latest runs, without weights


def past_runs() -> list[RunRecord]:
    """This session's playground runs, oldest first (at most RUNS_KEPT)."""
    return st.session_state.setdefault("pg_past_runs", [])


def replace_past_runs(records: list[RunRecord]) -> None:
    st.session_state["pg_past_runs"] = records[-RUNS_KEPT:]


def run_values(record: RunRecord) -> dict[str, Any]:
    """A listed run's settings as the controls' values (the features it did not use off)."""
    features = {s.key: False for s in SETTINGS_BY_KEY.values() if s.key.startswith("f_")}
    return {**features, **record.settings}


PLAYGROUND_RUNS = RunList(
    page="playground",
    prefix="pg_runs",
    records=past_runs,
    replace=replace_past_runs,
    values_of=run_values,
    empty="Each network you train joins this list when it stops (Pause, the stop rule, Reset "
    "or a new setup), so you can compare them: change one setting, play again, and see what "
    "it did.",
    file_name="playground_runs.csv",
)


def list_run(current: Training) -> None:
    """List the network's run under Your runs, or bring its row up to date (same run id: the
    name typed for it stays). Nothing for a network without epochs. A new run is ticked for
    the overlay."""
    job = current.job
    if job is None or not job.losses or current.spec is None:
        return None
    records = past_runs()
    index = next((i for i, r in enumerate(records) if r.run_id == current.run_id), None)
    if index is not None and records[index].epochs_done == len(job.losses):
        return
    earlier = records[:index] if index is not None else records
    record = playground_record(
        current.run_id,
        records[index].name if index is not None else f"Run {len(records) + 1}",
        current.settings,
        current.spec,
        job.losses,
        job.scores,
        0.0 if job.latest is None else job.latest.seconds,
        earlier[-1] if earlier else None,
        state="stop rule" if job.stopped_by_rule else "paused",
    )
    if index is not None:
        replace_past_runs([*records[:index], record, *records[index + 1 :]])
        return
    replace_past_runs(keep_bounded(records, record, RUNS_KEPT))
    newly_listed(PLAYGROUND_RUNS, current.run_id)


def pending_rule(rule: StopRule, job: PlaygroundJob | None) -> StopRule | None:
    """The stop rule to hand the worker: None when there is none, or when the network is
    already past it (it has stopped there once; Play goes on)."""
    latest = job.latest if job is not None else None
    epoch = 0 if latest is None else latest.epoch
    test_loss = job.losses[-1][2] if job is not None and job.losses else None
    if not rule.active or rule.met(epoch, test_loss):
        return None
    return rule


def follow_rule(current: Training, rule: StopRule) -> None:
    """The page's stop rule changed (or the network moved past it): tell the running job."""
    current.rule = pending_rule(rule, current.job)
    if current.job is not None and current.job.active:
        current.job.set_rule(current.rule)


def request(
    spec: PlaygroundSpec,
    parts: Split,
    job: PlaygroundJob | None,
    mode: str,
    rule: StopRule | None = None,
) -> PlayRequest:
    """What a new job needs: the points as features, and where to continue."""
    latest = job.latest if job is not None else None
    return PlayRequest.for_split(
        spec,
        parts,
        weights=None if latest is None else latest.weights,
        epoch=0 if latest is None else latest.epoch,
        mode=mode,
        stop=rule,
        seconds=0.0 if latest is None else latest.seconds,
    )


def start(current: Training, spec: PlaygroundSpec, parts: Split, mode: str) -> None:
    """A new job continuing the last one's network (its curves carried over)."""
    previous = current.job
    job = start_playground(request(spec, parts, previous, mode, current.rule), owner())
    if previous is not None:
        job.losses = list(previous.losses)
        job.scores = list(previous.scores)
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
    """Callback of Reset: stop and forget the network (listed under Your runs first); the
    next Play starts at epoch 0, a new run."""
    list_run(current)
    if current.job is not None:
        current.job.stop()
    current.job = None
    current.run_id = new_run_id()


def selected_neuron() -> tuple[int, int] | None:
    return st.session_state.get("pg_neuron")


def select_neuron(neuron: tuple[int, int] | None) -> None:
    st.session_state["pg_neuron"] = neuron


def sample_point(parts: Split) -> np.ndarray:
    """The training point a neuron's numbers are worked out at: the first one."""
    return parts.train.x[0]
