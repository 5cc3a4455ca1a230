"""The class board: a teacher makes one, students share runs to it, the projector shows them.

Three strings in the links (``nncore.board.store``): ``board`` (which board), ``join`` (the
students' link: it lets a session share runs) and ``teacher`` (the board's own link: it also
hides entries and clears the board). The board polls the database every POLL_SECONDS in a
fragment: one small read of the board's revision, the entries only when it moved.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pandas as pd
import streamlit as st

from nncore.board.kinds import kind_of, task_of, tasks_by_size
from nncore.board.store import (
    KEEP_SECONDS,
    MAX_ENTRIES,
    BoardProblem,
    BoardStore,
    Entry,
    database_path,
)
from nncore.training.compare import SCORE_NAMES
from nncore.training.compare_figures import overlay_curves, run_label, settings_scatter
from pages._ui import state
from pages._ui.widgets import leave_legacy_pages_mode, presenter_mode

URL_PATH = "board"
POLL_SECONDS = 3
OVERLAID_AT_FIRST = 5  # the best runs overlaid until someone chooses
LEADERBOARD_ROWS = 10


@st.cache_resource
def _boards_at(path: str) -> BoardStore:
    return BoardStore(Path(path))


def boards() -> BoardStore:
    """The boards database in this server's store (one object per database, per process)."""
    return _boards_at(str(database_path()))


def link(**query: str) -> str:
    """An address of the board page with ``query``, absolute when the server knows its own."""
    base = ""
    url = st.context.url
    if url:
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
    return f"{base}/{URL_PATH}?{urlencode(query)}"


def create() -> None:
    """Make a board and open it as its teacher."""
    board = boards().create()
    st.query_params.from_dict(
        {"board": board.board_id, "teacher": board.teacher_token, "join": board.join_token}
    )


def render() -> None:
    leave_legacy_pages_mode()  # a board link opened first on a fresh server
    st.title("Class board")
    query = st.query_params
    board_id, teacher, join = query.get("board"), query.get("teacher"), query.get("join")
    if not board_id:
        st.markdown(
            "A board collects the runs your students choose to share, live: a leaderboard by "
            "test accuracy, their curves on one chart, and parameters against accuracy. Create "
            "one, put its link on the projector and give the class the join link."
        )
        st.button("Create a class board", type="primary", key="board_create", on_click=create)
        return
    store = boards()
    is_teacher = bool(teacher) and store.is_teacher(board_id, teacher)
    joined = bool(join) and store.can_join(board_id, join)
    if not is_teacher and not joined:
        st.warning(
            "This board link does not open a board: boards last 12 hours, and a link must be "
            "copied whole. Ask your teacher for the link again.",
            icon=":material/link_off:",
        )
        return
    if joined and join:
        state.join_board(board_id, join)
    if is_teacher and teacher:
        teacher_links(board_id, teacher, join if joined and join else None)
    else:
        st.success(
            "You joined the class board. Train a network on **Build & Train** or the **2D "
            "Playground**; under **Your runs** you can then share a run with a nickname. Only "
            "what you share is shown.",
            icon=":material/group:",
        )
        st.page_link("pages/build.py", label="Go to Build & Train", icon=":material/layers:")
        st.page_link(
            "pages/playground.py", label="Go to the 2D Playground", icon=":material/scatter_plot:"
        )
    live_board(board_id, teacher if is_teacher else None)


def teacher_links(board_id: str, teacher: str, join: str | None) -> None:
    """The two links, folded away on the projector. ``join`` None: this address lost it (the
    board's own link carries it), so the students' link cannot be shown."""
    with st.expander("Links for this board", expanded=not presenter_mode()):
        st.markdown("**For the students** (they can share runs, nothing else):")
        if join is None:
            st.warning("This address lacks the students' part: open the board's whole link.")
            join = ""
        else:
            st.code(link(board=board_id, join=join), language=None)
        st.markdown(
            "**For you and the projector** (it can hide entries and clear the board: keep it "
            "to yourself, and go full screen so the address bar is out of sight):"
        )
        st.code(link(board=board_id, teacher=teacher, join=join, present="1"), language=None)
        st.caption(
            f"The board lasts {KEEP_SECONDS // 3600} hours and holds up to {MAX_ENTRIES} runs."
        )


def _entries(board_id: str, teacher: bool) -> list[Entry] | None:
    """The board's entries, re-read only when its revision moved; None once it expired."""
    revision = boards().revision(board_id)
    if revision is None:
        return None
    key = (board_id, revision, teacher)
    cached = st.session_state.get("_board_entries")
    if cached is None or cached[0] != key:
        cached = (key, boards().entries(board_id, include_hidden=teacher))
        st.session_state["_board_entries"] = cached
    return cached[1]


def _table_height(present: bool) -> int:
    """Pixels for a header and LEADERBOARD_ROWS rows (rows grow with presenter mode's font)."""
    row = 35 * (26 / 16 if present else 1)
    return round(row * (LEADERBOARD_ROWS + 1)) + 3


def hide(board_id: str, teacher: str, entry_id: int, hidden: bool) -> None:
    try:
        boards().hide(board_id, teacher, entry_id, hidden)
    except BoardProblem as problem:
        st.session_state["_board_note"] = str(problem)


