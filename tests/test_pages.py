"""The Home and Build pages run in Streamlit's AppTest: what a visitor sees, without a browser.

Build trains in a real worker process (started by ``app.py`` on its first run), so the few
trainings here are small.
"""

from __future__ import annotations

import base64
import json
import threading

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nncore.data.mnist import prepare_split
from nncore.network.plan import layer_plan
from nncore.network.settings import spec_from_values
from nncore.network.spec import PRESETS
from nncore.neuron import activate, weighted_sum
from nncore.playground.settings import SETTINGS_BY_KEY as PLAYGROUND
from nncore.training.evaluation import confusion_matrix, evaluate
from nncore.training.run import EpochRecord, TrainingRun
from nncore.workers.messages import new_key
from pages._ui.site import HOME, SITE
from tests.helpers import WORKER_TIMEOUT, open_with, page_app, texts, wait_until

# 800 steps of two rows an epoch (0.1–0.5 s): a Pause sent after epoch 1 lands long before
# the last of the 8 epochs.
SLOW_EPOCHS = 8
SLOW_LINK = {
    "layers": "1",
    "l1_units": "32",
    "l1_act": "relu",
    "rows": "2000",
    "batch": "2",
    "opt": "sgd",
    "lr": "0.05",
    "epochs": str(SLOW_EPOCHS),
}


# Finished trainings are kept on disk (for their links): here, in a folder of each test's.
pytestmark = pytest.mark.usefixtures("store")


