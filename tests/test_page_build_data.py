"""Build & Train on the visitor's own CSV: what was understood, bad files, training, the code."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from nncore.data.csv_files import read_csv_bytes
from nncore.data.csv_split import prepare_csv_split, sample_csv, spec_for_data
from nncore.data.mnist import balanced_subset, mnist_digits
from nncore.network.spec import LayerSpec, NetworkSpec
from tests.helpers import WORKER_TIMEOUT, open_with, page_app

# Finished trainings are kept on disk (for their links): here, in a folder of each test's.
pytestmark = pytest.mark.usefixtures("store")


def blobs_csv(rows_per_class: int = 30) -> bytes:
    """Three well-separated classes of 2-D points with names: a table a network learns at once."""
    rng = np.random.default_rng(1)
    lines = ["x,y,kind"]
    for name, centre in (("<b>red</b>", (0, 0)), ("green", (6, 0)), ("blue", (0, 6))):
        for point in rng.normal(centre, 0.5, size=(rows_per_class, 2)):
            lines.append(f"{point[0]:.3f},{point[1]:.3f},{name}")
    return ("\n".join(lines) + "\n").encode()


def build_page(**query: str) -> AppTest:
    """Build & Train opened from a link, with the visitor's own CSV chosen as the data."""
    at = open_with(page_app("build.py"), **query)
    at.radio(key="data_source").set_value("csv").run()
    return at


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key="csv_upload").set_value((name, content, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def all_text(at: AppTest) -> str:
    parts = (
        [m.value for m in at.markdown] + [e.value for e in at.error] + [i.value for i in at.info]
    )
    return "\n".join(parts + [c.value for c in at.caption])


def test_a_table_is_understood_and_a_bad_file_changes_nothing():
    at = upload(build_page(layers="1", l1_units="8"), "blobs.csv", blobs_csv())
    text = all_text(at)
    assert "Read as **a table**: 90 rows, 2 feature columns" in text
    assert "Tabular data allow Dense and Dropout layers only" in text
    assert "Shared links do not carry your file" in text
    assert at.session_state["csv_data"].class_names == ("<b>red</b>", "blue", "green")
    code = at.code[0].value
    assert "pd.read_csv('blobs.csv', skipinitialspace=True)" in code
    assert "keras.Input(shape=(2,))" in code and "to_categorical(y_train, 3)" in code
    # A bad file: one sentence naming it, and the previous file stays.
    upload(at, "photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(100))
    errors = [e.value for e in at.error]
    assert any(
        "This is a PNG image, not a CSV file" in e and "Still using blobs" in e for e in errors
    )
    assert at.session_state["csv_data"].file_name == "blobs.csv"
    assert "90 rows" in all_text(at)


def test_a_conv2d_layer_on_a_table_is_explained_and_train_is_disabled():
    at = upload(build_page(layers="1", l1_type="conv"), "blobs.csv", blobs_csv())
    assert any("tabular data allow Dense and Dropout layers only" in e.value for e in at.error)
    assert at.button(key="train").disabled


def test_digits_csv_shows_a_few_digits_and_the_confusion_matrix_uses_file_classes():
    """The bundled sample downloaded in the notebook's format, uploaded back, trained on."""
    content = sample_csv(NetworkSpec(layers=(), rows=500))
    at = build_page(layers="1", l1_units="16", l1_act="relu", epochs="3", batch="32")
    upload(at, "mnist_sample_500.csv", content)
    assert "Read as **28×28 digits**: 500 rows, 784 pixel columns" in all_text(at)
    assert at.get("plotly_chart")  # the digits drawn
    at.button(key="train").click().run(timeout=WORKER_TIMEOUT)
    handle = at.session_state["build_run"]
    while handle.run.active:
        handle.wait(handle.version, 2.0)
    at.run(timeout=60)
    assert not at.exception, [e.value for e in at.exception]
    assert handle.run.state == "done", handle.run.message
    assert handle.run.spec.rows == 500 and handle.run.spec.classes == 10
    assert handle.run.test_accuracy() > 0.5
    charts = {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    heatmaps = [
        f
        for f in charts.values()
        if f["layout"].get("title", {}).get("text", "").startswith("Conf")
    ]
    assert heatmaps and heatmaps[0]["data"][0]["x"] == [str(d) for d in range(10)]
    # A training on a private file is not kept behind a link.
    assert "run" not in at.query_params
    keys = [b.proto.id for b in at.get("download_button")]
    assert any("download_model" in k for k in keys) and any("download_history" in k for k in keys)
    # A bad file now changes nothing: the file and the trained model stay on the page.
    upload(at, "notes.csv", "naïve,label\n1,x\n".encode("latin-1"))
    assert any("not UTF-8 text" in e.value.replace("\\", "") for e in at.error)
    assert at.session_state["build_run"] is handle
    assert at.session_state["csv_data"].file_name == "mnist_sample_500.csv"
    assert [m.label for m in at.metric][:1] == ["Test accuracy"]


def test_the_split_of_a_file_is_stratified_and_standardised_on_training_rows():
    data = read_csv_bytes(blobs_csv(), "blobs.csv")
    spec = spec_for_data(NetworkSpec(layers=(LayerSpec(units=4),), test=0.2), data)
    assert spec.input_shape == (2,) and spec.classes == 3 and spec.rows == 90
    split = prepare_csv_split(data, spec)
    assert split.y_test.sum(axis=0).tolist() == [6, 6, 6]
    np.testing.assert_allclose(split.x_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(split.x_train.std(axis=0), 1, atol=1e-4)


def test_the_downloaded_sample_is_the_apps_rows_in_the_notebooks_format():
    spec = NetworkSpec(layers=(), rows=1000, seed=5)
    content = sample_csv(spec)
    assert content.startswith(b"label,pixel0,pixel1,")
    data = read_csv_bytes(content, "mnist_sample_1000.csv")
    assert data.rows == 1000 and data.pixel_scale == 255
    assert data.class_counts() == {str(d): 100 for d in range(10)}
    pixels, labels = mnist_digits()
    rows = np.sort(balanced_subset(labels, 1000, 5))
    np.testing.assert_allclose(data.x, pixels[rows] / 255.0, atol=1e-6)


def test_history_csv_has_kerass_column_names():
    from nncore.training.exports import history_csv
    from nncore.training.run import EpochRecord, TrainingRun

    run = TrainingRun(NetworkSpec(layers=()), run_id="x")
    run.history = [EpochRecord(1, 0.9, 0.5, 1.0, 0.4, 0.001, 0.2)]
    table = pd.read_csv(io.BytesIO(history_csv(run)))
    assert list(table.columns[:5]) == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
    assert table["val_accuracy"].tolist() == [0.4]


def test_draw_a_digit_says_a_network_trained_on_a_table_cannot_read_drawings():
    from types import SimpleNamespace

    from nncore.training.run import TrainingRun

    spec = NetworkSpec(layers=(LayerSpec(units=4),), features=2, classes=3)
    run = TrainingRun(spec, run_id="table-run", state="running")
    run.weights = [np.zeros((2, 4)), np.zeros(4), np.zeros((4, 3)), np.zeros(3)]
    run.settle("done")
    at = page_app("draw.py")
    at.session_state["build_run"] = SimpleNamespace(run=run)
    open_with(at, net="build")
    assert any("learned a table, not pictures of the ten digits" in w.value for w in at.warning)
    assert any("Answering: the bundled CNN" in c.value for c in at.caption)


def test_class_names_from_a_file_stay_text_in_the_figures():
    """Plotly reads tags in labels as HTML (even links): a class called <a href=…> must not
    become one."""
    from nncore.training.figures import confusion_heatmap, digit_grid

    names = ["<a href='http://x'>cat</a>", "dog"]
    heatmap = confusion_heatmap(np.eye(2, dtype=int), names=names)
    assert heatmap.data[0].x[0] == "‹a href='http://x'›cat‹/a›"
    grid = digit_grid(np.zeros((1, 28, 28)), [names[0]], [names[1]])
    assert "<" not in grid.layout.annotations[0].text


def test_train_on_a_file_too_small_to_split_says_why_and_trains_nothing():
    at = upload(build_page(layers="1", l1_units="4", test="0.1"), "tiny.csv", blobs_csv(4))
    at.button(key="train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [e.value.replace("\\", "") for e in at.error]
    assert any("tiny.csv: With 12 rows and 3 classes, a test fraction of 0.1" in e for e in shown)
    assert "build_run" not in at.session_state
