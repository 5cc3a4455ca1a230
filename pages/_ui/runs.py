""" "Your runs": every finished or stopped training of the session, compared.

One section for every page that trains (Build & Train, the 2D Playground), described by a
``RunList``: where the page keeps its list (summaries without weights), how a run's settings go
back on the controls, and what a scatter may put across. Ticked runs are overlaid on one chart
and placed on a scatter; a run's settings can be reopened; a student who joined a class board
can share one under a nickname.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import streamlit as st

from nncore.board.kinds import RUN_KINDS, RunKind
from nncore.board.store import NICKNAME_LIMIT, BoardProblem
from nncore.network.settings import spec_from_values, spec_values
from nncore.training.compare import (
    NAME_LIMIT,
    RunRecord,
    clean_name,
    summary_row,
    table_columns,
    table_csv,
)
from nncore.training.compare_figures import overlay_curves, settings_scatter
from pages._ui import state
from pages._ui.class_board import boards
from pages._ui.widgets import PageWidgets, clear_url_notices, presenter_mode

SHOWN_AT_FIRST = 4  # the latest runs ticked for the overlay when none is chosen yet


@dataclass(frozen=True)
class RunList:
    """One page's "Your runs": its list, its widget keys' prefix, and its settings.

    ``values_of`` turns a run's settings into the controls' values. The settings table and the
    scatter's axes are the page's run kind's (``nncore.board.kinds``), as on the class board."""

    page: str
    prefix: str
    records: Callable[[], list[RunRecord]]
    replace: Callable[[list[RunRecord]], None]
    values_of: Callable[[RunRecord], Mapping[str, Any]]
    empty: str
    file_name: str = "runs.csv"

    @property
    def kind(self) -> RunKind:
        return RUN_KINDS[self.page]

    @property
    def compared_key(self) -> str:
        return f"_compared_{self.prefix}"


BUILD_RUNS = RunList(
    page="build",
    prefix="runs",
    records=state.past_runs,
    replace=state.replace_past_runs,
    values_of=lambda record: spec_values(spec_from_values(record.settings)),
    empty="Every training you finish or stop joins this list, so you can compare them: "
    "change one setting, train again, and see what it did.",
)


def reopen(runs: RunList, run_id: str) -> None:
    """Callback: put a listed run's settings back on the controls."""
    for record in runs.records():
        if record.run_id == run_id:
            PageWidgets(runs.page).update(runs.values_of(record))
            clear_url_notices(runs.page)


def delete(runs: RunList, run_ids: list[str]) -> None:
    """Callback: drop the chosen runs from the list."""
    runs.replace([r for r in runs.records() if r.run_id not in run_ids])


def share(runs: RunList, run_id: str) -> None:
    """Callback: put a run on the class board this session joined, under the typed nickname."""
    joined = state.joined_board()
    record = next((r for r in runs.records() if r.run_id == run_id), None)
    if joined is None or record is None:
        return
    nickname = str(st.session_state.get("board_nickname", ""))
    try:
        boards().share(joined[0], joined[1], nickname, record)
    except BoardProblem as problem:
        st.session_state["_share_note"] = ("error", str(problem))
        return
    st.session_state["_share_note"] = ("success", "Shared: it is on the class board now.")


def newly_listed(runs: RunList, run_id: str) -> None:
    """A run just joined the list: ticked, to be seen beside the others, and chosen below."""
    compared = st.session_state.get(runs.compared_key)
    if compared is not None and run_id not in compared:
        compared.append(run_id)
    st.session_state[f"{runs.prefix}_picked"] = run_id


def _table(runs: RunList, records: list[RunRecord]) -> pd.DataFrame:
    frame = pd.DataFrame([summary_row(r) for r in records], columns=table_columns(records))
    frame.insert(0, "Compare", [False] * len(records))
    chosen = set(
        st.session_state.get(runs.compared_key, [r.run_id for r in records][-SHOWN_AT_FIRST:])
    )
    frame["Compare"] = [r.run_id in chosen for r in records]
    return frame


