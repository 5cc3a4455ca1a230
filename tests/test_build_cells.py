"""Build & Train after a training: the confusion matrix's cells open into their test digits,
a test digit's answer opens into softmax by the numbers, and the first lesson's small defects.

A kept training (fake answers, random weights) opens from its link, as in tests/test_pages.py;
the logits come from the real inference worker.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncore.data.mnist import prepare_split
from nncore.network.settings import spec_from_values
from nncore.training.evaluation import (
    answer_confidence,
    cell_rows,
    evaluate,
    pictures_of_test_rows,
)
from nncore.training.figures import confusion_heatmap, digit_grid
from nncore.training.health import LayerHealth, NetworkHealth, histogram, what_to_look_for
from nncore.training.run import EpochRecord, State, TrainingRun
from nncore.workers.messages import new_key
from pages._ui import build_cells
from pages._ui.opened_digit import OPENED_KEY, OpenedDigit
from pages._ui.state import KeptRun
from tests.helpers import WORKER_TIMEOUT, open_with, page_app, texts

pytestmark = pytest.mark.usefixtures("store")

SPEC = spec_from_values({"layers": 1, "l1_units": 4, "l1_act": "tanh", "rows": 500, "epochs": 2})
SHAPES = [(784, 4), (4,), (4, 10), (10,)]


# --- pure functions ----------------------------------------------------------------------------


def test_a_cells_rows_are_its_true_and_answered_class_most_confident_first():
    true = np.array([3, 3, 3, 5, 3])
    probabilities = np.full((5, 10), 0.01)
    probabilities[[0, 1, 2, 3, 4], [3, 5, 3, 3, 3]] = [0.6, 0.9, 0.95, 0.8, 0.7]
    assert list(cell_rows(true, probabilities, (3, 3))) == [2, 4, 0]
    assert list(cell_rows(true, probabilities, (3, 5))) == [1]
    assert list(cell_rows(true, probabilities, (5, 5))) == []
    assert list(cell_rows(true, probabilities, (3, 3), limit=2)) == [2, 4]
    assert list(answer_confidence(probabilities)) == [0.6, 0.9, 0.95, 0.8, 0.7]


def test_the_test_pictures_are_the_workers_test_rows():
    split = prepare_split(SPEC)
    pictures, labels = pictures_of_test_rows(SPEC)
    assert pictures.shape == (100, 28, 28) and pictures.dtype == np.uint8
    assert np.array_equal(labels, split.labels_test)
    assert np.allclose(pictures / 255, split.x_test.reshape(-1, 28, 28), atol=1 / 510)


def test_every_cell_of_the_matrix_is_a_point_a_click_selects():
    counts = np.arange(100).reshape(10, 10)
    figure = confusion_heatmap(counts, chosen=(4, 7))
    cells = figure.data[1]
    # Point i is cell divmod(i, 10): row-major, as the page reads the click.
    assert (cells.x[47], cells.y[47], cells.customdata[47]) == ("7", "4", 47)
    assert cells.marker.opacity == 0  # invisible: the counts stay readable
    (outline,) = figure.layout.shapes
    assert (outline.x0, outline.x1, outline.y0, outline.y1) == (6.5, 7.5, 3.5, 4.5)
    assert figure.layout.hoverdistance == -1  # a click anywhere in a cell is that cell's


def test_a_grid_of_digits_is_no_taller_than_its_pictures_and_its_tiles_can_be_clicked():
    images = np.zeros((24, 28, 28))
    grid = digit_grid(images, [], [], titles=["50%"] * 24, clickable=True, chosen=9)
    # Three rows of 8 pictures, 28 × 28 with a title band: sized for a 460 px column, the
    # figure's height is what the pictures take there (it was 430 px, half of it blank).
    assert grid.layout.height < 300
    width = 8 * (28 + 6) - 6
    assert grid.layout.height == pytest.approx(16 + 3 * 460 / (width + 4) * (9 + 28 + 6), abs=1)
    tiles = grid.data[1]
    assert len(tiles.x) == 24 and (tiles.x[9], tiles.y[9]) == (34 + 13.5, 43 + 9 + 13.5)
    (outline,) = grid.layout.shapes
    assert outline.x0 < tiles.x[9] < outline.x1 and outline.y0 < tiles.y[9] < outline.y1


def _health(ratios: list[float], span: str) -> NetworkHealth:
    blank = histogram(np.zeros(3))
    layers = tuple(LayerHealth(f"d{i}", 1.0, 0.1, r, blank, blank) for i, r in enumerate(ratios))
    return NetworkHealth(layers, span, 0.3)


def test_the_health_note_quotes_the_updates_it_calls_healthy():
    during_training = what_to_look_for(_health([0.017, 0.004], "one epoch"))
    assert during_training.startswith("Healthy")
    assert "4.0e-03 to 1.7e-02" in during_training
    # It no longer calls 0.001 typical beside a 0.017 without saying why they differ.
    assert "around 0.001 of their size is typical" not in during_training
    assert "many batches' steps added up" in during_training
    one_step = what_to_look_for(_health([0.0012], "one batch"))
    assert "1.2e-03" in one_step and "one batch's step" in one_step


# --- the page ----------------------------------------------------------------------------------


def kept_training(store, state: State = "done") -> TrainingRun:
    """A small finished training kept on disk: answers right for three rows in four, the
    fourth answered as the next digit, with confidences from 0.5 up; random weights (the
    worker answers with them)."""
    from nncore.training import store as kept_runs

    rng = np.random.default_rng(0)
    run = TrainingRun(SPEC, run_id=new_key(), state="running", wall_seconds=0.5)
    split = prepare_split(SPEC)
    rows = np.arange(100)
    answered = np.where(rows % 4 == 0, (split.labels_test + 1) % 10, split.labels_test)
    probabilities = np.full((100, 10), 0.02, dtype=np.float32)
    probabilities[rows, answered] = np.linspace(0.5, 0.82, 100)
    run.test = evaluate(probabilities, split)
    run.history = [EpochRecord(e, 2.0 / e, 0.3 * e, 2.1 / e, 0.1, 0.001, 0.2) for e in (1, 2)]
    run.weights = [rng.normal(size=s).astype(np.float32) for s in SHAPES]
    run.settle(state)
    kept_runs.keep(run, store)
    return run


def open_kept(run: TrainingRun, **query: str):
    at = page_app("build.py", WORKER_TIMEOUT)
    return open_with(
        at, run=run.run_id, layers="1", l1_units="4", l1_act="tanh", rows="500", epochs="2", **query
    )


def expected_logits(run: TrainingRun, x: np.ndarray) -> np.ndarray:
    """What the network computes before softmax, here in numpy: tanh layer, then the output."""
    kernel, bias, out_kernel, out_bias = (w.astype(np.float64) for w in run.weights or [])
    return np.tanh(x.reshape(-1) @ kernel + bias) @ out_kernel + out_bias


def softmax_rows(at) -> list[dict]:
    (table,) = at.table
    return table.value.to_dict("records")


@pytest.mark.parametrize("lock", ["0", "1"])
def test_a_cell_opens_into_its_digits_and_the_first_into_its_softmax(store, lock):
    """Opening a cell changes no setup: under a teacher's lock=1 it works the same."""
    run = kept_training(store)
    at = open_kept(run, lock=lock)
    assert any("Click a cell to see its test digits" in c for c in texts(at.caption))
    assert run.test is not None
    cell = (3, 3)
    rows = cell_rows(run.test.labels, run.test.probabilities, cell)
    at.session_state[build_cells.CELL_KEY] = (run.run_id, *cell)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    heading = next(m for m in texts(at.markdown) if m.startswith("**True 3, answered 3**"))
    assert f"{len(rows)} test digit" in heading
    assert any(build_cells.DIGITS_KEY in chart.proto.id for chart in at.get("plotly_chart"))
    opened = int(rows[0])
    assert any(
        m.startswith(f"**Opened:** test digit {opened + 1} of 100") for m in texts(at.markdown)
    )
    # The softmax table: the worker's logits for that test digit, and their softmax.
    pictures, _ = pictures_of_test_rows(SPEC)
    logits = expected_logits(run, pictures[opened] / 255)
    table = softmax_rows(at)
    assert [float(row["logit z"]) for row in table] == pytest.approx(logits, abs=2e-3)
    shifted = np.exp(logits - logits.max())
    shares = [float(row["÷ sum = probability"].rstrip("%")) / 100 for row in table]
    assert shares == pytest.approx(shifted / shifted.sum(), abs=1e-4)
    # Another digit of the cell, as a click on it opens it.
    at.session_state[build_cells.DIGIT_KEY] = (run.run_id, *cell, 1)
    at.run()
    assert any(
        m.startswith(f"**Opened:** test digit {int(rows[1]) + 1} of 100")
        for m in texts(at.markdown)
    )
    logits = expected_logits(run, pictures[int(rows[1])] / 255)
    assert [float(row["logit z"]) for row in softmax_rows(at)] == pytest.approx(logits, abs=2e-3)
    assert not at.button(key="cell_to_draw").disabled


