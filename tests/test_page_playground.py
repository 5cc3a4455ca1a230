"""The /playground page without a browser (AppTest): links, buttons, the network it draws,
a real Step in a worker, and the Keras code it shows (run as a script)."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import open_with, page_app, playground_run, texts, wait_until


@pytest.fixture
def app() -> AppTest:
    return page_app("playground.py")


def charts(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def plane(app: AppTest) -> dict:
    return next(c for c in charts(app) if c["layout"].get("xaxis", {}).get("visible", True))


def neurons(app: AppTest) -> list[list[int]]:
    """The clickable neurons of the network figure: [layer, unit] each."""
    network = next(c for c in charts(app) if c["layout"].get("xaxis", {}).get("visible") is False)
    trace = [t for t in network["data"] if t.get("name") == "neurons"]
    return trace[0]["customdata"] if trace else []


def count(values) -> int:
    """How many numbers a figure's array holds (plotly sends numpy arrays as typed binary)."""
    if isinstance(values, dict):
        return len(base64.b64decode(values["bdata"])) // np.dtype(values["dtype"]).itemsize
    return len(values)


def epoch(app: AppTest) -> int:
    text = next(m.value for m in app.markdown if m.value.startswith("**Epoch"))
    shown = re.search(r"Epoch ([\d,]+)", text)
    assert shown is not None, text
    return int(shown.group(1).replace(",", ""))


def test_defaults_show_the_points_the_network_and_epoch_zero(app):
    open_with(app)
    assert app.selectbox(key="playground-data").value == "circle"
    points = plane(app)
    classes = [t for t in points["data"] if t.get("name") == "training"]
    assert len(classes) == 2 and sum(count(t["x"]) for t in classes) == 250
    assert neurons(app) == [[0, 0], [0, 1], [0, 2], [0, 3], [1, 0], [1, 1]]
    assert epoch(app) == 0
    assert [b.label for b in app.button if b.key in ("pg_reset", "pg_play", "pg_step")] == [
        "Reset",
        "Play",
        "Step",
    ]
    assert dict(app.query_params) == {}


def test_a_link_sets_the_data_the_network_and_keeps_them(app):
    open_with(app, data="spiral3", layers="3", l3="8", act="relu", f_x1sq="1", noise="20")
    assert app.selectbox(key="playground-data").value == "spiral3"
    training = [t for t in plane(app)["data"] if t.get("name") == "training"]
    assert len(training) == 3  # three classes, three colours
    assert len(neurons(app)) == 4 + 2 + 8
    assert app.toggle(key="playground-f_x1sq").value is True
    assert dict(app.query_params) == {
        "data": "spiral3",
        "layers": "3",
        "l3": "8",
        "act": "relu",
        "f_x1sq": "1",
        "noise": "20",
    }


def test_bad_link_values_are_named_in_plain_text_and_ignored(app):
    open_with(app, noise="lots", layers="9", data="moon", bogus="[x](http://evil)")
    warnings = " ".join(w.value for w in app.warning).replace("\\", "")
    assert "noise='lots' is not a number" in warnings
    assert "layers=9 is outside 0–6" in warnings
    assert "data='moon' is not one of" in warnings
    assert "bogus=" in warnings and "](http://" not in " ".join(w.value for w in app.warning)
    assert app.selectbox(key="playground-data").value == "circle" and len(neurons(app)) == 6


def test_plus_and_minus_change_layers_and_neurons_and_the_link(app):
    open_with(app)
    app.button(key="pg_layers_plus").click().run()
    assert len(neurons(app)) == 4 + 2 + 2 and app.query_params["layers"] == "3"
    app.button(key="pg_l1_plus").click().run()
    app.button(key="pg_l1_plus").click().run()
    assert app.query_params["l1"] == "6" and len(neurons(app)) == 6 + 2 + 2
    for _ in range(3):
        app.button(key="pg_layers_minus").click().run()
    assert neurons(app) == [] and app.query_params["layers"] == "0"
    app.button(key="pg_layers_minus").click().run()  # no fewer than none
    assert app.query_params["layers"] == "0"


