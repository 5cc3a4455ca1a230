"""Typed access to what pages share through ``st.session_state``.

Build & Train leaves its training here; Draw a Digit reads it and keeps its own buffer of
drawings and fine-tuned copies. Everything here is private to one visitor's session.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from nncore.data.csv_files import CsvData
from nncore.network.spec import NetworkSpec
from nncore.training import store
from nncore.training.health import StepResult
from nncore.training.run import TrainingRun
from nncore.workers.client import ModelSource, Owner, RunHandle, StepJob

DRAWINGS_KEPT = 24  # drawings kept for teaching; the oldest go first


@dataclass(frozen=True)
class TaughtDrawing:
    """A drawing the visitor labelled: the network's 28×28 input and the right digit."""

    x: np.ndarray
    digit: int


def owner() -> Owner:
    """This session's token: jobs hold it weakly, and stop when the session is gone."""
    return st.session_state.setdefault("_owner", Owner())


@dataclass
class KeptRun:
    """A finished training opened from its link (``run=<id>``): no worker, nothing to control."""

    run: TrainingRun
    stop_requested: bool = False
    ahead: int = 0


RUN_PARAMETER = "run"


def build_run() -> RunHandle | KeptRun | None:
    """The training of this session's Build & Train, if any (running, finished or kept)."""
    return st.session_state.get("build_run")


def open_kept_run() -> str | None:
    """Open the training a link names (``run=<id>``) unless it is already this session's.

    Returns a sentence when the link names a training that is not (or no longer) kept.
    """
    run_id = st.query_params.get(RUN_PARAMETER)
    current = build_run()
    if not run_id or (current is not None and current.run.run_id == run_id):
        return None
    # A link is opened once: after that the address may still name a run this session has
    # moved on from (Train pressed again), which must not come back.
    handled = st.session_state.setdefault("_kept_runs", set())
    if run_id in handled:
        return None
    handled.add(run_id)
    kept = store.load(run_id)
    if kept is None:
        return (
            "This link names a training that is no longer kept (trainings are kept for 12 "
            "hours) or never existed. Press Train to train the network again."
        )
    st.session_state["build_run"] = KeptRun(kept)
    return None


def remember_run_data(run_id: str, data: CsvData) -> None:
    """The uploaded file a training used (only the latest is kept: one training a visitor)."""
    st.session_state["_run_data"] = {run_id: data}


def run_data(run_id: str) -> CsvData | None:
    """The uploaded file training ``run_id`` used, or None for the bundled digits."""
    return st.session_state.get("_run_data", {}).get(run_id)


def keep_finished_run() -> str | None:
    """Keep this session's finished training on disk; its id for the link, once kept.

    A training on an uploaded file is not kept: the file is private to this session, and a
    link cannot carry it.
    """
    current = build_run()
    if current is None or not current.run.over or not current.run.has_model:
        return None
    if run_data(current.run.run_id) is not None:
        return None
    kept = st.session_state.setdefault("_kept_runs", set())
    if current.run.run_id not in kept:
        store.keep(current.run)
        kept.add(current.run.run_id)
    return current.run.run_id


def set_build_run(handle: RunHandle) -> None:
    previous = build_run()
    if previous is not None and previous.run.active:
        previous.stop()  # one training per visitor: a new one replaces the old
    st.session_state["build_run"] = handle


@dataclass(frozen=True)
class Stepping:
    """Build's "Step one batch": the network stepped, its last step's result, one under way."""

    spec: NetworkSpec
    result: StepResult | None = None
    pending: StepJob | None = None


def stepping() -> Stepping | None:
    return st.session_state.get("build_stepping")


def set_stepping(value: Stepping | None) -> None:
    st.session_state["build_stepping"] = value


def taught_drawings() -> list[TaughtDrawing]:
    """The drawings collected on Draw a Digit for teaching, oldest first."""
    return st.session_state.setdefault("draw_buffer", [])


def keep_drawing(drawing: TaughtDrawing) -> None:
    drawings = taught_drawings()
    drawings.append(drawing)
    del drawings[:-DRAWINGS_KEPT]


def taught_copies() -> dict[str, ModelSource]:
    """Fine-tuned private copies, by the key of the network each was taught from."""
    return st.session_state.setdefault("draw_copies", {})


def current_drawing() -> np.ndarray | None:
    """The drawing on the canvas as the network's 28×28 input (None when blank)."""
    return st.session_state.get("draw_x")


def set_current_drawing(x: np.ndarray | None) -> None:
    st.session_state["draw_x"] = x