def test_a_cell_with_no_digit_says_so(store):
    run = kept_training(store)
    at = open_kept(run)
    at.session_state[build_cells.CELL_KEY] = (run.run_id, 3, 5)
    at.run()
    assert any("the network never answered 5 for a true 3" in i for i in texts(at.info))


def test_a_test_digit_handed_to_draw_a_digit_is_answered_by_the_build_network(store):
    """What "Draw it" hands over (the click and the page switch are in the browser tests)."""
    run = kept_training(store)
    pictures, _ = pictures_of_test_rows(SPEC)
    opened = OpenedDigit(pictures[5] / 255, "Test digit 6 from Build & Train: a true 2.")
    draw = page_app("draw.py", WORKER_TIMEOUT)
    draw.session_state["build_run"] = KeptRun(run)
    draw.session_state[OPENED_KEY] = opened
    open_with(draw, net="build")
    assert any(i.startswith("Test digit 6 from Build & Train") for i in texts(draw.info))
    assert "Prediction" in [m.label for m in draw.metric]
    assert "Answering: your Build & Train network." in texts(draw.caption)
    # Its softmax is the Build network's, by the same table as on Build.
    logits = expected_logits(run, pictures[5] / 255)
    assert [float(row["logit z"]) for row in softmax_rows(draw)] == pytest.approx(logits, abs=2e-3)
    draw.button(key="forget_opened_digit").click().run()
    assert "Prediction" not in [m.label for m in draw.metric]
    assert OPENED_KEY not in draw.session_state