def test_a_lesson_button_sets_up_the_lesson(app):
    open_with(app)
    app.button(key="pg_lesson_xor_twin").click().run()  # the XOR without a hidden layer
    assert app.selectbox(key="playground-data").value == "xor" and neurons(app) == []
    assert dict(app.query_params) == {"data": "xor", "layers": "0", "stop": "epochs"}
    app.button(key="pg_lesson_overfitting").click().run()  # overfitting held off by L2
    assert (
        app.selectbox(key="playground-reg").value == "l2"
        and app.toggle(key="playground-show_test").value
    )
    assert len([t for t in plane(app)["data"] if t.get("name") == "test"]) == 2


def test_a_teachers_link_hides_and_locks_controls(app):
    open_with(app, hide="opt,lr,layers", lock="1")
    keys = {w.key for w in app.selectbox} | {w.key for w in app.select_slider}
    assert "playground-opt" not in keys and "playground-lr" not in keys
    assert "playground-act" in keys  # what the link does not hide is still drawn
    assert (
        app.button(key="pg_lesson_xor").disabled and app.selectbox(key="playground-data").disabled
    )
    assert "pg_layers_plus" not in {b.key for b in app.button}
    assert not app.button(key="pg_play").disabled  # the class can still press Play
    assert app.query_params["hide"] == "layers,lr,opt" and app.query_params["lock"] == "1"


def test_a_locked_link_keeps_the_points(app):
    """Neither a click on the plane nor a file adds points; a click on a neuron still explains
    it."""
    open_with(app, lock="1")
    selectable = {
        c.proto.id.rsplit("-", 1)[-1]: bool(c.proto.selection_mode) for c in app.get("plotly_chart")
    }
    assert selectable == {"pg_plane_0": False, "pg_network": True}
    assert app.radio(key="pg_new_class").disabled
    uploader = next(w for w in app.get("file_uploader") if w.proto.id.endswith("pg_upload"))
    assert uploader.proto.disabled


def test_step_trains_one_epoch_in_a_worker_and_reset_returns_to_zero(app):
    open_with(app)
    app.button(key="pg_step").click().run()

    def stepped() -> bool:
        return epoch(app.run()) >= 1

    # A fresh worker imports TensorFlow first.
    wait_until(stepped, 180, "the page to show epoch 1", interval=0.5)
    assert epoch(app) == 1
    assert plane(app)["layout"]["images"][0]["source"].startswith("data:image/png;base64,")
    app.button(key="pg_reset").click().run()
    assert epoch(app) == 0 and "images" not in plane(app)["layout"]


def test_the_keras_code_tab_runs_and_learns_the_circle(app, tmp_path):
    open_with(app, layers="1", l1="8", lr="0.1")
    script = next(c.value for c in app.code if "keras.Sequential" in c.value)
    assert 'keras.layers.Dense(8, activation="tanh")' in script
    assert "def circle(n, noise, rng):" in script and "SGD(learning_rate=0.1)" in script
    path = tmp_path / "playground_2d.py"
    path.write_text(script.replace("EPOCHS = 200", "EPOCHS = 20"))
    result = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=180, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]
    accuracy = float(re.search(r"test accuracy: ([\d.]+)", result.stdout).group(1))
    assert accuracy >= 0.9


# --- the stop rule, the measures, Your runs and your own points --------------------------------


def runs_table(app: AppTest):
    tables = [t.value for t in app.dataframe if "Changed" in t.value]
    return tables[0] if tables else None


def settled(app: AppTest) -> bool:
    """Whether the network is waiting with everything it trained arrived (a full run later)."""
    app.run()
    current = app.session_state["pg_training"]
    return current.job is not None and not current.job.live


def test_a_stop_link_with_a_bad_value_gets_a_notice(app):
    open_with(app, stop="sometimes", stop_epochs="0")
    warnings = " ".join(w.value for w in app.warning).replace("\\", "")
    assert "stop='sometimes' is not one of none, epochs, loss" in warnings
    assert "stop_epochs=0 is outside 1–2000" in warnings
    assert app.selectbox(key="playground-stop").value == "none"


