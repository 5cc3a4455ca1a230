"""One redraw budget for every playing network on a server, however many students play.

A playing 2D Playground redraws its plane several times a second, and each redraw is a script
run on the app server's one core. A dozen students playing at full speed filled that core
(``benchmarks/README.md``, class_load). So the server shares a fixed number of redraws a
second among the students playing: alone, or with a few, a student sees the fastest rate; in
a class of forty playing at once each sees fewer frames, and the others' clicks still get
their answers. ``LiveSessions`` counts who plays; ``redraw_seconds`` gives each their share.
"""

from __future__ import annotations

import threading
import time


def redraw_seconds(players: int, fastest: float, per_second: float) -> float:
    """Seconds between one player's redraws when ``players`` share ``per_second`` redraws a
    second: an equal share each, never more often than every ``fastest`` seconds."""
    return max(fastest, max(players, 1) / per_second)


def needs_slowing(declared: float, wanted: float) -> bool:
    """Whether a player redrawing every ``declared`` seconds must slow down to ``wanted``.

    Only a rate at least twice too fast is changed while a network plays (changing it costs a
    whole page run); a faster share comes with the page's next run (Play, Pause, any control).
    """
    return wanted >= 2 * declared


class LiveSessions:
    """The sessions that redrew a playing network in the last ``window`` seconds (one per
    server process, shared by its sessions' threads). The window is longer than the slowest
    share (a class of two hundred playing redraws every 5 s), so no player drops out between
    two of its redraws."""

    def __init__(self, window: float = 10.0) -> None:
        self.window = window
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def seen(self, session: str, now: float | None = None) -> int:
        """Note that ``session`` redrew now; how many sessions are playing, itself included."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._last[session] = now
            return self._count(now)

    def playing(self, now: float | None = None) -> int:
        """How many sessions redrew within the window."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return self._count(now)

    def sessions(self) -> set[str]:
        """The sessions counted as playing now."""
        with self._lock:
            self._count(time.monotonic())
            return set(self._last)

    def _count(self, now: float) -> int:
        for session in [s for s, at in self._last.items() if now - at > self.window]:
            del self._last[session]  # gone quiet: paused, or the tab closed
        return len(self._last)