def test_progress_and_training_time_say_the_same_number(store):
    run = kept_training(store)  # epochs of 0.2 s each, 0.5 s from the first's start to the end
    at = open_kept(run)
    (progress,) = at.get("progress")
    assert "Epoch 2/2 · 0.50 s · 250 ms an epoch" in progress.proto.text
    labels = [m.label for m in at.metric]
    assert at.metric[labels.index("Training time")].value == "0.50 s"


def test_before_the_first_epoch_the_progress_says_starting():
    run = TrainingRun(SPEC, run_id=new_key(), state="running")
    at = page_app("build.py")
    at.session_state["build_run"] = KeptRun(run)
    open_with(at)
    (progress,) = at.get("progress")
    assert progress.proto.text.startswith("Starting…") and "Epoch 0" not in progress.proto.text


def test_try_it_on_draw_a_digit_is_a_link_to_draw_with_this_network(store):
    at = open_kept(kept_training(store))
    links = [link for link in at.get("page_link") if "Draw a Digit" in link.proto.label]
    assert len(links) == 1 and "net=build" in links[0].proto.query_string
    assert not any("**Draw a Digit**" in c for c in texts(at.caption))


def test_an_empty_csv_is_said_under_the_uploader_and_train_trains_nothing():
    at = open_with(page_app("build.py"))
    at.radio(key="data_source").set_value("csv").run()
    # Nothing uploaded yet: Train says what is missing instead of training on the digits.
    assert at.button(key="train").disabled
    assert any("no file of yours has been read" in w for w in texts(at.warning))
    assert not any("real MNIST digits" in c for c in texts(at.caption))  # nor says it would
    at.file_uploader(key="csv_upload").set_value(("empty.csv", b"", "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any(e.startswith("empty.csv:") for e in errors), errors
    assert at.button(key="train").disabled
    assert "build_run" not in at.session_state
    # The sentence comes right after the uploader, before its help text.
    order = [type(e).__name__ for e in _in_order(at.main)]
    uploader = order.index("FileUploader")
    assert order[uploader + 1] == "Error", order[uploader : uploader + 3]
    at.radio(key="data_source").set_value("mnist").run()
    assert not at.button(key="train").disabled


def _in_order(block):
    """Every element under ``block``, in page order."""
    for child in getattr(block, "children", {}).values():
        if hasattr(child, "children") and child.children:
            yield from _in_order(child)
        else:
            yield child