def test_stop_at_n_epochs_stops_there_with_the_measures_and_lists_the_run(app):
    open_with(app, stop="epochs", stop_epochs="3", points="100")
    assert app.slider(key="playground-stop_epochs").value == 3
    app.button(key="pg_play").click().run()
    wait_until(lambda: settled(app) and epoch(app) >= 3, 240, "the stop at epoch 3", 0.5)
    assert epoch(app) == 3
    assert "Stopped at epoch 3" in " ".join(texts(app.info))
    labels = [m.label for m in app.metric]
    assert labels == ["Train accuracy", "Test accuracy"]
    assert all(m.value.endswith("%") for m in app.metric)
    (confusion,) = [t for t in app.table]
    assert confusion.value.values.sum() == 50  # every test point counted once
    table = runs_table(app)
    assert table["Epochs"].tolist() == [3] and table["State"].tolist() == ["stop rule"]
    assert "pg_play" in {b.key for b in app.button}  # stopped: Play goes on from here


def test_pause_lists_the_run_with_the_epochs_it_trained_and_reset_starts_the_next(app):
    open_with(app, points="100")
    app.button(key="pg_play").click().run()
    wait_until(lambda: epoch(app.run()) >= 2, 240, "a few epochs", 0.5)
    app.button(key="pg_pause").click().run()
    wait_until(lambda: settled(app), 60, "the paused network", 0.2)
    first = epoch(app)
    assert runs_table(app)["Epochs"].tolist() == [first]
    # Play again: the same network goes on, so the same run's row grows.
    app.button(key="pg_play").click().run()
    wait_until(lambda: epoch(app.run()) > first, 60, "more epochs", 0.2)
    app.button(key="pg_pause").click().run()
    wait_until(lambda: settled(app), 60, "the paused network", 0.2)
    shown = epoch(app)
    assert runs_table(app)["Epochs"].tolist() == [shown] and shown > first
    app.button(key="pg_reset").click().run()
    app.button(key="pg_step").click().run()
    wait_until(lambda: settled(app) and epoch(app) == 1, 120, "a step of a new network", 0.2)
    table = runs_table(app)
    assert table["Epochs"].tolist() == [shown, 1] and table["Name"].tolist() == ["Run 1", "Run 2"]


def test_regression_shows_r2_and_rmse(app):
    open_with(app, data="plane", points="100")
    app.button(key="pg_step").click().run()
    wait_until(lambda: settled(app) and epoch(app) == 1, 240, "one epoch", 0.2)
    assert [m.label for m in app.metric] == ["Train R²", "Test R²", "Train RMSE", "Test RMSE"]
    float(app.metric[3].value)  # a number, not a percentage
    assert not app.table  # no confusion matrix for values
    assert "Test R²" in runs_table(app).columns


def seeded_runs(app: AppTest) -> None:
    first = playground_run("a" * 16, "lr 0.3", lr=0.3, layers=1, accuracy=0.8)
    second = playground_run("b" * 16, "lr 0.03", first, lr=0.03, layers=1, accuracy=0.8)
    app.session_state["pg_past_runs"] = [first, second]


def test_your_runs_overlay_two_runs_and_reopening_restores_the_settings(app):
    seeded_runs(app)
    open_with(app)
    assert runs_table(app)["Changed"].tolist() == [
        "first run",
        "Learning rate 0.3 → 0.03",
    ]
    overlay = next(c for c in charts(app) if "Solid: test" in json.dumps(c["layout"]))
    legend = [t["name"] for t in overlay["data"] if t.get("showlegend")]
    assert legend == ["lr 0.3", "lr 0.03 (Learning rate 0.3 → 0.03)"]
    app.selectbox(key="pg_runs_picked").select("a" * 16).run()
    app.button(key="pg_runs_open").click().run()
    assert not app.exception
    assert app.session_state["playground-lr"] == 0.3 and app.query_params["layers"] == "1"
    assert app.query_params["lr"] == "0.3"


def test_uploaded_or_clicked_points_are_named_as_yours_and_the_class_is_by_the_plane(app):
    from nncore.playground.datasets import generate
    from pages._ui.playground_state import PointsState

    points = generate("xor", 120, 0.0, 3)
    app.session_state["pg_points"] = PointsState(points, ("circle", 0, 500, 0), 1, own=True)
    open_with(app)
    assert "**Your points (120)**" in texts(app.markdown)
    assert app.radio(key="pg_new_class").options == ["class 0 (blue)", "class 1 (orange)"]
