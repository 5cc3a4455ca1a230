"""Class boards in one SQLite database (WAL mode) in the store directory every server reads.

A teacher creates a board and gets three unguessable strings (``secrets.token_urlsafe``): the
board's id, a join token for the students' link and a teacher token for the board's own link.
Only the tokens' SHA-256 digests are stored, and a presented token is compared with
``hmac.compare_digest``. A student with the join token can share runs; only the teacher token
hides an entry or clears the board. A board expires KEEP_SECONDS after it was made and holds at
most MAX_ENTRIES entries.

Every write is one ``BEGIN IMMEDIATE`` transaction, so shares that arrive at once from several
app servers (several processes on one machine) queue on SQLite's write lock (``busy_timeout``)
and none is lost. Each board has a ``revision`` that every write raises: a page polling the
board reads that one number and re-reads the entries only when it moved.

SQLite's locking needs one machine's filesystem: servers on several machines would use a
server database (PostgreSQL) instead, behind the same functions.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from nncore.board.records import MalformedEntry, from_json, to_json
from nncore.training.compare import RunRecord, clean_name
from nncore.training.store import PRIVATE_FILE, check_store_directory

KEEP_SECONDS = 12 * 3600  # like kept runs: a school day
MAX_ENTRIES = 200
NICKNAME_LIMIT = 24
BUSY_MILLISECONDS = 10_000
DATABASE_NAME = "boards.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS boards (
    id TEXT PRIMARY KEY,
    join_digest BLOB NOT NULL,
    teacher_digest BLOB NOT NULL,
    created REAL NOT NULL,
    revision INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    nickname TEXT NOT NULL,
    record TEXT NOT NULL,
    test_accuracy REAL,
    shared REAL NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS entries_by_board ON entries(board_id, hidden);
"""


class BoardProblem(Exception):
    """Why a share, hide or clear did not happen: one sentence a visitor can read."""


@dataclass(frozen=True)
class NewBoard:
    """What the teacher gets once: the board's id and both tokens (never stored in clear)."""

    board_id: str
    join_token: str
    teacher_token: str
    created: float


@dataclass(frozen=True)
class Entry:
    """One shared run on a board."""

    entry_id: int
    nickname: str
    record: RunRecord
    shared: float
    hidden: bool


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "replace")).digest()


def _matches(token: object, digest: bytes) -> bool:
    return isinstance(token, str) and hmac.compare_digest(_digest(token), digest)


def database_path(directory: Path | None = None) -> Path:
    return check_store_directory(directory) / DATABASE_NAME


