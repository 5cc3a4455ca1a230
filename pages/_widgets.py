"""Streamlit controls derived from ``nncore.settings.Setting`` declarations, and the URL sync.

The leading underscore marks this as a helper shared by the page scripts, not a page.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import streamlit as st

from nncore.settings import Setting, parse_query, to_query

# Parameters Streamlit itself reads (embedding options); never reported as unknown.
STREAMLIT_PARAMETERS = {"embed", "embed_options"}


def leave_legacy_pages_mode() -> None:
    """Make sure this page runs inside ``app.py``'s navigation.

    On a freshly started server, Streamlit treats a folder named ``pages/`` beside the entry
    point as a legacy multipage app until ``st.navigation`` has run once, so a shared link
    such as ``/build?epochs=3`` opened first would run the page without the app's frame (and
    list the helper modules in the sidebar). Switching that mode off and rerunning sends the
    visit through ``app.py``, which opens the same page with the same link.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def restore_settings(page: str, settings: Iterable[Setting]) -> None:
    """Give every setting's widget a starting value before the widgets are drawn.

    A shared link wins; otherwise what this visitor last had on this page (Streamlit drops a
    widget's state while it is not drawn: on another page, or a hidden layer's controls);
    otherwise the default. Ignored URL parameters are remembered for ``show_url_notices``.
    """
    leave_legacy_pages_mode()
    settings = list(settings)
    missing = [s for s in settings if s.key not in st.session_state]
    if not missing:
        return
    params = st.query_params.to_dict()
    from_url, notices = parse_query(params, settings)
    known = {s.key for s in settings} | STREAMLIT_PARAMETERS
    notices += [
        f"Ignored {key}={value!r}: not a setting of this page."
        for key, value in params.items()
        if key not in known
    ]
    remembered = st.session_state.get(f"_{page}_values", {})
    for setting in missing:
        st.session_state[setting.key] = from_url.get(
            setting.key, remembered.get(setting.key, setting.default)
        )
    st.session_state[f"_{page}_notices"] = notices


def show_url_notices(page: str) -> None:
    """Say which link parameters were ignored, so a teacher can fix a mistyped link."""
    for notice in st.session_state.get(f"_{page}_notices", []):
        st.warning(notice, icon="🔗")


def publish_settings(page: str, values: Mapping[str, Any], settings: Iterable[Setting]) -> None:
    """Write the current settings into the URL (so the address bar is a shareable link)."""
    st.session_state[f"_{page}_values"] = dict(values)
    query = to_query(values, settings)
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)


def setting_widget(setting: Setting, container: Any = st, disabled: bool = False) -> Any:
    """Draw the control a setting declares and return its value."""
    common = {"key": setting.key, "help": setting.help or None, "disabled": disabled}
    if setting.kind == "choice":
        return container.selectbox(
            setting.label, list(setting.choices), format_func=setting.choices.get, **common
        )
    if setting.kind == "bool":
        return container.toggle(setting.label, **common)
    if setting.log:
        options = sorted(
            {*setting.grid(), float(st.session_state.get(setting.key, setting.default))}
        )
        return container.select_slider(
            setting.label, options=options, format_func=lambda v: f"{v:g}", **common
        )
    if setting.kind == "int":
        return container.slider(
            setting.label,
            int(setting.low),
            int(setting.high),
            step=int(setting.step or 1),
            **common,
        )
    return container.slider(
        setting.label, float(setting.low), float(setting.high), step=setting.step, **common
    )


@st.cache_resource
def trainer_queue() -> Any:
    """The server's one trainer queue (shared: it holds tickets, no visitor's data)."""
    from nncore.training import TrainerQueue, trainer_slots

    return TrainerQueue(slots=trainer_slots())


@contextmanager
def trainer_slot(status: Any) -> Iterator[None]:
    """Hold one of the server's training slots, telling the visitor in ``status`` while waiting.

    Released however the block ends, including when Streamlit interrupts the script for a
    click on Pause or Stop.
    """
    queue = trainer_queue()
    ticket = st.session_state.setdefault("trainer_ticket", uuid.uuid4().hex)
    try:
        while not queue.try_start(ticket):
            ahead = queue.ahead_of(ticket)
            status.info(
                f"Waiting for a free trainer: {ahead} ahead of you."
                if ahead
                else "Waiting for a free trainer: you are next."
            )
            time.sleep(0.3)
        status.empty()
        yield
    finally:
        queue.finish(ticket)
