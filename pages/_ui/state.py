"""Typed access to what pages keep in ``st.session_state``, every key named here once.

Build & Train leaves its training here; Draw a Digit reads it and keeps its own buffer of
drawings and fine-tuned copies. A widget's own value lives under its widget key: a setting's
control under its page's own key (``widgets.PageWidgets``), the few other controls pages read
under the ``*_KEY`` constants below; everything else a page keeps between runs goes through an
accessor of this module. All of it is private to one visitor's session.
(The 2D Playground's state has its own module, ``playground_state``.)
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np
import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from nncore.data.csv_files import CsvData
from nncore.network.spec import NetworkSpec
from nncore.training import store
from nncore.training.compare import RunRecord, keep_bounded, record_of
from nncore.training.health import StepResult
from nncore.training.run import TrainingRun
from nncore.workers.client import ModelSource, Owner, RunHandle, StepJob

DRAWINGS_KEPT = 24  # drawings kept for teaching; the oldest go first

# Widget keys that pages read outside the widget itself.
DATA_SOURCE_KEY = "data_source"  # Build's Data radio: "mnist" or "csv"
CSV_UPLOAD_KEY = "csv_upload"  # Build's CSV uploader
DRAW_LABEL_KEY = "draw_label"  # Draw's "which digit is it?" pick
MODEL_UPLOAD_KEY = "draw_model_upload"  # Draw's .keras uploader

T = TypeVar("T")


@dataclass(frozen=True)
class TaughtDrawing:
    """A drawing the visitor labelled: the network's 28×28 input and the right digit."""

    x: np.ndarray
    digit: int


def owner() -> Owner:
    """This session's token: jobs hold it weakly, and stop when the session is gone."""
    return st.session_state.setdefault("_owner", Owner())


class BuildRun(Protocol):
    """What every Build & Train training offers the page: its ``TrainingRun``. A live one
    (``RunHandle``) also has controls; a kept one has none."""

    @property
    def run(self) -> TrainingRun: ...


@dataclass
class KeptRun:
    """A finished training opened from its link (``run=<id>``): no worker, nothing to control."""

    run: TrainingRun


RUN_PARAMETER = "run"
# The trainings pages follow, by run id, shared by every session of this server: the handle
# (weakly: the session holds it), the session following it, and the epochs it had when it was
# stopped because that page went away. Streamlit stops a running script both when its page goes
# away (closed, reloaded, offline) and when a click starts the next run at once, so whether the
# page is gone is only known a moment later. A reloaded page reads this too, to say what became
# of the training its address names.
_FOLLOWED: OrderedDict[str, tuple[weakref.ref[RunHandle], str, int | None]] = OrderedDict()
_FOLLOWED_LIMIT = 1000
_FOLLOWED_LOCK = threading.Lock()
LEFT_GRACE_SECONDS = 3.0  # a page's connection lost for less than this keeps its training


def _session_active(session_id: str) -> bool:
    """Whether a browser is connected to the session (outside a server, as in tests: yes)."""
    return not Runtime.exists() or Runtime.instance().is_active_session(session_id)


def page_follows(handle: RunHandle) -> None:
    """This session's page follows ``handle`` (live curves): remembered for the moment it
    stops following."""
    context = get_script_run_ctx()
    if context is None:
        return
    with _FOLLOWED_LOCK:
        if handle.run.run_id not in _FOLLOWED:
            _FOLLOWED[handle.run.run_id] = (weakref.ref(handle), context.session_id, None)
        while len(_FOLLOWED) > _FOLLOWED_LIMIT:
            _FOLLOWED.popitem(last=False)


def page_stopped_following(handle: RunHandle) -> None:
    """Streamlit stopped the script that followed ``handle``: if its page has gone away rather
    than rerun, nobody is left to watch or stop the training, so stop it (its trainer is free
    for the next student at once). Checked after LEFT_GRACE_SECONDS (or by a reload)."""
    timer = threading.Timer(LEFT_GRACE_SECONDS, _stop_if_page_gone, (handle.run.run_id,))
    timer.daemon = True
    timer.start()


