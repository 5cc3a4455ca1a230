"""Build & Train's confusion matrix, opened up: a click on a cell shows its test digits.

Each cell counts the test digits of one true class (row) the network answered with one class
(column). Clicked, it shows those digits with the network's confidence, the most confident
first; a click on one of them opens its answer into softmax by the numbers (the logits come
from the inference worker, as on Draw a Digit) and "Draw it" takes it to Draw a Digit. Opening
changes nothing about the setup, so it works under a teacher's lock too.
"""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import streamlit as st

from nncore.data.csv_split import split_rows
from nncore.digits.answers import reads_drawings
from nncore.network.spec import DEFAULT_SPEC
from nncore.training.evaluation import (
    answer_confidence,
    cell_rows,
    confusion_matrix,
    pictures_of_test_rows,
)
from nncore.training.figures import confusion_heatmap, digit_grid
from nncore.training.run import TrainingRun
from nncore.workers.client import ModelSource, WorkerUnavailable, answer
from pages._ui import state
from pages._ui.opened_digit import OpenedDigit, open_on_draw
from pages._ui.softmax_view import show_softmax_steps
from pages._ui.widgets import plain_text

CELL_KEY = "_build_cell"  # (run id, true class, answered class) of the open cell
DIGIT_KEY = "_build_cell_digit"  # (run id, true, answered, place in the cell's order)
LOGITS_KEY = "_build_cell_logits"  # the worker's logits per (run id, test row), a few kept
LOGITS_KEPT = 16
SHOWN = 24  # digits drawn for one cell: three rows of eight
CHART_KEY, DIGITS_KEY = "confusion", "cell_digits"
DIGIT_NAMES = tuple(str(d) for d in range(10))
# Clicks here open cells and digits: plotly's toolbar (zoom, box select) only gets in the way,
# and on a phone it covers the top row's titles.
NO_TOOLBAR = {"displayModeBar": False}


