"""Lessons on a page: a button for each setup that works and one for its bad twin, and the note
that says why, drawn where the student looks once a lesson is loaded.

The lessons themselves (settings, sentences, claims) are the page family's table in
``nncore``; this module only draws them. Loading a lesson changes the setup, so its buttons
are disabled by a teacher's ``lock=1`` (a lesson link still opens its setup) and hidden by
``hide=lesson``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from nncore.lessons import Lesson
from nncore.network.settings import ALL_SETTINGS as BUILD_SETTINGS
from nncore.playground import lessons as playground
from nncore.playground.settings import ALL_SETTINGS as PLAYGROUND_ALL
from nncore.playground.settings import SETTINGS_BY_KEY as PLAYGROUND_SETTINGS
from nncore.settings import Setting
from nncore.training import lessons as build
from pages._ui import build_data, state
from pages._ui.widgets import PageWidgets, classroom, clear_url_notices

# A lesson's title wraps inside its button instead of ending in "…", and its row never wraps:
# "Bad twin" stays beside its lesson, however narrow the column.
STYLE = """<style>[class*="st-key-%(p)slesson_"] button .stMarkdownEllipsis,
  [class*="st-key-%(p)slesson_"] button .stMarkdownEllipsis p {
  white-space: normal; text-overflow: clip; }
  [class*="st-key-%(p)slessonrow_"] { flex-wrap: nowrap; }
  [class*="st-key-%(p)slessonrow_"] > div:first-child { flex: 1 1 0; min-width: 0; }</style>"""


def load(
    page: str,
    values: Mapping[str, Any],
    extra: Callable[[], None] | None = None,
) -> None:
    """Callback: put a lesson's settings on the controls; the link's notices no longer describe
    the setup on screen. ``extra`` is what else the page resets (Build's data source)."""
    PageWidgets(page).update(values)
    clear_url_notices(page)
    if extra is not None:
        extra()


def lesson_buttons(
    page: str,
    lessons: Sequence[Lesson],
    base: Mapping[str, Any],
    settings: Mapping[str, Setting],
    prefix: str,
    found: tuple[Lesson, bool] | None,
    where: str,
    busy: bool = False,
    extra: Callable[[], None] | None = None,
) -> None:
    """One row per lesson: its title loads the setup that works, "Bad twin" the same with one
    setting broken (the tooltip says which). Under them, which lesson is on screen and
    ``where`` its note is: the buttons sit low in the controls, and on a phone the note is out
    of sight. ``busy``: a training is running (Build)."""
    view = classroom(page)
    if "lesson" in view.hidden:
        return
    st.html(STYLE % {"p": prefix})
    st.markdown("**Lessons**: a setup that works, and its bad twin")
    disabled = busy or view.locked
    for lesson in lessons:
        # A row that stays a row on a phone: columns would stack the twin under its lesson.
        row = st.container(
            horizontal=True,
            vertical_alignment="center",
            gap="small",
            key=f"{prefix}lessonrow_{lesson.key}",
        )
        row.button(
            lesson.title,
            key=f"{prefix}lesson_{lesson.key}",
            on_click=load,
            args=(page, lesson.values(base), extra),
            width="stretch",
            disabled=disabled,
        )
        row.button(
            "Bad twin",
            key=f"{prefix}lesson_{lesson.key}_twin",
            icon=":material/heart_broken:",
            on_click=load,
            args=(page, lesson.values(base, twin=True), extra),
            help=f"The same, with {lesson.change(settings)}",
            disabled=disabled,
        )
    if found is not None:
        lesson, twin = found
        which = "its bad twin" if twin else "the setup that works"
        st.caption(f"On screen: **{lesson.title}**, {which}. Why, and what to expect: {where}.")


def lesson_note(
    page: str,
    found: tuple[Lesson, bool] | None,
    base: Mapping[str, Any],
    settings: Mapping[str, Setting],
    prefix: str,
    busy: bool = False,
    extra: Callable[[], None] | None = None,
) -> None:
    """Why the lesson on screen works, or what its twin breaks, and what training will show;
    with a button to the other one. Nothing when the setup on screen is no lesson."""
    if found is None:
        return
    lesson, twin = found
    claim = lesson.claim.sentence(twin)
    with st.container(key=f"{prefix}lesson_note"):
        if twin:
            st.warning(
                f"**{lesson.title}: the bad twin.** {lesson.change(settings)}. "
                f"{lesson.wrong}\n\n{claim}",
                icon=":material/heart_broken:",
            )
        else:
            st.success(
                f"**{lesson.title}: a setup that works.** {lesson.why}\n\n{claim}",
                icon=":material/lightbulb:",
            )
        st.button(
            "Load the setup that works" if twin else "Load its bad twin",
            key=f"{prefix}lesson_other",
            icon=":material/check_circle:" if twin else ":material/heart_broken:",
            on_click=load,
            args=(page, lesson.values(base, twin=not twin), extra),
            disabled=busy or classroom(page).locked,
        )


# --- The two page families ---------------------------------------------------------------------

PLAYGROUND_PAGE, BUILD_PAGE = "playground", "build"
BUILD_LABELS = build.labels()


def playground_on_screen(own: bool) -> tuple[Lesson, bool] | None:
    """The playground lesson on screen, if any; none on the visitor's own points (clicked or
    uploaded): a lesson's claim is about the points its settings generate."""
    if own:
        return None
    values = PageWidgets(PLAYGROUND_PAGE).values(PLAYGROUND_ALL)
    return playground.on_screen(values)


def playground_buttons(own: bool = False) -> None:
    """The 2D Playground's lessons, where its presets were."""
    lesson_buttons(
        PLAYGROUND_PAGE,
        playground.LESSONS,
        playground.BASE,
        PLAYGROUND_SETTINGS,
        "pg_",
        playground_on_screen(own),
        "above the plane",
    )


def playground_note(own: bool = False) -> None:
    """Above the plane: the lesson on screen, if any."""
    lesson_note(
        PLAYGROUND_PAGE,
        playground_on_screen(own),
        playground.BASE,
        PLAYGROUND_SETTINGS,
        prefix="pg_",
    )


def use_digits() -> None:
    """Build's lessons are about the bundled digits: loading one leaves an uploaded file."""
    st.session_state[state.DATA_SOURCE_KEY] = "mnist"
    state.remember_data_source("mnist")


def build_on_screen() -> tuple[Lesson, bool] | None:
    """The Build lesson on screen, if any; none on an uploaded file (the lessons' claims are
    about the bundled digits)."""
    if build_data.using_upload():
        return None
    values = PageWidgets(BUILD_PAGE).values(BUILD_SETTINGS)
    return build.on_screen(values)


def build_lessons(busy: bool) -> None:
    """Build & Train's lessons, under its presets. ``busy``: a training is running."""
    lesson_buttons(
        BUILD_PAGE,
        build.LESSONS,
        build.BASE,
        BUILD_LABELS,
        "",
        build_on_screen(),
        "at the top, above the curves",
        busy=busy,
        extra=use_digits,
    )


def build_note(busy: bool) -> None:
    """At the top, above where the curves are drawn: the lesson on screen, if any."""
    lesson_note(BUILD_PAGE, build_on_screen(), build.BASE, BUILD_LABELS, "", busy, use_digits)