def plotly_array(value) -> np.ndarray:
    """An array from a figure's JSON: plotly writes numpy arrays base64-encoded."""
    if isinstance(value, dict) and "bdata" in value:
        shape = [int(n) for n in str(value.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"]).reshape(shape)
    return np.asarray(value)


@pytest.fixture
def pause_after_first_epoch(monkeypatch) -> list:
    """Make the Build page's Train button pause its training once epoch 1 is in, as a click on
    Pause would; the started handles are collected in the returned list."""
    from nncore.workers import client
    from pages._ui import build

    handles = []

    def start_and_pause(spec, owner=None):
        handle = client.start_training(spec, owner)
        handles.append(handle)

        def pause() -> None:
            seen = -1
            while handle.run.epochs_done < 1 and not handle.run.over:
                seen = handle.wait(seen, 1.0)
            handle.pause()

        threading.Thread(target=pause, daemon=True).start()
        return handle

    monkeypatch.setattr(build, "start_training", start_and_pause)
    return handles


# --- Home ------------------------------------------------------------------------------------


def test_home_shows_the_neuron_from_the_link():
    at = open_with(page_app(HOME.script), x1="2", w1="1.5", b="-0.5", act="tanh")
    z = weighted_sum([2.0, 0.5, -1.0], [1.5, -0.4, 0.3], -0.5)
    assert at.metric[0].label == "Neuron output"
    assert at.metric[0].value == f"{activate('tanh', z):.3f}"
    assert any(f"{z:.3f}" in latex.value for latex in at.latex)


def test_home_links_to_every_other_page_of_the_navigation():
    at = open_with(page_app(HOME.script))
    linked = {link.proto.page for link in at.get("page_link")}
    assert linked == {page.url_path for page in SITE if page is not HOME}, linked


def test_home_ignores_a_garbage_link_with_a_notice():
    at = open_with(page_app(HOME.script), x1="lots", act="softplus")
    warnings = texts(at.warning)
    assert any("x1='lots'" in w for w in warnings) and any("softplus" in w for w in warnings)
    assert at.selectbox(key="home-act").value == "sigmoid"
    assert at.slider(key="home-x1").value == 1.0


# --- Build: the network on screen ------------------------------------------------------------


def test_build_page_summary_matches_the_seed_notebook():
    at = open_with(page_app("build.py"))
    table = at.dataframe[0].value
    assert table["Params"].tolist() == [100480, 8256, 650]
    assert table["Output shape"].tolist() == ["(None, 128)", "(None, 64)", "(None, 10)"]
    assert any("Total params: 109,386" in md for md in texts(at.markdown))
    assert not at.button(key="train").disabled


def test_build_page_restores_a_shared_link():
    at = open_with(
        page_app("build.py"),
        layers="3",
        l1_type="conv",
        l1_filters="8",
        l2_type="pool",
        l3_type="dense",
        l3_units="32",
        opt="sgd",
        lr="0.05",
        epochs="7",
    )
    assert at.selectbox(key="build-l1_type").value == "conv"
    assert at.slider(key="build-l1_filters").value == 8
    # The link names no activation for the Conv2D layer: it brings its own.
    assert at.selectbox(key="build-l1_act").value == "relu"
    assert at.selectbox(key="build-l1_init").value == "he_normal"
    assert at.select_slider(key="build-lr").value == 0.05
    assert at.slider(key="build-epochs").value == 7
    table = at.dataframe[0].value
    assert table["Type"].tolist() == ["Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dense"]
    code = at.tabs[1].code[0].value
    assert "layers.Conv2D(filters=8" in code and "SGD(learning_rate=0.05)" in code
    assert "EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 7" in code


def test_a_layer_that_becomes_conv2d_on_the_page_takes_relu_and_he_normal():
    at = open_with(page_app("build.py"), layers="1")
    assert at.selectbox(key="build-l1_act").value == "sigmoid"  # the notebook's first layer
    at.selectbox(key="build-l1_type").set_value("conv").run()
    assert at.selectbox(key="build-l1_act").value == "relu"
    assert at.selectbox(key="build-l1_init").value == "he_normal"
    assert at.dataframe[0].value["Type"].tolist() == ["Conv2D", "Flatten", "Dense"]
    assert at.query_params["l1_type"] in ("conv", ["conv"])


def test_build_page_explains_an_impossible_network_and_disables_train():
    at = open_with(page_app("build.py"), layers="2", l2_type="conv", lr="nonsense")
    assert any("Layer 2 is Conv2D, but it comes after a Dense layer" in e for e in texts(at.error))
    assert at.button(key="train").disabled
    assert any("lr='nonsense'" in w for w in texts(at.warning))
    assert any("Fix the network first" in w for w in texts(at.tabs[1].warning))


@pytest.mark.parametrize("preset", ["Small CNN", "Seed notebook"])
def test_presets_set_every_control(preset):
    at = open_with(page_app("build.py"), epochs="3", lr="0.1")
    at.button(key=f"preset-{preset}").click().run()
    expected = layer_plan(PRESETS[preset])
    assert at.dataframe[0].value["Params"].tolist() == [row.params for row in expected.layers]
    assert at.slider(key="build-epochs").value == PRESETS[preset].epochs
    assert at.select_slider(key="build-lr").value == PRESETS[preset].lr
    assert not at.warning  # the link's notices no longer describe the page


def test_the_address_follows_the_controls():
    at = open_with(page_app("build.py"))
    assert at.query_params.get("epochs") is None  # defaults stay out of the link
    at.slider(key="build-epochs").set_value(12).run()
    at.selectbox(key="build-l2_act").set_value("relu").run()
    assert at.query_params["epochs"] in ("12", ["12"])
    assert at.query_params["l2_act"] in ("relu", ["relu"])


def test_an_unknown_link_parameter_is_named():
    at = open_with(page_app("build.py"), epoch="3")
    assert "Ignored epoch='3': not a setting of this page." in [
        w.replace("\\", "") for w in texts(at.warning)
    ]


# --- Build: training -------------------------------------------------------------------------


def test_pause_then_resume_with_a_new_learning_rate_trains_to_the_end(pause_after_first_epoch):
    at = open_with(page_app("build.py", WORKER_TIMEOUT), **SLOW_LINK)
    at.button(key="train").click().run()  # the page follows the run until it pauses
    assert not at.exception, [e.value for e in at.exception]
    (handle,) = pause_after_first_epoch
    # A pause acts between epochs: the epoch under way when it was clicked still arrives.
    wait_until(lambda: handle.settled_pause or handle.run.over, 120, "the pause to settle")
    done = handle.run.epochs_done
    assert handle.run.state == "paused" and 1 <= done < SLOW_EPOCHS
    at.run()
    assert f"Paused after epoch {done}. Resume to go on, or Stop to keep it as it is." in texts(
        at.info
    )
    assert at.button(key="resume") and at.button(key="stop")
    assert not [b for b in at.button if b.key == "pause"]
    # Only the learning rate can change while a training is under way.
    assert at.slider(key="build-epochs").disabled and not at.select_slider(key="build-lr").disabled
    at.select_slider(key="build-lr").set_value(0.01).run()
    assert handle.run.epochs_done == done  # still paused
    at.button(key="resume").click().run()
    assert not at.exception, [e.value for e in at.exception]

    run = at.session_state["build_run"].run
    assert run is handle.run and run.state == "done" and run.epochs_done == SLOW_EPOCHS
    assert [(epoch, round(lr, 6)) for epoch, lr in run.lr_changes] == [(done + 1, 0.01)]
    curves = next(c.proto.spec for c in at.get("plotly_chart") if '"Accuracy"' in c.proto.spec)
    notes = [note["text"].strip() for note in json.loads(curves)["layout"]["annotations"]]
    assert "η → 0.01" in notes
    # The result is the trained network's: accuracy as computed here from its answers.
    true = prepare_split(run.spec).labels_test
    assert np.array_equal(run.test.labels, true)  # the worker sent the test rows it used
    predicted = run.test.predicted
    accuracy = float(np.mean(predicted == true))
    assert accuracy == pytest.approx(run.history[-1].val_accuracy)
    assert accuracy >= 0.8
    labels = [m.label for m in at.metric]
    shown = float(at.metric[labels.index("Test accuracy")].value.rstrip("%")) / 100
    assert shown == pytest.approx(accuracy, abs=0.0006)  # the same, up to the display's rounding
    heatmap = next(
        c.proto.spec for c in at.get("plotly_chart") if '"Confusion matrix' in c.proto.spec
    )
    drawn = plotly_array(json.loads(heatmap)["data"][0]["z"])
    assert np.array_equal(drawn, confusion_matrix(true, predicted))
    # Clicks that arrive after the run is over change nothing.
    handle.pause()
    handle.stop()
    assert run.state == "done" and not handle.stop_requested
    # The finished run is kept, and named in the page's link.
    assert at.query_params["run"] in (run.run_id, [run.run_id])


def test_a_kept_training_opens_from_its_link_in_a_new_session(store):
    from nncore.training import store as kept_runs

    spec = spec_from_values({"layers": 1, "l1_units": 4, "rows": 500, "epochs": 2})
    rng = np.random.default_rng(0)
    run = TrainingRun(spec, run_id=new_key(), state="running", wall_seconds=0.5)
    split = prepare_split(spec)
    probabilities = np.eye(10, dtype=np.float32)[np.arange(100) % 10]
    run.test = evaluate(probabilities, split)
    accuracy = np.mean(np.arange(100) % 10 == split.labels_test)
    # The last epoch's test accuracy is what these probabilities score, as in a real run.
    run.history = [
        EpochRecord(e, 2.0 / e, 0.3 * e, 2.1 / e, a, 0.001, 0.2)
        for e, a in ((1, 0.05), (2, accuracy))
    ]
    run.weights = [rng.normal(size=s).astype(np.float32) for s in [(784, 4), (4,), (4, 10), (10,)]]
    run.settle("done")
    kept_runs.keep(run, store)
    at = open_with(
        page_app("build.py"), run=run.run_id, layers="1", l1_units="4", rows="500", epochs="2"
    )
    assert at.session_state["build_run"].run.history == run.history
    labels = [m.label for m in at.metric]
    assert at.metric[labels.index("Test accuracy")].value == f"{accuracy:.1%}"
    kept = at.session_state["build_run"].run.test  # the mistakes grid survives the reload too
    assert np.array_equal(kept.mistake_images, run.test.mistake_images)
    assert not [b for b in at.button if b.key in ("pause", "resume", "stop")]


def test_a_link_to_a_training_that_is_not_kept_says_so():
    at = open_with(page_app("build.py"), run="x" * 22)
    assert any("no longer kept" in w for w in texts(at.warning))
    assert "build_run" not in at.session_state


def test_stop_while_paused_keeps_the_model_so_far(pause_after_first_epoch):
    at = open_with(page_app("build.py", WORKER_TIMEOUT), **SLOW_LINK)
    at.button(key="train").click().run()
    (handle,) = pause_after_first_epoch
    # A pause acts between epochs: the epoch under way when it was clicked still arrives.
    wait_until(lambda: handle.settled_pause or handle.run.over, 120, "the pause to settle")
    done = handle.run.epochs_done
    at.run()
    at.button(key="stop").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # The page does not wait for a paused run's worker to confirm the stop, so the page drawn
    # right after the click may still say "Paused"; the next one shows the stopped run.
    wait_until(lambda: handle.run.over, 120, "the worker to stop")
    at.run()
    run = at.session_state["build_run"].run
    assert run.state == "stopped" and run.epochs_done == done and run.has_model
    assert f"Stopped after {done} of {SLOW_EPOCHS} epochs; the model so far is kept." in texts(
        at.info
    )
    assert "Test accuracy" in [m.label for m in at.metric]
    assert not at.button(key="train").disabled  # a new training may start


# --- The private hooks ------------------------------------------------------------------------


def test_private_streamlit_and_keras_hooks_still_exist():
    """Two workarounds lean on private names; an upgrade that removes them must fail here."""
    from streamlit.runtime.pages_manager import PagesManager

    from nncore.keras_runtime import keras

    assert hasattr(PagesManager, "uses_pages_directory")
    assert callable(keras.optimizers.Adam()._all_reduce_sum_gradients)


# --- Pages side by side ------------------------------------------------------------------------


def visit(at: AppTest, script: str) -> None:
    """Open another page of the same session as the sidebar does: without the last page's link."""
    at.query_params.clear()
    at.switch_page(f"pages/{script}")
    open_with(at)


def test_build_and_the_playground_each_keep_their_own_settings():
    """Both pages have a learning rate (and a seed, a batch size, layers and an optimizer) with
    their own ranges and defaults: going from one to the other and back finds each as it was."""
    at = open_with(page_app("build.py"))
    at.select_slider(key="build-lr").set_value(0.05).run()
    visit(at, "playground.py")
    assert at.select_slider(key="playground-lr").value == PLAYGROUND["lr"].default
    at.select_slider(key="playground-lr").set_value(0.1).run()
    visit(at, "build.py")
    assert at.select_slider(key="build-lr").value == 0.05
    visit(at, "playground.py")
    assert at.select_slider(key="playground-lr").value == 0.1
    assert at.query_params["lr"] == "0.1"
