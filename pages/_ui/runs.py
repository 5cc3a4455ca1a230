"""Build & Train's "Your runs": every finished or stopped training of the session, compared.

The list (``state.past_runs``) holds summaries without weights. Ticked runs are overlaid on one
chart and placed on a scatter; a run's settings can be reopened; a student who joined a class
board can share one under a nickname.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from nncore.board.store import NICKNAME_LIMIT, BoardProblem
from nncore.network.settings import spec_from_values, spec_values
from nncore.training.compare import (
    NAME_LIMIT,
    SCATTER_AXES,
    RunRecord,
    clean_name,
    summary_row,
    table_csv,
)
from nncore.training.compare_figures import overlay_curves, settings_scatter
from pages._ui import state
from pages._ui.class_board import boards
from pages._ui.widgets import clear_url_notices, presenter_mode

PAGE = "build"
SHOWN_AT_FIRST = 4  # the latest runs ticked for the overlay when none is chosen yet


def reopen(run_id: str) -> None:
    """Callback: put a listed run's settings back on the controls."""
    for record in state.past_runs():
        if record.run_id == run_id:
            st.session_state.update(spec_values(spec_from_values(record.settings)))
            clear_url_notices(PAGE)


def delete(run_ids: list[str]) -> None:
    """Callback: drop the chosen runs from the list."""
    state.replace_past_runs([r for r in state.past_runs() if r.run_id not in run_ids])


def share(run_id: str) -> None:
    """Callback: put a run on the class board this session joined, under the typed nickname."""
    joined = state.joined_board()
    record = next((r for r in state.past_runs() if r.run_id == run_id), None)
    if joined is None or record is None:
        return
    nickname = str(st.session_state.get("board_nickname", ""))
    try:
        boards().share(joined[0], joined[1], nickname, record)
    except BoardProblem as problem:
        st.session_state["_share_note"] = ("error", str(problem))
        return
    st.session_state["_share_note"] = ("success", "Shared: it is on the class board now.")


def _table(records: list[RunRecord]) -> pd.DataFrame:
    frame = pd.DataFrame([summary_row(r) for r in records])
    frame.insert(0, "Compare", [False] * len(records))
    chosen = set(
        st.session_state.get("_compared_runs", [r.run_id for r in records][-SHOWN_AT_FIRST:])
    )
    frame["Compare"] = [r.run_id in chosen for r in records]
    return frame


def _apply_edits(records: list[RunRecord], edited: pd.DataFrame) -> list[RunRecord]:
    """Names typed in the table go to the runs; the ticked ones are remembered."""
    renamed = []
    for record, name in zip(records, edited["Name"], strict=True):
        name = clean_name(str(name or ""), NAME_LIMIT) or record.name
        renamed.append(record if name == record.name else replace(record, name=name))
    if renamed != records:
        state.replace_past_runs(renamed)
    st.session_state["_compared_runs"] = [
        r.run_id for r, ticked in zip(renamed, edited["Compare"], strict=True) if ticked
    ]
    return renamed


def your_runs(busy: bool) -> None:
    """The section itself; ``busy`` while a training runs (its settings cannot be reopened)."""
    run = state.build_run()
    if run is not None and run.run.state in ("done", "stopped", "diverged") and run.run.history:
        listed = {r.run_id for r in state.past_runs()}
        state.remember_run(run.run)
        if run.run.run_id not in listed:
            # A new run is ticked, to be seen beside the others, and chosen below.
            compared = st.session_state.get("_compared_runs")
            if compared is not None:
                compared.append(run.run.run_id)
            st.session_state["runs_picked"] = run.run.run_id
    records = state.past_runs()
    st.subheader("Your runs")
    if not records:
        st.caption(
            "Every training you finish or stop joins this list, so you can compare them: "
            "change one setting, train again, and see what it did."
            + (" Then share one to your class board." if state.joined_board() else "")
        )
        return
    # A new key whenever the rows change: the editor's edits are kept by row position.
    key = "runs-" + str(abs(hash(tuple(r.run_id for r in records))))
    edited = st.data_editor(
        _table(records),
        key=key,
        hide_index=True,
        width="stretch",
        disabled=[c for c in summary_row(records[0]) if c != "Name"],
        column_config={
            "Compare": st.column_config.CheckboxColumn("Compare", help="Overlay this run"),
            "Name": st.column_config.TextColumn("Name", max_chars=NAME_LIMIT),
            "Test accuracy": st.column_config.NumberColumn(format="percent"),
            "Train accuracy": st.column_config.NumberColumn(format="percent"),
        },
    )
    records = _apply_edits(records, edited)
    chosen = [r for r in records if r.run_id in st.session_state["_compared_runs"]]
    present = presenter_mode()
    if chosen:
        st.plotly_chart(overlay_curves(chosen, present=present), key="runs-overlay")
        axis = st.selectbox(
            "Across the scatter",
            list(SCATTER_AXES),
            format_func=SCATTER_AXES.__getitem__,
            key="runs_axis",
        )
        st.plotly_chart(settings_scatter(chosen, axis, present=present), key="runs-scatter")
    else:
        st.caption("Tick **Compare** on a few runs to overlay their curves.")
    names = {r.run_id: r.name for r in records}
    picked = st.selectbox(
        "Run",
        list(reversed(names)),
        format_func=names.__getitem__,
        key="runs_picked",
    )
    buttons = st.columns(3)
    buttons[0].button(
        "Open its settings",
        key="runs_open",
        on_click=reopen,
        args=(picked,),
        disabled=busy,
        width="stretch",
        help="Put this run's settings back on the controls, to train it again or change it.",
    )
    buttons[1].button(
        "Delete it", key="runs_delete", on_click=delete, args=([picked],), width="stretch"
    )
    buttons[2].download_button(
        "Download the table (CSV)",
        table_csv(records),
        file_name="runs.csv",
        mime="text/csv",
        key="runs_csv",
        width="stretch",
    )
    share_box(picked)


def share_box(run_id: str) -> None:
    """Share the chosen run to the class board, for a session that joined one."""
    if state.joined_board() is None:
        return
    with st.container(border=True):
        st.markdown("**Share to the class board**")
        st.text_input(
            "Nickname shown on the board",
            key="board_nickname",
            max_chars=NICKNAME_LIMIT,
            help="Any nickname: no real name needed. Only the run you share is shown.",
        )
        st.button("Share this run", key="runs_share", on_click=share, args=(run_id,))
        note = st.session_state.pop("_share_note", None)
        if note and note[0] == "error":
            st.error(note[1])
        elif note:
            st.success(note[1])
