"""Build & Train's data source: the bundled digits or the visitor's own CSV file, and downloads.

The uploaded file is read by ``nncore.data.csv_files`` into plain arrays kept in this session
only (never a cache shared between visitors). A bad file gets one sentence and changes nothing:
the previous file and the trained model stay. What was understood is shown before training.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import streamlit as st

from nncore.data.csv_files import (
    MAX_CLASSES,
    MAX_MB,
    MAX_ROWS,
    CsvData,
    CsvProblem,
    read_csv_upload,
    split_problem,
)
from nncore.data.csv_split import prepare_csv_split, sample_csv, spec_for_data
from nncore.data.mnist import Split
from nncore.data.sources import BUNDLED_DIGITS, DIGITS_CSV, TABLE_CSV
from nncore.network.layers import TABLE_LAYER_LABELS
from nncore.network.spec import DEFAULT_SPEC, NetworkSpec
from nncore.training.exports import history_csv
from nncore.training.figures import digit_grid
from nncore.workers.client import (
    ModelSource,
    RunHandle,
    WorkerUnavailable,
    keras_file,
    start_training,
)
from pages._ui import state
from pages._ui.widgets import PageWidgets, plain_text, presenter_mode

SOURCE_KEY = state.DATA_SOURCE_KEY
UPLOAD_KEY = state.CSV_UPLOAD_KEY
CHOICES = {BUNDLED_DIGITS.key: BUNDLED_DIGITS.label, "csv": "Your own CSV file"}
DIGIT_NAMES = tuple(str(d) for d in range(10))


uploaded = state.uploaded_csv


def chosen_upload() -> CsvData | None:
    """The uploaded file, when the visitor chose to train on it; None for the bundled digits."""
    return uploaded() if st.session_state.get(SOURCE_KEY) == "csv" else None


def using_upload() -> bool:
    return chosen_upload() is not None


def with_data(spec: NetworkSpec) -> NetworkSpec:
    """The spec as it will train: on the uploaded file's rows, width and classes, if chosen."""
    data = chosen_upload()
    return spec_for_data(spec, data) if data is not None else spec


def trains_on() -> str:
    """What Train will train on, in words (Markdown: the file's name is escaped)."""
    data = chosen_upload()
    return f"your file {plain_text(data.file_name, 60)}" if data else "real MNIST digits"


def waiting_for_file() -> bool:
    """Whether the visitor chose their own CSV file but no file has been read (none uploaded
    yet, or the one uploaded was refused): Train has nothing of theirs to train on."""
    return st.session_state.get(SOURCE_KEY) == "csv" and uploaded() is None


def example() -> str:
    """What one example of the data is called on the page: a digit, or a row of a table."""
    data = chosen_upload()
    return "row" if data is not None and not data.source.pictures else "digit"


def classes() -> int:
    """How many outputs the network will have: the file's classes, or the ten digits."""
    data = chosen_upload()
    return len(data.class_names) if data is not None else len(DIGIT_NAMES)


def start(spec: NetworkSpec) -> None:
    """Callback of Train on the uploaded file: its rows travel to the worker with the spec."""
    try:
        split = upload_split(spec)
    except ValueError as problem:  # said under the uploader, where the eye goes after Train
        data = uploaded()
        state.set_csv_problem(data.file_name if data else "", str(problem))
        return
    handle = start_training(spec, state.owner(), split)
    data = chosen_upload()
    if data is not None:
        state.remember_run_data(handle.run.run_id, data)
    state.set_build_run(handle)


def upload_split(spec: NetworkSpec) -> Split | None:
    """The uploaded file's rows, split for ``spec``: the one place the page splits data.

    None for the bundled digits, which the worker reads and splits itself; a training's test
    rows come back from the worker with its outcome. Raises ValueError with the file's
    sentence when the file cannot be split at this test size.
    """
    data = chosen_upload()
    if data is None:
        return None
    problem = split_problem(data, spec.test)
    if problem:
        raise ValueError(problem)
    return prepare_csv_split(data, spec)


def run_classes(run_id: str) -> tuple[tuple[str, ...], bool]:
    """The class names a run answered with, and whether its rows are pictures."""
    data = state.run_data(run_id)
    if data is None:
        return DIGIT_NAMES, True
    return data.class_names, data.source.pictures


def read_new_upload() -> None:
    """Callback of the uploader: read a new file; a bad one leaves everything as it was."""
    file = st.session_state.get(UPLOAD_KEY)
    if file is None:
        return
    try:
        data = read_csv_upload(file, file.name)
    except CsvProblem as problem:
        state.set_csv_problem(file.name, str(problem))
        return
    state.set_uploaded_csv(data)