def _stop_if_page_gone(run_id: str, wait: float = 0.0) -> int | None:
    """Stop the training ``run_id`` if the page that followed it is gone (waiting up to
    ``wait`` s for its connection to close); the epochs it had then, if stopped so."""
    deadline = time.monotonic() + wait
    while True:
        with _FOLLOWED_LOCK:
            entry = _FOLLOWED.get(run_id)
            if entry is None:
                return None
            ref, session_id, stopped_after = entry
            if stopped_after is not None:
                return stopped_after
            handle = ref()
            if handle is None or not handle.run.active:
                return None
            if not _session_active(session_id):
                _FOLLOWED[run_id] = (ref, session_id, handle.run.epochs_done)
                break
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.1)
    handle.stop()
    return handle.run.epochs_done


def left_behind_note(run_id: str) -> str | None:
    """The sentence for a page whose address names a training stopped because its page went
    away (a reload comes back before the grace is over: the training is stopped now). The
    reloaded page may arrive before the server has seen the old one close: it waits for that."""
    epochs = _stop_if_page_gone(run_id, wait=LEFT_GRACE_SECONDS)
    if epochs is None:
        return None
    return (
        f"Your training was stopped after epoch {epochs}: its page was reloaded or closed "
        "while it trained, and a training nobody watches would hold a trainer a classmate "
        "may be waiting for. Press Train to train again."
    )


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
        return left_behind_note(run_id) or (
            "This link names a training that is still under way, is no longer kept "
            "(trainings are kept for 12 hours) or never existed. Press Train to train the "
            "network again."
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
        try:
            store.keep(current.run)
        except (store.StoreProblem, OSError):  # said in the server's log at start; the run stays
            return None  # in this session, without a link
        kept.add(current.run.run_id)
    return current.run.run_id


def set_build_run(handle: RunHandle) -> None:
    previous = build_run()
    if isinstance(previous, RunHandle) and previous.run.active:
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


# --- Build & Train: the uploaded file, and sentences kept for the next run ---------------------


def uploaded_csv() -> CsvData | None:
    """The last file this session uploaded on Build & Train that was understood."""
    return st.session_state.get("csv_data")


def set_uploaded_csv(data: CsvData) -> None:
    st.session_state["csv_data"] = data
    st.session_state["csv_problem"] = None


def csv_problem() -> tuple[str, str] | None:
    """(file name, sentence) for the last refused file, shown under the uploader."""
    return st.session_state.get("csv_problem")


def set_csv_problem(file_name: str, sentence: str) -> None:
    st.session_state["csv_problem"] = (file_name, sentence)


def chosen_data_source() -> str:
    """Build's data choice, kept beside the radio: Streamlit forgets a widget's value on a page
    that does not draw it, and coming back from another page must still train on the file."""
    return st.session_state.get("_data_source", "mnist")


def remember_data_source(key: str) -> None:
    st.session_state["_data_source"] = key


def take_button_problem() -> str | None:
    """Why the last Train or "Step one batch" could not start (said once, on the next run:
    a button's callback runs before the page is drawn)."""
    return st.session_state.pop("build_button_problem", None)


def set_button_problem(sentence: str) -> None:
    st.session_state["build_button_problem"] = sentence


def cached_figure(name: str, frame: Any, build: Callable[[], T]) -> tuple[T, bool]:
    """A figure kept between runs while its ``frame`` (what shapes it) stays the same, so a
    live view updates its data in place instead of rebuilding it. Returns (figure, fresh)."""
    key = f"_figure_{name}"
    cached = st.session_state.get(key)
    if cached is not None and cached[0] == frame:
        return cached[1], False
    figure = build()
    st.session_state[key] = (frame, figure)
    return figure, True


# Figures drawn from a page's settings alone (never from a visitor's data), shared by every
# session of this server: a class moving the same sliders asks for the same figures again
# and again, and a control that changes none of them (the worked step's slider) reuses them.
# Building a plotly figure (validating every property) is most of such a rerun's cost.
_SHARED_FIGURES: OrderedDict[Hashable, Any] = OrderedDict()
_SHARED_FIGURES_LIMIT = 128
_SHARED_FIGURES_LOCK = threading.Lock()


def shared_figure(key: Hashable, build: Callable[[], T]) -> T:
    """The figure ``build`` makes for ``key``, built once for every session of the server.

    Only for figures made from settings, which any visitor could ask for with a link: nothing
    private may go in ``key``'s figure. The figure must not be changed once shared (Streamlit
    only reads it)."""
    with _SHARED_FIGURES_LOCK:
        if key in _SHARED_FIGURES:
            _SHARED_FIGURES.move_to_end(key)
            return _SHARED_FIGURES[key]
    figure = build()  # outside the lock: two sessions may build the same figure at once
    with _SHARED_FIGURES_LOCK:
        _SHARED_FIGURES[key] = figure
        while len(_SHARED_FIGURES) > _SHARED_FIGURES_LIMIT:
            _SHARED_FIGURES.popitem(last=False)
    return figure


# --- Draw a Digit: fine-tuning and an uploaded model ---------------------------------------------


@dataclass(frozen=True)
class TunedReport:
    """What the last fine-tuning did: answers to the drawing before and after, and the held-out
    check. ``error`` instead, when it failed."""

    drawing: int | None = None  # which drawing ``before``/``after`` answer (its fingerprint)
    before: np.ndarray | None = None
    after: np.ndarray | None = None
    count: int = 0
    held_before: float = 0.0
    held_after: float = 0.0
    held_rows: int = 0
    error: str | None = None


def tuned_report() -> TunedReport | None:
    return st.session_state.get("draw_tuned")


def set_tuned_report(report: TunedReport | None) -> None:
    st.session_state["draw_tuned"] = report


def request_fine_tune() -> None:
    """Remember a click on Fine-tune until the page has chosen its network."""
    st.session_state["draw_fine_tune_request"] = True


def take_fine_tune_request() -> bool:
    return bool(st.session_state.pop("draw_fine_tune_request", False))


def uploaded_model() -> ModelSource | None:
    """The network the visitor uploaded on Draw a Digit, unless they put it aside."""
    return st.session_state.get("draw_model")


def set_uploaded_model(model: ModelSource | None) -> None:
    st.session_state["draw_model"] = model
    if model is not None:
        st.session_state["draw_model_problem"] = None


def model_problem() -> tuple[str, str] | None:
    """(file name, sentence) for the last refused model file."""
    return st.session_state.get("draw_model_problem")


def set_model_problem(file_name: str, sentence: str) -> None:
    st.session_state["draw_model_problem"] = (file_name, sentence)


# --- Your runs (Build & Train) and the class board this session joined ----------------------------

RUNS_KEPT = 20  # finished trainings listed under "Your runs", without their weights


def past_runs() -> list[RunRecord]:
    """This session's finished trainings, oldest first (at most RUNS_KEPT)."""
    return st.session_state.setdefault("_past_runs", [])


def remember_run(run: TrainingRun) -> None:
    """Add a finished or stopped training to "Your runs", once."""
    records = past_runs()
    if any(r.run_id == run.run_id for r in records):
        return
    record = record_of(run, records[-1] if records else None, f"Run {len(records) + 1}")
    st.session_state["_past_runs"] = keep_bounded(records, record, RUNS_KEPT)


def replace_past_runs(records: list[RunRecord]) -> None:
    st.session_state["_past_runs"] = records[-RUNS_KEPT:]


def joined_board() -> tuple[str, str] | None:
    """(board id, join token) of the class board this session joined by its link."""
    return st.session_state.get("_joined_board")


def join_board(board_id: str, token: str) -> None:
    st.session_state["_joined_board"] = (board_id, token)
