"""One redraw budget for every playing 2D Playground on a server: alone a student sees the
fastest redraws; with a class playing at once, each gets a share and the server's core is not
filled by live pictures."""

from __future__ import annotations

import pytest

from nncore.playground.live import LiveSessions, needs_slowing, redraw_seconds
from pages._ui import playground_live
from tests.helpers import open_with, page_app, wait_until


def test_a_share_of_the_budget_never_faster_than_the_fastest_rate():
    assert redraw_seconds(1, 0.125, 40) == 0.125
    assert redraw_seconds(5, 0.125, 40) == 0.125  # five play at full speed
    assert redraw_seconds(40, 0.125, 40) == 1.0  # forty share forty redraws a second
    assert redraw_seconds(0, 1.0, 5) == 1.0
    # What every player together costs stays at the budget however many play.
    for players in (10, 40, 160):
        assert players / redraw_seconds(players, 0.125, 40) == pytest.approx(40)


def test_only_a_rate_twice_too_fast_is_slowed_while_playing():
    assert not needs_slowing(0.125, 0.2)
    assert needs_slowing(0.125, 0.25)
    assert not needs_slowing(1.0, 0.125)  # faster comes with the next page run


def test_players_are_counted_until_they_go_quiet():
    sessions = LiveSessions(window=10)
    assert sessions.seen("a", now=0) == 1
    assert sessions.seen("b", now=5) == 2
    assert sessions.seen("a", now=9) == 2  # the same session counts once
    assert sessions.playing(now=14) == 2
    assert sessions.playing(now=16) == 1  # b paused (or left) at 5
    assert sessions.playing(now=30) == 0


def test_a_class_playing_at_once_slows_each_plane_to_its_share(monkeypatch):
    sessions = LiveSessions()
    monkeypatch.setattr(playground_live, "live_sessions", lambda: sessions)
    for index in range(39):
        sessions.seen(f"classmate {index}")
    app = open_with(page_app("playground.py"), points="100")
    app.button(key="pg_play").click().run()
    # 39 classmates and this student share 40 redraws a second: one a second each.
    assert app.session_state["pg_plane_every"] == pytest.approx(1.0)
    wait_until(
        lambda: len(sessions.sessions()) == 40 or bool(app.run().exception),
        240,
        "this session counted among the players",
        0.5,
    )
    assert not app.exception
    app.button(key="pg_pause").click().run()
    assert not app.exception


def test_alone_the_plane_is_redrawn_at_the_fastest_rate(monkeypatch):
    sessions = LiveSessions()
    monkeypatch.setattr(playground_live, "live_sessions", lambda: sessions)
    app = open_with(page_app("playground.py"), points="100")
    app.button(key="pg_play").click().run()
    assert app.session_state["pg_plane_every"] == playground_live.REDRAW_SECONDS
    app.button(key="pg_pause").click().run()
    assert not app.exception