def source_controls(busy: bool) -> None:
    """The choice of data, the uploader, and the sentence for a refused file."""
    # Streamlit forgets a widget's value on a page that does not draw it: the choice is kept
    # beside it, so coming back from Draw a Digit still shows (and trains on) the file.
    if SOURCE_KEY not in st.session_state:
        st.session_state[SOURCE_KEY] = state.chosen_data_source()
    st.radio(
        "Data",
        list(CHOICES),
        format_func=CHOICES.get,
        key=SOURCE_KEY,
        horizontal=True,
        disabled=busy,
    )
    state.remember_data_source(st.session_state[SOURCE_KEY])
    if st.session_state[SOURCE_KEY] != "csv":
        return
    st.file_uploader(
        f"A CSV file (up to {MAX_MB} MB, {MAX_ROWS:,} rows, 785 columns, {MAX_CLASSES} classes)",
        type=["csv", "txt"],
        key=UPLOAD_KEY,
        max_upload_size=MAX_MB,
        on_change=read_new_upload,
        disabled=busy,
    )
    # A refused file is said right under the uploader, where the eye is after choosing it.
    problem = state.csv_problem()
    if problem:
        name, sentence = problem
        kept = uploaded()
        still = f" Still using {plain_text(kept.file_name, 80)}." if kept else ""
        st.error(
            f"{plain_text(name, 80)}: {plain_text(sentence, 300)}{still}",
            icon=":material/description:",
        )
    data = uploaded()
    if data is None:
        st.info("Upload a file to train on it.")
    st.caption(
        f"**Digits**: {DIGITS_CSV.description} **Table**: {TABLE_CSV.description} The label "
        "column is the one called `label`, else the only column of text, else the first."
    )
    if data is None:
        return
    st.caption(
        "Shared links do not carry your file: whoever opens this page's link gets the "
        "bundled MNIST digits."
    )
    understood(data, float(PageWidgets("build").get("test", DEFAULT_SPEC.test)))


def understood(data: CsvData, test: float) -> None:
    """What was understood from the file: rows, columns, classes, a preview, a few digits;
    and whether test fraction ``test`` can split it."""
    kind = "28×28 digits" if data.source.pictures else "a table"
    with st.expander(f"Your data: {plain_text(data.file_name, 60)}", expanded=True):
        label = plain_text(data.label_column, 40)
        st.markdown(
            f"Read as **{kind}**: {data.rows:,} rows, {data.features:,} "
            f"{'pixel' if data.source.pictures else 'feature'} columns, label column “{label}”, "
            f"{len(data.class_names)} classes"
            + ("" if data.header else " (no header row)")
            + (f", pixels 0–{data.pixel_scale:g} scaled to [0, 1]" if data.source.pictures else "")
            + "."
        )
        counts = pd.DataFrame(
            {"class": list(data.class_counts()), "rows": list(data.class_counts().values())}
        )
        st.dataframe(counts, hide_index=True, height=min(36 * (len(counts) + 1), 250))
        st.dataframe(data.preview, hide_index=True)  # data, not Markdown: shown as it is
        if data.source.pictures:
            # The first row of each class (up to ten), titled with its class.
            first = [int(np.flatnonzero(data.labels == c)[0]) for c in range(len(data.class_names))]
            names = [data.class_names[data.labels[i]] for i in first[:10]]
            st.plotly_chart(
                digit_grid(
                    data.x[first[:10]],
                    names,
                    names,
                    columns=5,
                    present=presenter_mode(),
                    titles=names,
                ),
                key="csv_digits",
            )
        else:
            st.info(
                f"Tabular data allow {TABLE_LAYER_LABELS} layers only: a table has no pictures."
            )
        problem = split_problem(data, test)
        if problem:
            st.error(problem)
        st.caption(f"Every row is used; {test:.0%} of each class is held out for testing.")


def sample_download(spec: NetworkSpec) -> None:
    """The bundled sample as a CSV in the notebook's format (made only when clicked)."""
    if using_upload():
        return
    st.download_button(
        f"Download the {spec.rows:,} digits as CSV",
        functools.partial(sample_csv, spec),
        file_name=f"mnist_sample_{spec.rows}.csv",
        mime="text/csv",
        key="download_sample",
        icon=":material/download:",
    )
    st.caption(
        "The rows this page trains on, in the notebook's format (label, pixel0 … pixel783). "
        "Upload the file back as your own CSV and this code reads it with `pd.read_csv`, "
        "exactly like the notebook."
    )


def model_downloads(run: RunHandle | state.KeptRun) -> None:
    """The trained model as a .keras file and its history as CSV, once training is over."""
    record = run.run
    if not record.over or not record.has_model:
        return
    source = ModelSource.from_run(record, "")
    data = state.run_data(record.run_id)
    if data is not None:
        draws = data.source.pictures and len(data.class_names) == 10
        st.caption(
            "This model is yours and stays in this session only: it was trained on your file, "
            "so it is not kept behind the page's link; download it to keep it."
        )
        if draws:
            st.page_link(
                "pages/draw.py",
                label="Try it on Draw a Digit",
                icon=":material/draw:",
                query_params={"net": "build"},
            )
    left, right = st.columns(2)
    left.download_button(
        "Model (.keras)",
        functools.partial(model_bytes, source),
        file_name="playground_model.keras",
        mime="application/zip",
        key="download_model",
        icon=":material/download:",
    )
    right.download_button(
        "History (CSV)",
        history_csv(record),
        file_name="history.csv",
        mime="text/csv",
        key="download_history",
        icon=":material/download:",
    )


def model_bytes(source: ModelSource) -> bytes:
    """The .keras file, built by the inference worker (the server never loads Keras)."""
    try:
        return keras_file(source)
    except WorkerUnavailable:
        return b""