def clear(board_id: str, teacher: str) -> None:
    try:
        boards().clear(board_id, teacher)
    except BoardProblem as problem:
        st.session_state["_board_note"] = str(problem)
    st.session_state["board_confirm_clear"] = False


@st.fragment(run_every=POLL_SECONDS)
def live_board(board_id: str, teacher: str | None) -> None:
    """The leaderboard, the chosen runs' curves and the scatter, refreshed every few seconds."""
    entries = _entries(board_id, teacher is not None)
    if entries is None:
        st.warning("This board has expired (boards last 12 hours). Create a new one.")
        return
    note = st.session_state.pop("_board_note", None)
    if note:
        st.error(note)
    shown = [e for e in entries if not e.hidden]
    present = presenter_mode()
    st.subheader(f"Leaderboard · {len(shown)} run{'s' if len(shown) != 1 else ''}")
    if not shown:
        st.caption("No run shared yet: runs appear here a few seconds after they are shared.")
    else:
        task = choose_task(shown)
        ranked = [e for e in shown if task_of(e.record) == task]
        leaderboard(ranked, present)
        figures(ranked, present)
    if teacher is not None:
        teacher_controls(board_id, teacher, entries)


def choose_task(shown: list[Entry]) -> str:
    """The task whose runs are ranked (the digits, or one of the playground's datasets): a
    choice only when the class shared runs of several, most runs first."""
    counts = tasks_by_size([e.record for e in shown])
    tasks = list(counts)
    if len(tasks) == 1:
        return tasks[0]
    if st.session_state.get("board_task") not in counts:
        st.session_state.pop("board_task", None)  # that task's runs were hidden or cleared
    return str(
        st.radio(
            "Ranked among runs on",
            tasks,
            format_func=lambda task: f"{task} ({counts[task]})",
            horizontal=True,
            key="board_task",
        )
    )


def leaderboard(ranked: list[Entry], present: bool) -> None:
    """One task's runs, best test score first (the order the store returns them in)."""
    kind = kind_of(ranked[0].record)
    score = f"Test {SCORE_NAMES.get(ranked[0].record.score, 'accuracy')}"
    st.dataframe(
        pd.DataFrame(
            {
                "#": range(1, len(ranked) + 1),
                "Nickname": [e.nickname for e in ranked],
                "Run": [e.record.name for e in ranked],
                score: [e.record.test_accuracy for e in ranked],
                "Parameters": [e.record.params for e in ranked],
                "Settings": [kind.describe(e.record.settings) for e in ranked],
                "Changed from their run before": [e.record.changes or "–" for e in ranked],
            }
        ),
        hide_index=True,
        width="stretch",
        # Ten rows, then it scrolls: the charts below stay within reach of a projector.
        height="auto" if len(ranked) <= LEADERBOARD_ROWS else _table_height(present),
        column_config={
            score: st.column_config.NumberColumn(
                format="percent" if ranked[0].record.score == "accuracy" else "%.3f"
            )
        },
    )


def figures(shown: list[Entry], present: bool) -> None:
    """One task's chosen runs overlaid, and all of them on a scatter across a setting."""
    kind = kind_of(shown[0].record)
    task = task_of(shown[0].record)
    labels = {e.entry_id: run_label(e.record, e.nickname) for e in shown}  # for plotly
    names = {e.entry_id: f"{e.nickname}: {e.record.name}" for e in shown}  # plain text
    chosen = st.multiselect(
        "Runs on the chart",
        list(labels),
        default=list(labels)[:OVERLAID_AT_FIRST],
        format_func=names.__getitem__,
        key=f"board_chosen {task}",
    )
    picked = [e for e in shown if e.entry_id in chosen]
    left, right = st.columns([3, 2]) if not present else (st.container(), st.container())
    if picked:
        left.plotly_chart(
            overlay_curves(
                [e.record for e in picked], [labels[e.entry_id] for e in picked], present
            ),
            key="board-overlay",
        )
    with right:
        axis = st.selectbox(
            "Across the scatter",
            list(kind.axes),
            format_func=kind.axes.__getitem__,
            key=f"board_axis_{kind.page}",
        )
        st.plotly_chart(
            settings_scatter(
                [e.record for e in shown],
                axis,
                [labels[e.entry_id] for e in shown],
                present,
                axes=kind.axes,
            ),
            key="board-scatter",
        )


def teacher_controls(board_id: str, teacher: str, entries: list[Entry]) -> None:
    """Hide an entry (or show it again) and clear the board: the teacher's link only."""
    with st.expander("Teacher: hide runs, clear the board", expanded=False):
        if entries:
            names = {e.entry_id: f"{e.nickname}: {e.record.name}" for e in entries}
            hidden = {e.entry_id for e in entries if e.hidden}
            entry_id = st.selectbox(
                "Run",
                list(names),
                format_func=lambda i: names[i] + (" (hidden)" if i in hidden else ""),
                key="board_hide_pick",
            )
            st.button(
                "Show it again" if entry_id in hidden else "Hide it",
                key="board_hide",
                on_click=hide,
                args=(board_id, teacher, entry_id, entry_id not in hidden),
            )
        sure = st.checkbox("Yes, remove every run from the board", key="board_confirm_clear")
        st.button(
            "Clear the board",
            key="board_clear",
            on_click=clear,
            args=(board_id, teacher),
            disabled=not sure,
        )
