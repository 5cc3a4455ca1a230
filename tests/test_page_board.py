"""The class board page and Build's "Your runs" in AppTest: the teacher's view and a student's,
sharing from Build, and what each link can do."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from nncore.board.store import BoardStore, database_path
from nncore.network.spec import DEFAULT_SPEC
from nncore.training.compare import record_of
from nncore.training.run import EpochRecord, TrainingRun
from pages._ui.state import KeptRun
from tests.helpers import open_with, page_app, playground_run, texts

pytestmark = pytest.mark.usefixtures("store")


@pytest.fixture(autouse=True)
def no_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """These pages never train here: no worker process is started."""
    from nncore.workers import client

    monkeypatch.setattr(client, "start_workers", lambda: None)


def finished(run_id: str, lr: float = 0.001, accuracy: float = 0.8) -> TrainingRun:
    spec = replace(DEFAULT_SPEC, lr=lr, epochs=2)
    history = [
        EpochRecord(e, 1.0 / e, accuracy, 1.1 / e, accuracy - 0.01 * e, lr, 0.1) for e in (1, 2)
    ]
    return TrainingRun(spec, run_id, history, state="done", wall_seconds=0.3)


def frame_text(app) -> str:
    return " ".join(str(frame.value.to_dict()) for frame in app.dataframe)


def test_a_teacher_creates_a_board_and_gets_both_links():
    at = open_with(page_app("board.py"))
    at.button(key="board_create").click().run()
    assert not at.exception
    board_id, teacher, join = (str(at.query_params[k]) for k in ("board", "teacher", "join"))
    assert teacher != join and len(teacher) >= 32
    at.run()
    codes = texts(at.code)
    assert any(f"join={join}" in c and "teacher" not in c for c in codes), codes
    assert any(f"teacher={teacher}" in c and "present=1" in c for c in codes), codes
    assert at.button(key="board_clear") is not None
    assert BoardStore(database_path()).is_teacher(board_id, teacher)


def test_a_student_sees_the_shared_runs_but_cannot_hide_or_clear():
    boards = BoardStore(database_path())
    board = boards.create()
    boards.share(
        board.board_id,
        board.join_token,
        "[a](http://x.ex)",
        record_of(finished("a" * 16), None, "mine"),
    )
    hidden = boards.share(
        board.board_id, board.join_token, "secret", record_of(finished("b" * 16), None, "other")
    )
    boards.hide(board.board_id, board.teacher_token, hidden)
    at = open_with(page_app("board.py"), board=board.board_id, join=board.join_token)
    assert "joined the class board" in " ".join(texts(at.success))
    assert at.session_state["_joined_board"] == (board.board_id, board.join_token)
    shown = frame_text(at)
    assert "[a](http://x.ex)" in shown  # plain text in a table, never a link
    assert "secret" not in shown
    assert not texts(at.code)  # no link carrying a token
    keys = {b.key for b in at.button}
    assert "board_clear" not in keys and "board_hide" not in keys
    assert board.teacher_token not in str(at.query_params)


def test_a_join_token_is_not_a_teacher_token_and_a_bad_link_opens_nothing():
    boards = BoardStore(database_path())
    board = boards.create()
    at = open_with(page_app("board.py"), board=board.board_id, teacher=board.join_token)
    assert "does not open a board" in " ".join(texts(at.warning))
    assert "board_clear" not in {b.key for b in at.button}
    at = open_with(page_app("board.py"), board="nope", join=board.join_token)
    assert "does not open a board" in " ".join(texts(at.warning))
    assert "_joined_board" not in at.session_state


def test_the_teacher_hides_an_entry_and_clears_the_board():
    boards = BoardStore(database_path())
    board = boards.create()
    boards.share(board.board_id, board.join_token, "ada", record_of(finished("a" * 16), None))
    at = open_with(
        page_app("board.py"), board=board.board_id, teacher=board.teacher_token, present="1"
    )
    assert "ada" in frame_text(at)
    at.button(key="board_hide").click().run()
    assert not at.exception
    assert boards.entries(board.board_id) == []
    at.checkbox(key="board_confirm_clear").check().run()
    at.button(key="board_clear").click().run()
    assert not at.exception
    assert boards.entries(board.board_id, include_hidden=True) == []


def test_your_runs_lists_finished_trainings_and_shares_one():
    boards = BoardStore(database_path())
    board = boards.create()
    at = page_app("build.py")
    at.session_state["_past_runs"] = [record_of(finished("a" * 16), None, "first")]
    at.session_state["build_run"] = KeptRun(finished("b" * 16, lr=0.01, accuracy=0.9))
    at.session_state["_joined_board"] = (board.board_id, board.join_token)
    open_with(at)
    assert "Your runs" in [h.value for h in at.subheader]
    (table,) = [t.value for t in at.dataframe if "Changed" in t.value]
    assert table["Name"].tolist() == ["first", "Run 2"]
    assert table["Changed"].tolist() == ["first run", "Learning rate η 0.001 → 0.01"]
    assert table["Compare"].tolist() == [True, True]
    overlay = next(c.proto.spec for c in at.get("plotly_chart") if "Solid: test" in c.proto.spec)
    legend = [t["name"] for t in json.loads(overlay)["data"] if t.get("showlegend")]
    assert legend == ["first", "Run 2 (Learning rate η 0.001 → 0.01)"]
    at.text_input(key="board_nickname").input("bee").run()
    at.button(key="runs_share").click().run()
    assert not at.exception
    assert "Shared" in " ".join(texts(at.success))
    (entry,) = boards.entries(board.board_id)
    assert entry.nickname == "bee" and entry.record.run_id == "b" * 16


def test_opening_a_run_brings_its_settings_back():
    at = page_app("build.py")
    at.session_state["_past_runs"] = [record_of(finished("a" * 16, lr=0.1), None, "fast")]
    open_with(at)
    assert at.session_state["build-lr"] != 0.1
    at.button(key="runs_open").click().run()
    assert not at.exception
    assert at.session_state["build-lr"] == 0.1


def test_a_teacher_link_without_the_join_token_still_opens_the_board():
    boards = BoardStore(database_path())
    board = boards.create()
    at = open_with(page_app("board.py"), board=board.board_id, teacher=board.teacher_token)
    assert "lacks the students' part" in " ".join(texts(at.warning))
    assert not any("join=" + board.join_token in c for c in texts(at.code))
    assert "board_clear" in {b.key for b in at.button}


def test_a_board_ranks_the_digits_and_each_playground_dataset_apart():
    boards = BoardStore(database_path())
    board = boards.create()
    share = lambda who, record: boards.share(board.board_id, board.join_token, who, record)  # noqa: E731
    share("ada", record_of(finished("a" * 16, accuracy=0.9), None, "digits one"))
    share("bo", record_of(finished("b" * 16, accuracy=0.7), None, "digits two"))
    share("cy", playground_run("c" * 16, "bumps", data="multigauss", accuracy=0.95))
    at = open_with(page_app("board.py"), board=board.board_id, join=board.join_token)
    assert not at.exception
    # The task most of the class worked on comes first; the R² run is not ranked against it.
    task = at.radio(key="board_task")
    assert task.options == ["MNIST digits (2)", "2D Bumps (regression) (1)"]
    assert "digits one" in frame_text(at) and "bumps" not in frame_text(at)
    task.set_value("2D Bumps (regression)").run()
    assert not at.exception
    (table,) = [frame.value for frame in at.dataframe]
    assert table["Run"].tolist() == ["bumps"] and "Test R²" in table.columns
    assert table["Settings"][0].startswith("x₁, x₂ → 4, 2 tanh · sgd η 0.03")
    scatter = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if "scatter" in c.proto.spec and "Solid" not in c.proto.spec
    )
    assert scatter["layout"]["yaxis"]["title"]["text"] == "test R²"
    assert at.selectbox(key="board_axis_playground").options[-1] == "Hidden layers"


def test_the_playground_shares_a_run_to_the_board():
    boards = BoardStore(database_path())
    board = boards.create()
    at = page_app("playground.py")
    first = playground_run("a" * 16, "wide", data="spiral")
    at.session_state["pg_past_runs"] = [first, playground_run("b" * 16, "narrow", first)]
    at.session_state["_joined_board"] = (board.board_id, board.join_token)
    open_with(at)
    at.selectbox(key="pg_runs_picked").select("a" * 16).run()
    at.text_input(key="board_nickname").input("dee").run()
    at.button(key="pg_runs_share").click().run()
    assert not at.exception
    assert "Shared" in " ".join(texts(at.success))
    (entry,) = boards.entries(board.board_id)
    assert (entry.nickname, entry.record.name, entry.record.page) == ("dee", "wide", "playground")
    assert entry.record.settings["data"] == "spiral"