class BoardStore:
    """The boards database at ``path`` (created 0600 on first use)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or database_path()
        self._ready = False

    def _create_private(self) -> None:
        try:
            descriptor = os.open(
                self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_FILE
            )
        except FileExistsError:
            return
        os.fchmod(descriptor, PRIVATE_FILE)
        os.close(descriptor)

    @contextmanager
    def _connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self._create_private()  # before SQLite makes it with the umask's mode
        connection = sqlite3.connect(self.path, timeout=BUSY_MILLISECONDS / 1000)
        connection.isolation_level = None  # transactions are begun here, explicitly
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_MILLISECONDS}")
            connection.execute("PRAGMA foreign_keys = ON")
            if not self._ready:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.executescript(SCHEMA)
                self._ready = True
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.close()

    # --- the teacher ---------------------------------------------------------------------------

    def create(self, now: float | None = None) -> NewBoard:
        """A new board; expired boards go at the same time."""
        now = time.time() if now is None else now
        board = NewBoard(
            secrets.token_urlsafe(16), secrets.token_urlsafe(24), secrets.token_urlsafe(24), now
        )
        with self._connect(write=True) as db:
            db.execute("DELETE FROM boards WHERE created < ?", (now - KEEP_SECONDS,))
            db.execute(
                "INSERT INTO boards (id, join_digest, teacher_digest, created) VALUES (?, ?, ?, ?)",
                (board.board_id, _digest(board.join_token), _digest(board.teacher_token), now),
            )
        return board

    def _board(
        self, db: sqlite3.Connection, board_id: object, now: float | None
    ) -> tuple[bytes, bytes, int] | None:
        if not isinstance(board_id, str):
            return None
        now = time.time() if now is None else now
        row = db.execute(
            "SELECT join_digest, teacher_digest, revision FROM boards WHERE id = ? AND created >= ?",
            (board_id, now - KEEP_SECONDS),
        ).fetchone()
        return None if row is None else (bytes(row[0]), bytes(row[1]), int(row[2]))

    def is_teacher(self, board_id: object, token: object, now: float | None = None) -> bool:
        with self._connect() as db:
            board = self._board(db, board_id, now)
        return board is not None and _matches(token, board[1])

    def can_join(self, board_id: object, token: object, now: float | None = None) -> bool:
        with self._connect() as db:
            board = self._board(db, board_id, now)
        return board is not None and _matches(token, board[0])

    def hide(self, board_id: str, teacher_token: str, entry_id: int, hidden: bool = True) -> None:
        with self._connect(write=True) as db:
            self._require_teacher(db, board_id, teacher_token)
            db.execute(
                "UPDATE entries SET hidden = ? WHERE id = ? AND board_id = ?",
                (int(hidden), int(entry_id), board_id),
            )
            self._bump(db, board_id)

    def clear(self, board_id: str, teacher_token: str) -> None:
        with self._connect(write=True) as db:
            self._require_teacher(db, board_id, teacher_token)
            db.execute("DELETE FROM entries WHERE board_id = ?", (board_id,))
            self._bump(db, board_id)

    def _require_teacher(self, db: sqlite3.Connection, board_id: str, token: str) -> None:
        board = self._board(db, board_id, None)
        if board is None:
            raise BoardProblem("This board has expired (boards last 12 hours).")
        if not _matches(token, board[1]):
            raise BoardProblem("Only the teacher's link can change this board.")

    @staticmethod
    def _bump(db: sqlite3.Connection, board_id: str) -> None:
        db.execute("UPDATE boards SET revision = revision + 1 WHERE id = ?", (board_id,))

    # --- the students --------------------------------------------------------------------------

    def share(
        self,
        board_id: str,
        join_token: str,
        nickname: str,
        record: RunRecord,
        now: float | None = None,
    ) -> int:
        """Put ``record`` on the board under ``nickname``; the new entry's id.

        Raises ``BoardProblem`` when the board is gone, the token is not the board's, or the
        board is full."""
        now = time.time() if now is None else now
        nickname = clean_name(nickname, NICKNAME_LIMIT)
        if not nickname:
            raise BoardProblem("Type a nickname to share under (no real name needed).")
        with self._connect(write=True) as db:
            board = self._board(db, board_id, now)
            if board is None:
                raise BoardProblem("This board has expired (boards last 12 hours).")
            if not _matches(join_token, board[0]) and not _matches(join_token, board[1]):
                raise BoardProblem("This link does not belong to the board.")
            (count,) = db.execute(
                "SELECT COUNT(*) FROM entries WHERE board_id = ?", (board_id,)
            ).fetchone()
            if count >= MAX_ENTRIES:
                raise BoardProblem(
                    f"The board is full ({MAX_ENTRIES} runs); ask your teacher to clear it."
                )
            cursor = db.execute(
                "INSERT INTO entries (board_id, nickname, record, test_accuracy, shared) "
                "VALUES (?, ?, ?, ?, ?)",
                (board_id, nickname, to_json(record), record.test_accuracy, now),
            )
            self._bump(db, board_id)
            return int(cursor.lastrowid or 0)

    # --- the board -----------------------------------------------------------------------------

    def revision(self, board_id: str, now: float | None = None) -> int | None:
        """The board's revision (raised by every change), or None once it has expired: the one
        cheap read a page polling the board makes."""
        with self._connect() as db:
            board = self._board(db, board_id, now)
        return None if board is None else board[2]

    def entries(
        self, board_id: str, include_hidden: bool = False, now: float | None = None
    ) -> list[Entry]:
        """The board's entries, best test accuracy first; hidden ones only when asked."""
        with self._connect() as db:
            if self._board(db, board_id, now) is None:
                return []
            rows = db.execute(
                "SELECT id, nickname, record, shared, hidden FROM entries WHERE board_id = ? "
                + ("" if include_hidden else "AND hidden = 0 ")
                + "ORDER BY test_accuracy IS NULL, test_accuracy DESC, id",
                (board_id,),
            ).fetchall()
        entries = []
        for entry_id, nickname, text, shared, hidden in rows:
            try:
                record = from_json(text)
            except MalformedEntry:
                continue
            entries.append(Entry(int(entry_id), str(nickname), record, float(shared), bool(hidden)))
        return entries
