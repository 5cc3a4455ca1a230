"""The /draw page without a browser (AppTest). The canvas is a component, which AppTest does
not run: these tests see the page before anything is drawn, or seed the teaching buffer.
Fine-tuning runs in the app's training worker, as it does for a visitor."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nncore.data.mnist import mnist_images
from nncore.digits.preprocess import EMPTY_HINT
from nncore.digits.settings import PEN
from nncore.network.spec import LayerSpec, NetworkSpec
from nncore.training.run import State, TrainingRun
from nncore.workers.messages import new_key
from tests.helpers import WORKER_TIMEOUT, open_with, page_app, texts

SPEC = NetworkSpec(layers=(LayerSpec("dense", units=4),), rows=500, epochs=1)


# Finished Build runs are kept on disk (for their links): here, in a folder of each test's.
pytestmark = pytest.mark.usefixtures("store")


@pytest.fixture
def app() -> AppTest:
    # Fine-tuning may wait for a training worker to import TensorFlow.
    return page_app("draw.py", WORKER_TIMEOUT)


def build_run(state: State, weights: list[np.ndarray] | None = None) -> SimpleNamespace:
    """What the Build page leaves in the session: a handle whose ``run`` ended in ``state``."""
    run = TrainingRun(SPEC, run_id=new_key(), state="running")
    run.weights = weights
    run.settle(state)
    return SimpleNamespace(run=run)


def open_with_build_network(app: AppTest, handle: SimpleNamespace) -> AppTest:
    app.session_state["build_run"] = handle
    return open_with(app, net="build")


def test_page_renders_with_a_hint_and_no_prediction(app):
    app.run()
    assert not app.exception
    assert EMPTY_HINT in texts(app.info)
    assert [metric.label for metric in app.metric] == []
    assert app.slider(key="draw-pen").value == PEN.default
    assert app.selectbox(key="draw-net").value == "cnn"
    assert app.button(key="draw_fine_tune").disabled
    assert app.button(key="draw_add").disabled
    assert "Answering: the bundled CNN." in texts(app.caption)


def test_settings_come_from_the_url(app):
    app.query_params["pen"] = "30"
    app.query_params["net"] = "build"
    app.run()
    assert not app.exception
    assert app.slider(key="draw-pen").value == 30
    assert app.selectbox(key="draw-net").value == "build"
    # nothing trained on the Build page yet: a sentence, and the bundled CNN answers
    assert any(
        "have not trained a network on the Build & Train page" in t for t in texts(app.warning)
    )
    assert "Answering: the bundled CNN." in texts(app.caption)


def test_a_bad_url_value_is_ignored_with_a_notice(app):
    app.query_params["pen"] = "500"
    app.run()
    assert not app.exception
    assert app.slider(key="draw-pen").value == PEN.default
    assert any("pen=500 is outside 6–40" in text.replace("\\", "") for text in texts(app.warning))


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("diverged", "Your Build & Train network diverged (its loss became NaN)"),
        ("running", "has not finished training (it is running or paused)"),
        ("paused", "has not finished training (it is running or paused)"),
        ("failed", "has no trained weights to answer with"),
    ],
)
def test_a_build_network_that_cannot_answer_is_not_used(app, state, words):
    open_with_build_network(app, build_run(state))
    assert any(words in text for text in texts(app.warning)), texts(app.warning)
    assert "Answering: the bundled CNN." in texts(app.caption)


def test_a_trained_build_network_is_offered_and_kept_for_its_link(app, store):
    rng = np.random.default_rng(0)
    shapes = [(784, 4), (4,), (4, 10), (10,)]  # SPEC's weights, as the worker sends them back
    handle = build_run("done", [rng.normal(size=shape).astype(np.float32) for shape in shapes])
    open_with_build_network(app, handle)
    assert not app.warning
    assert "Answering: your Build & Train network." in texts(app.caption)
    run_id = handle.run.run_id
    assert app.query_params["run"] in (run_id, [run_id])
    assert (store / f"{run_id}.json").exists()
    # A stopped training keeps its model, and answers too.
    stopped = build_run("stopped", handle.run.weights)
    assert not open_with_build_network(app, stopped).warning


def fine_tune_in_a_new_session(buffer: list) -> tuple[float, float]:
    """Open /draw in a fresh session, click Fine-tune on ``buffer``; return held-out accuracy
    (before, after) as the page reports it."""
    app = page_app("draw.py", WORKER_TIMEOUT)
    app.session_state["draw_buffer"] = list(buffer)
    open_with(app)
    assert any(f"{len(buffer)} drawing(s) collected" in text for text in texts(app.markdown))
    app.button(key="draw_fine_tune").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, texts(app.error)
    assert any(
        t.startswith("Answering with your") and t.endswith("copy of the bundled CNN.")
        for t in texts(app.info)
    ), texts(app.info)
    (message,) = texts(app.success)
    assert message.startswith(f"Fine-tuned on {len(buffer)} drawing(s).")
    assert "Accuracy on 1,000 MNIST digits it never trained on" in message
    shown = re.search(r"([\d.]+)% → ([\d.]+)%", message)
    assert shown is not None, message
    before, after = shown.groups()
    return float(before), float(after)


def test_fine_tuning_changes_only_this_sessions_copy():
    """Teach one session nonsense (sevens labelled 3); the next session starts from the
    untouched shared network, so its 'before' accuracy is the original one."""
    from pages._ui.state import TaughtDrawing

    x, y = mnist_images()
    wrong = [TaughtDrawing(image, 3) for image in x[y == 7][:12]]
    first_before, first_after = fine_tune_in_a_new_session(wrong)
    assert first_before >= 97.0  # the bundled CNN, as shipped
    assert first_after < first_before  # the nonsense did change that session's copy
    second_before, _ = fine_tune_in_a_new_session(wrong)
    assert second_before == first_before