@st.cache_resource(max_entries=8, show_spinner=False)
def _bundled_pictures(rows: int, test: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The bundled digits' test pictures for one split, shared read-only by every visitor who
    opens a cell of a network trained on it (only rows, test and seed choose the split)."""
    pictures, labels = pictures_of_test_rows(replace(DEFAULT_SPEC, rows=rows, test=test, seed=seed))
    pictures.flags.writeable = labels.flags.writeable = False
    return pictures, labels


def pictures_of(record: TrainingRun) -> np.ndarray | None:
    """The run's test rows as 28 × 28 pictures in [0, 1] (uint8 for the bundled digits), in the
    worker's order; None for a table, or when splitting again gives other labels than the
    worker's (then a picture could be shown under the wrong answer)."""
    if record.test is None or record.spec.features:
        return None
    data = state.run_data(record.run_id)
    if data is not None:  # the visitor's own file, kept in this session
        if not data.source.pictures:
            return None
        _, test = split_rows(data, record.spec)
        pictures, labels = data.x[test].reshape(-1, 28, 28), data.labels[test]
    else:
        spec = record.spec
        pictures, labels = _bundled_pictures(spec.rows, spec.test, spec.seed)
    return pictures if np.array_equal(labels, record.test.labels) else None


def _as_input(picture: np.ndarray) -> np.ndarray:
    """A stored picture as the network reads it: floats in [0, 1]."""
    if picture.dtype == np.uint8:
        return picture.astype(np.float32) / 255
    return picture.astype(np.float32)


def open_cell(run_id: str, classes: int) -> None:
    """Callback of a click on the matrix: open the clicked cell at its first digit."""
    event = st.session_state.get(CHART_KEY)
    points = [p for p in (event.selection.points if event else []) if p.get("curve_number") == 1]
    if not points:  # a click beside the cells, or the selection cleared: the cell stays open
        return
    true, answered = divmod(int(points[0]["point_index"]), classes)
    st.session_state[CELL_KEY] = (run_id, true, answered)
    st.session_state[DIGIT_KEY] = (run_id, true, answered, 0)


def open_digit(cell: tuple[str, int, int]) -> None:
    """Callback of a click on one of the cell's digits: open that one."""
    event = st.session_state.get(DIGITS_KEY)
    points = [p for p in (event.selection.points if event else []) if p.get("curve_number") == 1]
    if points:
        st.session_state[DIGIT_KEY] = (*cell, int(points[0]["point_index"]))


def open_cell_of(run_id: str) -> tuple[int, int] | None:
    cell = st.session_state.get(CELL_KEY)
    return (cell[1], cell[2]) if cell and cell[0] == run_id else None


def confusion_chart(record: TrainingRun, names: tuple[str, ...], present: bool) -> None:
    """The matrix, its cells clickable, the open one outlined; under it, the open cell."""
    assert record.test is not None
    true, predicted = record.test.labels, record.test.predicted
    matrix = confusion_matrix(true, predicted, len(names))
    chosen = open_cell_of(record.run_id)
    pictures = pictures_of(record)
    figure = confusion_heatmap(matrix, present=present, names=names, chosen=chosen)
    if pictures is None:  # a table's rows have no pictures to open
        st.plotly_chart(figure, key=CHART_KEY)
        return
    st.plotly_chart(
        figure,
        key=CHART_KEY,
        on_select=functools.partial(open_cell, record.run_id, len(names)),
        selection_mode=("points",),
        config=NO_TOOLBAR,
    )
    if chosen is None:
        st.caption(
            "Click a cell to see its test digits: the diagonal holds the right answers, every "
            "other cell one kind of mistake."
        )
        return
    cell_digits(record, names, pictures, chosen, present)


def cell_digits(
    record: TrainingRun,
    names: tuple[str, ...],
    pictures: np.ndarray,
    cell: tuple[int, int],
    present: bool,
) -> None:
    """The open cell's digits, the most confident first, and the one opened among them."""
    assert record.test is not None
    probabilities = record.test.probabilities
    rows = cell_rows(record.test.labels, probabilities, cell)
    true, answered = (plain_text(names[c], 40) for c in cell)
    verdict = "right" if cell[0] == cell[1] else "wrong"
    if not len(rows):
        st.info(
            f"No test {_example(names)} is here: the network never answered {answered} for a "
            f"true {true}.",
            icon=":material/grid_on:",
        )
        return
    shown = rows[:SHOWN]
    more = f"; the {len(shown)} it was surest of" if len(rows) > len(shown) else ""
    st.markdown(
        f"**True {true}, answered {answered}** ({verdict}): {len(rows)} test "
        f"{_example(names)}{'s' * (len(rows) != 1)}{more}, each with the network's confidence. "
        "Click one to open its answer."
    )
    opened = st.session_state.get(DIGIT_KEY)
    place = opened[3] if opened and opened[:3] == (record.run_id, *cell) else 0
    place = min(place, len(shown) - 1)
    confidence = answer_confidence(probabilities)
    st.plotly_chart(
        digit_grid(
            np.stack([_as_input(pictures[r]) for r in shown]),
            [],
            [],
            present=present,
            titles=[f"{confidence[r]:.0%}" for r in shown],
            clickable=True,
            chosen=place,
        ),
        key=DIGITS_KEY,
        on_select=functools.partial(open_digit, (record.run_id, *cell)),
        selection_mode=("points",),
        config=NO_TOOLBAR,
    )
    opened_answer(record, names, int(shown[place]), _as_input(pictures[shown[place]]))


def _example(names: tuple[str, ...]) -> str:
    return "digit" if tuple(names) == DIGIT_NAMES else "picture"


def worker_logits(record: TrainingRun, row: int, x: np.ndarray) -> np.ndarray | None:
    """The logits the trained network computes for test row ``row``, from the inference worker
    (kept for a few rows: every click on the page draws the open digit again)."""
    kept: dict[tuple[str, int], np.ndarray] = st.session_state.setdefault(LOGITS_KEY, {})
    if (record.run_id, row) not in kept:
        source = ModelSource.from_run(record, "your Build & Train network")
        with st.spinner("Asking your network about this digit…"):
            reply = answer(source, x, state.owner())
        if reply.logits is None:
            return None
        while len(kept) >= LOGITS_KEPT:
            kept.pop(next(iter(kept)))
        kept[(record.run_id, row)] = reply.logits
    return kept[(record.run_id, row)]


def opened_answer(record: TrainingRun, names: tuple[str, ...], row: int, x: np.ndarray) -> None:
    """One test digit's answer: what it is, what the network said and how sure, its softmax by
    the numbers, and the button that takes it to Draw a Digit."""
    assert record.test is not None
    probabilities = record.test.probabilities[row]
    true = plain_text(names[int(record.test.labels[row])], 40)
    said = int(np.argmax(probabilities))
    answered = plain_text(names[said], 40)
    st.markdown(
        f"**Opened:** test {_example(names)} {row + 1} of {len(record.test.labels)}, a true "
        f"**{true}**; the network answered **{answered}** with {probabilities[said]:.1%}."
    )
    drawable = record.has_model and reads_drawings(record.spec.input_shape, record.spec.classes)
    if drawable and st.button(
        "Draw it on Draw a Digit", key="cell_to_draw", icon=":material/draw:"
    ):
        origin = (
            f"Test digit {row + 1} from Build & Train: a true {true} your network answered "
            f"{answered} ({probabilities[said]:.0%})."
        )
        open_on_draw(OpenedDigit(x, origin))
        st.switch_page("pages/draw.py", query_params={"net": "build"})
    if not record.has_model:
        return
    try:
        logits = worker_logits(record, row, x)
    except FloatingPointError:
        st.warning("This network answers NaN: its training diverged, so there is no softmax.")
        return
    except WorkerUnavailable:
        st.warning("The network that answers is restarting: click the digit again in a moment.")
        return
    if logits is not None:
        digits = tuple(names) == DIGIT_NAMES
        show_softmax_steps(logits, "build", names=None if digits else names, expanded=True)