def _apply_edits(runs: RunList, records: list[RunRecord], edited: pd.DataFrame) -> list[RunRecord]:
    """Names typed in the table go to the runs; the ticked ones are remembered."""
    renamed = []
    for record, name in zip(records, edited["Name"], strict=True):
        name = clean_name(str(name or ""), NAME_LIMIT) or record.name
        renamed.append(record if name == record.name else replace(record, name=name))
    if renamed != records:
        runs.replace(renamed)
    st.session_state[runs.compared_key] = [
        r.run_id for r, ticked in zip(renamed, edited["Compare"], strict=True) if ticked
    ]
    return renamed


def your_runs(busy: bool) -> None:
    """Build & Train's section; ``busy`` while a training runs (its settings cannot be reopened)."""
    run = state.build_run()
    if run is not None and run.run.state in ("done", "stopped", "diverged") and run.run.history:
        listed = {r.run_id for r in state.past_runs()}
        state.remember_run(run.run)
        if run.run.run_id not in listed:
            newly_listed(BUILD_RUNS, run.run.run_id)
    runs_section(BUILD_RUNS, busy)


def runs_section(runs: RunList, busy: bool) -> None:
    """The list, the overlay and scatter of the ticked runs, and what can be done with one."""
    records = runs.records()
    p = runs.prefix
    st.subheader("Your runs")
    if not records:
        joined = state.joined_board()
        st.caption(runs.empty + (" Then share one to your class board." if joined else ""))
        return
    # A new key whenever the rows change: the editor's edits are kept by row position.
    key = f"{p}-" + str(abs(hash(tuple(r.run_id for r in records))))
    frame = _table(runs, records)
    edited = st.data_editor(
        frame,
        key=key,
        hide_index=True,
        width="stretch",
        disabled=[c for c in frame.columns if c not in ("Name", "Compare")],
        column_config={
            "Compare": st.column_config.CheckboxColumn("Compare", help="Overlay this run"),
            "Name": st.column_config.TextColumn("Name", max_chars=NAME_LIMIT),
            "Test accuracy": st.column_config.NumberColumn(format="percent"),
            "Train accuracy": st.column_config.NumberColumn(format="percent"),
        },
    )
    records = _apply_edits(runs, records, edited)
    chosen = [r for r in records if r.run_id in st.session_state[runs.compared_key]]
    present = presenter_mode()
    if chosen:
        st.plotly_chart(overlay_curves(chosen, present=present), key=f"{p}-overlay")
        axis = st.selectbox(
            "Across the scatter",
            list(runs.kind.axes),
            format_func=runs.kind.axes.__getitem__,
            key=f"{p}_axis",
        )
        st.plotly_chart(
            settings_scatter(chosen, axis, present=present, axes=runs.kind.axes), key=f"{p}-scatter"
        )
    else:
        st.caption("Tick **Compare** on a few runs to overlay their curves.")
    names = {r.run_id: r.name for r in records}
    if st.session_state.get(f"{p}_picked") not in names:
        st.session_state.pop(f"{p}_picked", None)  # a deleted run: the newest is chosen
    picked = st.selectbox(
        "Run",
        list(reversed(names)),
        format_func=names.__getitem__,
        key=f"{p}_picked",
    )
    buttons = st.columns(3)
    buttons[0].button(
        "Open its settings",
        key=f"{p}_open",
        on_click=reopen,
        args=(runs, picked),
        disabled=busy,
        width="stretch",
        help="Put this run's settings back on the controls, to train it again or change it.",
    )
    buttons[1].button(
        "Delete it", key=f"{p}_delete", on_click=delete, args=(runs, [picked]), width="stretch"
    )
    buttons[2].download_button(
        "Download the table (CSV)",
        table_csv(records, runs.kind.table),
        file_name=runs.file_name,
        mime="text/csv",
        key=f"{p}_csv",
        width="stretch",
    )
    share_box(runs, picked)


def share_box(runs: RunList, run_id: str) -> None:
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
        st.button("Share this run", key=f"{runs.prefix}_share", on_click=share, args=(runs, run_id))
        note = st.session_state.pop("_share_note", None)
        if note and note[0] == "error":
            st.error(note[1])
        elif note:
            st.success(note[1])
