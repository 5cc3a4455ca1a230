"""Streamlit controls derived from ``nncore.settings.Setting`` declarations, and the URL sync.

The leading underscore marks this as a helper shared by the page scripts, not a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from nncore.links import PRESENT, ClassroomView, classroom_view, read_link
from nncore.settings import Setting, to_query

MAX_NOTICES = 6
MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:")


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


def widget_key(page: str, name: str) -> str:
    """The session-state key of ``page``'s control for the setting called ``name``.

    Each page owns its keys: Build & Train and the 2D Playground both have a learning rate, a
    seed and a layer count, with different ranges, and neither must see the other's value.
    (The key also names the control's box in the page, as the class ``st-key-<key>``.)
    """
    return f"{page}-{name}"


@dataclass(frozen=True)
class PageWidgets:
    """One page's setting controls in ``st.session_state``, read and written by setting name.

    A page says ``WIDGETS["lr"]`` and never spells its per-page key itself. Arriving from
    another page needs no clean-up: that page's controls keep their own keys, and Streamlit
    drops them once they are no longer drawn.
    """

    page: str

    def key(self, name: str) -> str:
        """The control's own key (``key=`` of the widget, ``st-key-…`` in the page)."""
        return widget_key(self.page, name)

    def __getitem__(self, name: str) -> Any:
        return st.session_state[self.key(name)]

    def __setitem__(self, name: str, value: Any) -> None:
        st.session_state[self.key(name)] = value

    def __contains__(self, name: str) -> bool:
        return self.key(name) in st.session_state

    def get(self, name: str, default: Any = None) -> Any:
        """The control's value, or ``default`` while it has none (not drawn yet)."""
        return st.session_state.get(self.key(name), default)

    def values(self, settings: Iterable[Setting]) -> dict[str, Any]:
        """The values of those of ``settings`` whose controls have one, by setting name."""
        return {s.key: self[s.key] for s in settings if s.key in self}

    def update(self, values: Mapping[str, Any]) -> None:
        """Set several controls at once (a preset, a lesson, a reopened run)."""
        for name, value in values.items():
            self[name] = value


def restore_settings(
    page: str,
    settings: Iterable[Setting],
    brought: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> None:
    """Give every setting's widget a starting value before the widgets are drawn.

    A shared link wins (read by ``nncore.links.read_link``, as the tests read a README link);
    otherwise what this visitor last had on this page (Streamlit drops a widget's state while it
    is not drawn: on another page, or a hidden layer's controls); otherwise the default. Ignored
    URL parameters are remembered for ``show_url_notices``, and the teacher's ``hide=``/``lock=``
    are read once per session and page. ``brought`` adds the values a link's choices imply (a
    layer type's own activation).
    """
    leave_legacy_pages_mode()
    settings = list(settings)
    st.session_state["_current_page"] = page
    params = st.query_params.to_dict()
    teacher_key = f"_{page}_teacher"
    if teacher_key not in st.session_state:
        st.session_state[teacher_key] = classroom_view(params, settings)
    widgets = PageWidgets(page)
    missing = [s for s in settings if s.key not in widgets]
    if not missing:
        return
    link = read_link(params, settings, brought, view=st.session_state[teacher_key])
    remembered = st.session_state.get(f"_{page}_values", {})
    for setting in missing:
        widgets[setting.key] = link.values.get(
            setting.key, remembered.get(setting.key, setting.default)
        )
    st.session_state[f"_{page}_notices"] = link.notices


def show_url_notices(page: str) -> None:
    """Say which link parameters were ignored, so a teacher can fix a mistyped link.

    The text partly comes from the link itself, so it is shown as plain text (never Markdown or
    HTML: a link must not be able to put a clickable "log in again" on the page) and cut short.
    """
    notices = st.session_state.get(f"_{page}_notices", [])
    for notice in notices[:MAX_NOTICES]:
        st.warning(plain_text(notice), icon=":material/link_off:")
    if len(notices) > MAX_NOTICES:
        st.warning(
            f"…and {len(notices) - MAX_NOTICES} more ignored link parameters.",
            icon=":material/link_off:",
        )


def last_value(page: str, setting: Setting) -> Any:
    """A setting's value on ``page``: its widget's, else what the page last published (a run
    cut short can leave a widget without state), else the default."""
    widgets = PageWidgets(page)
    if setting.key in widgets:
        return widgets[setting.key]
    return st.session_state.get(f"_{page}_values", {}).get(setting.key, setting.default)


def clear_url_notices(page: str) -> None:
    """Forget the link's notices once the visitor has changed the setup (a preset, say)."""
    st.session_state[f"_{page}_notices"] = []


def plain_text(text: str, limit: int = 240) -> str:
    """``text`` shortened and escaped so Streamlit's Markdown shows it literally."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    # Markdown would still turn a bare address into a link: a zero-width space defuses it.
    for address in ("://", "www."):
        text = text.replace(address, address[0] + "\u200b" + address[1:])
    return "".join("\\" + char if char in MARKDOWN_SPECIAL else char for char in text)


def presenter_mode() -> bool:
    """Whether the page is shown on a projector: bigger text and figures (``present=1``)."""
    return bool(st.session_state.get(PRESENT.key, False))


def classroom(page: str) -> ClassroomView:
    """This page's teacher options (``hide=``, ``lock=``) for this session."""
    return st.session_state.get(f"_{page}_teacher", ClassroomView())


def locked(page: str | None = None) -> bool:
    """Whether the teacher's link locks this page's setup (``lock=1``): every control that
    changes it (settings, presets, lessons, data, uploads) is drawn disabled, and only what
    runs the setup (Train, Play, Step, Forward…) still works. ``page`` defaults to the page
    being run."""
    return classroom(page or current_page()).locked


def publish_settings(
    page: str,
    values: Mapping[str, Any],
    settings: Iterable[Setting],
    extra: Mapping[str, str] | None = None,
) -> None:
    """Write the current settings into the URL (so the address bar is a shareable link).

    The teacher's ``hide``/``lock`` and presenter mode stay in the link, so a shared link keeps
    opening the same classroom view.
    """
    st.session_state[f"_{page}_values"] = dict(values)
    query = {**to_query(values, settings), **(extra or {})}
    view = classroom(page)
    if view.hidden:
        query["hide"] = ",".join(sorted(view.hidden))
    if view.locked:
        query["lock"] = "1"
    if presenter_mode():
        query[PRESENT.key] = "1"
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)


def setting_widget(
    setting: Setting,
    container: Any = st,
    disabled: bool = False,
    page: str | None = None,
    on_change: Callable[..., None] | None = None,
    args: tuple[Any, ...] = (),
) -> Any:
    """Draw the control a setting declares and return its value.

    A control the teacher's link hides is not drawn (its value still applies); with ``lock=1``
    every control is drawn but cannot be changed. ``page`` defaults to the page being run.
    """
    page = page or current_page()
    view = classroom(page)
    widgets = PageWidgets(page)
    if setting.key in view.hidden:
        return widgets.get(setting.key, setting.default)
    common = {
        "key": widgets.key(setting.key),
        "help": setting.help or None,
        "disabled": disabled or view.locked,
        "on_change": on_change,
        "args": args,
    }
    if setting.kind == "choice":
        return container.selectbox(
            setting.label, list(setting.choices), format_func=setting.choices.get, **common
        )
    if setting.kind == "bool":
        return container.toggle(setting.label, **common)
    if setting.log:
        options = sorted({*setting.grid(), float(widgets.get(setting.key, setting.default))})
        return container.select_slider(
            setting.label, options=options, format_func=lambda v: f"{v:g}", **common
        )
    # A slider's setting declares its range (``Setting.check`` relies on it too).
    assert setting.low is not None and setting.high is not None, setting.key
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


def current_page() -> str:
    """The page being run, as named by its last ``restore_settings`` call."""
    return st.session_state.get("_current_page", "")
