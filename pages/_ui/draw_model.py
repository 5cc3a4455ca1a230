"""Draw a Digit with the visitor's own ``.keras`` model, and the taught copy to take home.

The file is checked here without Keras (size, zip, Lambda, custom code) and loaded by the
inference worker with ``safe_mode=True``; the server never loads it. The model is private to
this session (``st.session_state``). A refused file gets one sentence and changes nothing.
"""

from __future__ import annotations

import functools

import streamlit as st

from nncore.digits.model_files import MAX_MODEL_BYTES, MAX_MODEL_MB, ModelFileProblem
from nncore.workers.client import (
    ModelSource,
    WorkerUnavailable,
    keras_file,
    open_uploaded_model,
)
from pages._ui import state
from pages._ui.widgets import plain_text

uploaded_model = state.uploaded_model


def open_upload() -> None:
    """Callback of the uploader: load the new file in the worker, or say why it cannot be."""
    file = st.session_state.get(state.MODEL_UPLOAD_KEY)
    if file is None:
        return
    data = file.read(MAX_MODEL_BYTES + 1)
    try:
        if len(data) > MAX_MODEL_BYTES:
            raise ModelFileProblem(f"The model file is larger than {MAX_MODEL_MB} MB, the limit.")
        # The label is shown in Markdown (captions, notes): the file's name stays plain text.
        model = open_uploaded_model(data, f"your model {plain_text(file.name, 80)}", state.owner())
    except ModelFileProblem as problem:
        state.set_model_problem(file.name, str(problem))
        return
    except WorkerUnavailable:
        state.set_model_problem(
            file.name, "The digit network is restarting; upload the file again in a few seconds."
        )
        return
    state.set_uploaded_model(model)


def put_aside() -> None:
    """Callback: answer with the network chosen above again."""
    state.set_uploaded_model(None)


def model_upload(disabled: bool = False) -> None:
    """The uploader, the sentence for a refused file, and the way back (``disabled`` under a
    teacher's lock: the class answers with the network the link chose)."""
    st.file_uploader(
        f"Your own model (.keras, up to {MAX_MODEL_MB} MB; input 28×28 or 784, 10 outputs)",
        type=["keras"],
        key=state.MODEL_UPLOAD_KEY,
        max_upload_size=MAX_MODEL_MB,
        on_change=open_upload,
        disabled=disabled,
    )
    problem = state.model_problem()
    if problem:
        name, sentence = problem
        st.error(
            f"{plain_text(name, 80)}: {plain_text(sentence, 300)}", icon=":material/inventory_2:"
        )
    current = uploaded_model()
    if current is not None:
        st.caption(f"Answering with {current.label}; it stays in this session.")
        st.button("Use the network chosen above", key="draw_model_aside", on_click=put_aside)


def copy_download(tuned: ModelSource) -> None:
    """The taught copy as a .keras file (built by the inference worker when clicked)."""
    st.download_button(
        "Download the taught copy (.keras)",
        functools.partial(_bytes, tuned),
        file_name="taught_model.keras",
        mime="application/zip",
        key="download_taught",
        icon=":material/download:",
    )


def _bytes(source: ModelSource) -> bytes:
    try:
        return keras_file(source)
    except WorkerUnavailable:
        return b""
