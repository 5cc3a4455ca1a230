"""Class boards in SQLite: tokens, sharing, hiding, clearing, expiry, the cap, and shares that
arrive at once from several processes."""

from __future__ import annotations

import multiprocessing
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from nncore.board import store as board_store
from nncore.board.kinds import task_of, tasks_by_size
from nncore.board.records import MalformedEntry, from_json, to_json
from nncore.board.store import KEEP_SECONDS, MAX_ENTRIES, BoardProblem, BoardStore
from nncore.network.spec import DEFAULT_SPEC
from nncore.training.compare import record_of
from nncore.training.run import EpochRecord, TrainingRun
from tests.helpers import playground_run


def record(accuracy: float = 0.8, run_id: str = "r" * 16, name: str = "mine"):
    history = [EpochRecord(1, 0.5, accuracy, 0.6, accuracy, 0.001, 0.1)]
    run = TrainingRun(DEFAULT_SPEC, run_id, history, state="done", wall_seconds=0.2)
    return record_of(run, None, name)


@pytest.fixture
def boards(tmp_path: Path) -> BoardStore:
    return BoardStore(board_store.database_path(tmp_path / "store"))


def test_the_database_is_private_and_in_wal_mode(boards: BoardStore):
    boards.create()
    assert stat.S_IMODE(os.stat(boards.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(boards.path.parent).st_mode) == 0o700
    import sqlite3

    with sqlite3.connect(boards.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_tokens_are_unguessable_and_distinct(boards: BoardStore):
    one, two = boards.create(), boards.create()
    assert len({one.board_id, one.join_token, one.teacher_token, two.join_token}) == 4
    assert len(one.join_token) >= 32 and len(one.teacher_token) >= 32
    assert boards.is_teacher(one.board_id, one.teacher_token)
    assert not boards.is_teacher(one.board_id, one.join_token)
    assert not boards.is_teacher(one.board_id, two.teacher_token)
    assert not boards.is_teacher(one.board_id, None)
    assert boards.can_join(one.board_id, one.join_token)
    assert not boards.can_join(two.board_id, one.join_token)
    assert not boards.can_join("nope", one.join_token)
    # Only digests are stored.
    assert one.teacher_token.encode() not in boards.path.read_bytes()


def test_a_share_lands_on_the_board_best_first(boards: BoardStore):
    board = boards.create()
    before = boards.revision(board.board_id)
    boards.share(board.board_id, board.join_token, "ada", record(0.7, name="small"))
    boards.share(board.board_id, board.join_token, "bob", record(0.9, name="big"))
    entries = boards.entries(board.board_id)
    assert [(e.nickname, e.record.name) for e in entries] == [("bob", "big"), ("ada", "small")]
    assert boards.revision(board.board_id) == (before or 0) + 2


def test_a_share_needs_the_join_token_and_a_nickname(boards: BoardStore):
    board, other = boards.create(), boards.create()
    with pytest.raises(BoardProblem, match="does not belong"):
        boards.share(board.board_id, other.join_token, "eve", record())
    with pytest.raises(BoardProblem, match="nickname"):
        boards.share(board.board_id, board.join_token, " \n ", record())
    boards.share(board.board_id, board.join_token, "x" * 100 + "\n", record())
    assert boards.entries(board.board_id)[0].nickname == "x" * 24
    assert boards.entries(other.board_id) == []


def test_only_the_teacher_hides_and_clears(boards: BoardStore):
    board = boards.create()
    first = boards.share(board.board_id, board.join_token, "ada", record())
    boards.share(board.board_id, board.join_token, "bob", record())
    with pytest.raises(BoardProblem, match="teacher"):
        boards.hide(board.board_id, board.join_token, first)
    with pytest.raises(BoardProblem, match="teacher"):
        boards.clear(board.board_id, board.join_token)
    boards.hide(board.board_id, board.teacher_token, first)
    assert [e.nickname for e in boards.entries(board.board_id)] == ["bob"]
    assert [e.hidden for e in boards.entries(board.board_id, include_hidden=True)] == [
        True,
        False,
    ]
    boards.hide(board.board_id, board.teacher_token, first, hidden=False)
    assert len(boards.entries(board.board_id)) == 2
    boards.clear(board.board_id, board.teacher_token)
    assert boards.entries(board.board_id, include_hidden=True) == []


def test_a_board_expires(boards: BoardStore):
    board = boards.create(now=1000.0)
    later = 1000.0 + KEEP_SECONDS + 1
    assert boards.revision(board.board_id, now=1000.0 + KEEP_SECONDS) is not None
    assert boards.revision(board.board_id, now=later) is None
    assert not boards.can_join(board.board_id, board.join_token, now=later)
    with pytest.raises(BoardProblem, match="expired"):
        boards.share(board.board_id, board.join_token, "ada", record(), now=later)
    assert boards.entries(board.board_id, now=later) == []
    boards.create(now=later)  # a new board removes the expired ones
    assert boards.revision(board.board_id, now=1000.0) is None


def test_a_board_is_capped(boards: BoardStore, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(board_store, "MAX_ENTRIES", 5)
    board = boards.create()
    for index in range(5):
        boards.share(board.board_id, board.join_token, f"s{index}", record())
    with pytest.raises(BoardProblem, match="full"):
        boards.share(board.board_id, board.join_token, "late", record())
    assert len(boards.entries(board.board_id)) == 5
    assert MAX_ENTRIES == 200


def test_a_stored_record_round_trips_and_bad_ones_are_refused():
    original = record(0.75)
    assert from_json(to_json(original)) == original
    for bad in ("[]", "{", to_json(replace(original, settings={"evil": 1}))):
        with pytest.raises(MalformedEntry):
            from_json(bad)
    with pytest.raises(MalformedEntry):
        from_json(to_json(replace(original, loss=(1.0, 2.0))))


def test_a_playground_run_round_trips_with_its_page_and_its_score():
    bumps = playground_run("p" * 16, "bumps", data="multigauss", accuracy=0.6)
    assert (bumps.page, bumps.score) == ("playground", "r2")
    assert from_json(to_json(bumps)) == bumps
    # Checked against the playground's own settings: a Build setting, or a feature that is not
    # true or false, is refused.
    for settings in ({**bumps.settings, "epochs": 5}, {**bumps.settings, "f_x1": "yes"}):
        with pytest.raises(MalformedEntry):
            from_json(to_json(replace(bumps, settings=settings)))
    with pytest.raises(MalformedEntry):
        from_json(to_json(replace(bumps, page="elsewhere")))
    # An entry stored before boards held playground runs reads as Build's, with accuracy.
    digits = record()
    old = to_json(digits).replace(', "score": "accuracy", "page": "build"', "")
    assert '"page"' not in old and from_json(old) == digits


def test_runs_are_ranked_within_the_task_they_learned():
    runs = [
        record(),
        playground_run("a" * 16, data="spiral"),
        playground_run("b" * 16, data="spiral"),
        playground_run("c" * 16, data="multigauss"),
    ]
    assert [task_of(r) for r in runs[:2]] == ["MNIST digits", "2D Spiral (2 classes)"]
    assert list(tasks_by_size(runs).items()) == [
        ("2D Spiral (2 classes)", 2),
        ("MNIST digits", 1),
        ("2D Bumps (regression)", 1),
    ]


def test_a_malformed_row_is_skipped(boards: BoardStore):
    board = boards.create()
    boards.share(board.board_id, board.join_token, "ada", record())
    import sqlite3

    with sqlite3.connect(boards.path) as db:
        db.execute("UPDATE entries SET record = '{\"x\": 1}'")
    assert boards.entries(board.board_id) == []


def _share_many(path: str, board_id: str, token: str, prefix: str, count: int, start) -> None:
    """One process's ``count`` shares, each from a thread of its own (as a server's sessions),
    all let go at once."""
    boards = BoardStore(Path(path))
    records = [record(run_id=f"{prefix}{index:015d}") for index in range(count)]
    start.wait()
    with ThreadPoolExecutor(count) as pool:
        shares = [
            pool.submit(boards.share, board_id, token, f"{prefix}{index}", records[index])
            for index in range(count)
        ]
        for share in shares:
            share.result()


def test_shares_from_two_processes_at_once_all_land(boards: BoardStore):
    """Two processes (as two app servers would) share 40 runs at once: none is lost."""
    board = boards.create()
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [
        context.Process(
            target=_share_many,
            args=(str(boards.path), board.board_id, board.join_token, prefix, 20, start),
        )
        for prefix in ("a", "b")
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    nicknames = {e.nickname for e in boards.entries(board.board_id)}
    assert nicknames == {f"{p}{i}" for p in "ab" for i in range(20)}
    assert boards.revision(board.board_id) == 40
