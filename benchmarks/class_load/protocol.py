"""One simulated browser tab: Streamlit's websocket protocol as the browser speaks it.

A ``StreamlitSession`` opens a page the way a browser does (the page's HTML, the health and
host-config requests, then the websocket ``/_stcore/stream`` with the subprotocol
``streamlit``), sends ``BackMsg.rerun_script`` with a ``ClientState`` for every interaction, and
reads ``ForwardMsg``s on a thread of its own. It keeps what a browser keeps: the widgets the
latest run drew (found by their user key, which every keyed element's id ends with), the page's
query string as the server last set it, and one timer per ``auto_rerun`` fragment, which reruns
that fragment every ``interval`` until a full run starts or ``stop_auto_rerun`` names it.

Widget states: a browser sends the value of every widget on the page with every rerun (a
button's trigger once). This client sends every value it has set itself and the page still
shows, and forgets one when the server sets that widget (``set_value``); the widgets it never
touched keep their values on the server. (A custom component's value must be sent every time:
the server does not keep it, so a stroke would vanish from the canvas at the next rerun.)

Every finished request goes to ``report`` (a ``Request``): an interaction (``rerun``), a page
opened (``page``), a fragment rerun on its timer (``tick``) or a live update the server pushed
(``live``). When ``cpu`` is given (the server's CPU seconds so far), each request carries the
server CPU spent while it ran. Written with ``threading``, so it runs as plain threads and,
under Locust (which monkey-patches with gevent), as greenlets.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

# A keyed element's id: "$$ID-<32 hex digits>-<the user's key>".
KEYED_ID = re.compile(r"^\$\$ID-[0-9a-f]{32}-(.+)$")
SELECT_SLIDER = 2  # Slider.Type.SELECT_SLIDER
SUCCESS = ForwardMsg.FINISHED_SUCCESSFULLY
FRAGMENT_SUCCESS = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
EARLY_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN
COMPILE_ERROR = ForwardMsg.FINISHED_WITH_COMPILE_ERROR
KEPT_RUNS = 64  # the runs remembered (an interaction looks back this far at most)


class InteractionFailed(Exception):
    """An interaction did not complete: reported as a failed request, then raised."""


@dataclass(frozen=True)
class Request:
    """One finished request, as Locust's request event takes it (times in ms), plus the
    server CPU seconds spent while it ran (None when not measured)."""

    request_type: str
    name: str
    response_time: float
    response_length: int
    exception: Exception | None
    cpu: float | None = None


@dataclass
class Widget:
    """A widget (or any keyed element) the server drew: its id, element kind and proto."""

    id: str
    kind: str
    key: str | None
    proto: Any

    @property
    def disabled(self) -> bool:
        return bool(getattr(self.proto, "disabled", False))

    @property
    def options(self) -> list[str]:
        """The formatted options of a select slider, selectbox, radio or button group."""
        if self.kind == "button_group":
            return [option.content for option in self.proto.options]
        return list(getattr(self.proto, "options", []))


@dataclass
class Run:
    """One script run as the client saw it, from ``new_session`` to ``script_finished``."""

    run_id: str
    fragment_ids: tuple[str, ...]
    seq: int  # the how-manieth run of this session
    started: float
    cpu_start: float | None
    keys: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)  # tracebacks, page not found
    errors: list[str] = field(default_factory=list)  # st.error texts
    metrics: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    finished: float | None = None
    cpu_end: float | None = None
    tick_sent: dict[str, float] = field(default_factory=dict)

    @property
    def full(self) -> bool:
        return not self.fragment_ids


@dataclass
class _Timer:
    interval: float
    stop: threading.Event


@dataclass
class _Listener:
    name: str
    last: float | None = None  # the previous element's arrival (none yet: the clock starts)
    cpu: float | None = None


def widget_state(widget: Widget, value: Any) -> WidgetState:
    """The ``WidgetState`` a browser sends when ``widget`` takes ``value``."""
    state = WidgetState(id=widget.id)
    kind = widget.kind
    if kind == "button":
        state.trigger_value = bool(value)
    elif kind == "slider" and widget.proto.type == SELECT_SLIDER:
        state.string_array_value.data.append(str(value))
    elif kind == "slider":
        values = value if isinstance(value, list | tuple) else [value]
        state.double_array_value.data.extend(float(v) for v in values)
    elif kind == "checkbox":
        state.bool_value = bool(value)
    elif kind in ("selectbox", "radio"):
        state.string_value = str(value)
    elif kind == "button_group":
        state.string_array_value.data.append(str(value))
    elif kind == "number_input":
        state.double_value = float(value)
    elif kind == "bidi_component":
        state.json_value = value if isinstance(value, str) else json.dumps(value)
    else:
        raise ValueError(f"this client does not set {kind} widgets ({widget.key})")
    return state


class StreamlitSession:
    """One browser tab on one page of a Streamlit app at ``base_url``."""

    def __init__(
        self,
        base_url: str,
        page: str,
        report: Callable[[Request], None],
        *,
        query_string: str = "",
        cpu: Callable[[], float] | None = None,
        timeout: float = 60.0,
        http: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.page = page
        self.report = report
        self.query_string = query_string
        self.timeout = timeout
        self._cpu = cpu
        self._http = http or requests.Session()
        self._ws: websocket.WebSocket | None = None
        self._send_lock = threading.Lock()
        self._cond = threading.Condition()
        self._runs: list[Run] = []
        self._run: Run | None = None
        self._seq = 0
        self._bytes = 0
        self._closed: str | None = None
        self._widgets: dict[str, Widget] = {}
        self._stale: dict[str, Widget] = {}  # the last full run's, while the next one runs
        self._values: dict[str, Any] = {}  # what this tab set, by key, as a browser keeps it
        self._timers: dict[str, _Timer] = {}
        self._pending_ticks: dict[str, float] = {}
        self._listeners: dict[str, _Listener] = {}

    # --- what a student does ------------------------------------------------------------------

    def open(self, name: str | None = None) -> Run:
        """Load the page as a browser does and wait for its first run to finish."""
        name = name or f"open /{self.page}"
        start, cpu0 = time.monotonic(), self._cpu_now()
        try:
            self._http.get(f"{self.base_url}/{self.page}", timeout=self.timeout).raise_for_status()
            for path in ("_stcore/health", "_stcore/host-config"):
                self._http.get(f"{self.base_url}/{path}", timeout=self.timeout).raise_for_status()
            parts = urlsplit(self.base_url)
            scheme = "wss" if parts.scheme == "https" else "ws"
            cookies = "; ".join(f"{c.name}={c.value}" for c in self._http.cookies)
            self._ws = websocket.create_connection(
                f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream",
                subprotocols=["streamlit"],
                cookie=cookies or None,
                timeout=self.timeout,
            )
            self._ws.settimeout(None)
        except (OSError, requests.RequestException, websocket.WebSocketException) as error:
            elapsed = 1000 * (time.monotonic() - start)
            failure = InteractionFailed(f"could not open /{self.page}: {error}")
            self.report(Request("page", name, elapsed, 0, failure))
            raise failure from error
        threading.Thread(target=self._read, name=f"read /{self.page}", daemon=True).start()
        return self._complete("page", name, -1, start, cpu0, self._send_rerun({}))

    def interact(
        self,
        name: str,
        widgets: Mapping[str, Any] | None = None,
        *,
        until_key: str | None = None,
        expect: Callable[[Run], str | None] | None = None,
        request_type: str = "rerun",
    ) -> Run:
        """Set ``widgets`` (user key -> value) and wait for the page's answer: the first full
        run after this request that finishes, or that draws an element keyed ``until_key``.
        ``expect`` returns a sentence when the answer lacks what it should show."""
        start, cpu0 = time.monotonic(), self._cpu_now()
        changes = dict(widgets or {})
        try:
            for key, value in changes.items():
                widget_state(self.widget(key), value)  # a widget the page shows, a value it takes
        except (KeyError, ValueError) as error:
            failure = InteractionFailed(str(error))
            self.report(Request(request_type, name, 0.0, 0, failure))
            raise failure from error
        with self._cond:
            seq0 = self._seq
        sent = self._send_rerun(changes)
        return self._complete(request_type, name, seq0, start, cpu0, sent, until_key, expect)

    def wait_idle(self, name: str, since: Run, timeout: float) -> bool:
        """Wait (at most ``timeout`` s) until a full run after ``since`` has finished and no
        newer one is running; report the wait from ``since``'s start as a ``live`` request.
        False when it did not happen in time (nothing is reported then)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                run = self._run
                if run is not None and run.seq > since.seq and run.full and run.status == SUCCESS:
                    elapsed = 1000 * (time.monotonic() - since.started)
                    cpu = None
                    if run.cpu_end is not None and since.cpu_start is not None:
                        cpu = run.cpu_end - since.cpu_start
                    break
                if self._closed or time.monotonic() > deadline:
                    return False
                self._cond.wait(min(1.0, max(0.0, deadline - time.monotonic())))
        self.report(Request("live", name, elapsed, 0, None, cpu))
        return True

    def listen(self, key_prefix: str, name: str) -> None:
        """Report every element keyed ``key_prefix…`` the server draws from now on but the
        first, as a ``live`` request timed from the previous one (a live chart's redraws).
        Listening again starts afresh (after a pause, say)."""
        with self._cond:
            self._listeners[key_prefix] = _Listener(name)

    def unlisten(self, key_prefix: str) -> None:
        with self._cond:
            self._listeners.pop(key_prefix, None)

    def close(self) -> None:
        """Close the tab: its timers stop and the server ends the session."""
        with self._cond:
            self._closed = self._closed or "closed by the client"
            self._stop_timers(list(self._timers))
            self._cond.notify_all()
        ws, self._ws = self._ws, None
        if ws is None:
            return
        # The close frame goes out, its answer is not awaited (the reader would have to share
        # the socket with the wait: under gevent that can hang a student's stop for good);
        # shutting the socket down wakes the reader, which then ends.
        with contextlib.suppress(OSError, websocket.WebSocketException), self._send_lock:
            ws.send_close()
        if ws.sock is not None:
            with contextlib.suppress(OSError):
                ws.sock.shutdown(socket.SHUT_RDWR)
        ws.shutdown()

    # --- what the student sees ----------------------------------------------------------------

    def widget(self, key: str) -> Widget:
        """The element keyed ``key`` on the page now; KeyError if there is none."""
        with self._cond:
            widget = self._shown(key)
        if widget is None:
            raise KeyError(f"/{self.page} shows no element keyed {key!r}")
        return widget

    def has(self, key: str, enabled: bool = True) -> bool:
        """Whether the page shows an element keyed ``key`` (and, by default, enabled)."""
        with self._cond:
            widget = self._shown(key)
        return widget is not None and not (enabled and widget.disabled)

    def _shown(self, key: str) -> Widget | None:
        """What the page shows under ``key``: drawn by this run, or, while a full run is
        under way, by the last one (a browser shows the old elements until they are
        replaced or the run ends)."""
        return self._widgets.get(key) or self._stale.get(key)

    @property
    def alive(self) -> bool:
        return self._ws is not None and self._closed is None

    @property
    def live_fragments(self) -> int:
        """How many fragments rerun on a timer now (a playing playground has three)."""
        with self._cond:
            return len(self._timers)

    # --- the wire -----------------------------------------------------------------------------

    def _cpu_now(self) -> float | None:
        return self._cpu() if self._cpu is not None else None

    def _send(self, message: BackMsg) -> None:
        ws = self._ws
        if ws is None:
            raise websocket.WebSocketConnectionClosedException("the tab is closed")
        data = message.SerializeToString()
        with self._send_lock:
            ws.send_binary(data)

    def _send_rerun(self, changes: Mapping[str, Any], fragment_id: str = "") -> str | None:
        """Send a rerun request with ``changes`` (user key -> value) and every value set
        before; the reason it could not be sent, or None."""
        message = BackMsg()
        client = message.rerun_script
        with self._cond:
            client.query_string = self.query_string
            for key, value in changes.items():
                widget = self._shown(key)
                if widget is None:
                    return f"the page no longer shows {key!r}"
                if widget.kind == "button":
                    client.widget_states.widgets.append(widget_state(widget, value))
                else:
                    self._values[key] = value
            for key, value in list(self._values.items()):
                widget = self._shown(key)
                if widget is None:  # no longer on the page: the browser forgets it too
                    del self._values[key]
                else:
                    client.widget_states.widgets.append(widget_state(widget, value))
        client.page_name = self.page
        if fragment_id:
            client.fragment_id = fragment_id
            client.is_auto_rerun = True
        try:
            self._send(message)
        except (OSError, websocket.WebSocketException) as error:
            return f"could not send: {error}"
        return None

    def _complete(
        self,
        request_type: str,
        name: str,
        seq0: int,
        start: float,
        cpu0: float | None,
        unsent: str | None,
        until_key: str | None = None,
        expect: Callable[[Run], str | None] | None = None,
    ) -> Run:
        """Wait for the answer to a request sent after run ``seq0``; report it."""
        deadline = start + self.timeout
        bytes0 = self._bytes
        answer: Run | None = None
        problem = unsent
        with self._cond:
            while problem is None:
                later = [run for run in self._runs if run.seq > seq0]
                problem = next((p for run in later for p in run.problems), None)
                if problem is not None:
                    break
                answer = next(
                    (
                        run
                        for run in later
                        if run.full
                        and (run.status == SUCCESS or (until_key and until_key in run.keys))
                    ),
                    None,
                )
                if answer is not None:
                    break
                if any(run.status == COMPILE_ERROR for run in later):
                    problem = "the script did not compile"
                elif self._closed:
                    problem = f"the connection closed: {self._closed}"
                elif time.monotonic() >= deadline:
                    problem = f"no answer within {self.timeout:g} s"
                else:
                    self._cond.wait(min(1.0, deadline - time.monotonic()))
            elapsed = 1000 * (time.monotonic() - start)
            length = self._bytes - bytes0
            cpu_now = self._cpu_now()
        if problem is None and answer is not None and expect is not None:
            problem = expect(answer)
        cpu = cpu_now - cpu0 if cpu_now is not None and cpu0 is not None else None
        failure = InteractionFailed(problem) if problem is not None else None
        self.report(Request(request_type, name, elapsed, length, failure, cpu))
        if failure is not None:
            raise failure
        assert answer is not None
        return answer

    def _read(self) -> None:
        """The tab's reader: every ForwardMsg, in order, until the connection closes."""
        ws = self._ws
        reason = "the server closed the connection"
        try:
            while ws is not None:
                data = ws.recv()
                if not data:
                    break
                if isinstance(data, str):
                    continue
                message = ForwardMsg()
                message.ParseFromString(data)
                with self._cond:
                    reports = self._handle(message, len(data))
                    self._cond.notify_all()
                for request in reports:
                    self.report(request)
                # Let the others run: under gevent a socket with data waiting never blocks, and
                # the lock is not fair, so a busy tab's reader would keep its own student (in
                # ``interact``, waiting for the lock) waiting as long as messages kept coming.
                time.sleep(0)
        except (OSError, websocket.WebSocketException) as error:
            reason = str(error) or type(error).__name__
        finally:
            with self._cond:
                self._closed = self._closed or reason
                self._stop_timers(list(self._timers))
                self._cond.notify_all()

    def _handle(self, message: ForwardMsg, size: int) -> list[Request]:
        """Update what the tab knows from one message (under the lock); the requests it ends."""
        self._bytes += size
        kind = message.WhichOneof("type")
        now = time.monotonic()
        run = self._run
        if kind == "new_session":
            fragments = tuple(message.metadata.run.fragment_ids)
            reports = []
            if run is not None and run.status is None and run.full and fragments:
                # A full run whose script_finished never came, yet a fragment run starts:
                # fragment runs never cut a full run short, so it ended, and its elements are
                # on the page. Counted apart: the browser gets no script_finished either.
                run.status, run.finished, run.cpu_end = SUCCESS, now, self._cpu_now()
                self._stale = {}
                lost = "a full run's script_finished never came (the next run started)"
                reports.append(Request("lost", lost, 0.0, 0, None))
            self._seq += 1
            run = Run(
                message.metadata.run.script_run_id, fragments, self._seq, now, self._cpu_now()
            )
            if run.full:
                # As the browser does at the start of a full run: every timer stops, and
                # whatever they asked for is part of this run.
                self._stop_timers(list(self._timers))
                self._pending_ticks.clear()
                self._stale, self._widgets = {**self._stale, **self._widgets}, {}
            else:
                for fragment in fragments:
                    if fragment in self._pending_ticks:
                        run.tick_sent[fragment] = self._pending_ticks.pop(fragment)
            self._run = run
            self._runs.append(run)
            del self._runs[:-KEPT_RUNS]
            return reports
        elif kind == "delta" and run is not None:
            return self._delta(message, run, now)
        elif kind == "auto_rerun":
            self._start_timer(message.auto_rerun.fragment_id, message.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            self._stop_timers(list(message.stop_auto_rerun.fragment_ids))
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "page_not_found" and run is not None:
            run.problems.append(f"page not found: {message.page_not_found.page_name!r}")
        elif kind == "script_finished" and run is not None:
            run.status = message.script_finished
            run.finished = now
            if run.full and run.status == SUCCESS:
                self._stale = {}
            run.cpu_end = self._cpu_now()
            return self._ticks_served(run)
        return []

    def _delta(self, message: ForwardMsg, run: Run, now: float) -> list[Request]:
        if message.delta.WhichOneof("type") != "new_element":
            return []
        element = message.delta.new_element
        kind = element.WhichOneof("type")
        if kind is None:
            return []
        proto = getattr(element, kind)
        if kind == "exception":
            where = " | ".join(line.strip() for line in proto.stack_trace[-2:])
            run.problems.append(f"{proto.type}: {proto.message} {where}".strip())
        elif kind == "metric":
            run.metrics[proto.label] = proto.body
        elif kind == "alert" and proto.format == proto.ERROR:
            run.errors.append(proto.body)
        element_id = getattr(proto, "id", "") if "id" in proto.DESCRIPTOR.fields_by_name else ""
        match = KEYED_ID.match(element_id) if element_id else None
        if match is None:
            return []
        key = match.group(1)
        run.keys.add(key)
        self._widgets[key] = Widget(element_id, kind, key, proto)
        if getattr(proto, "set_value", False):
            self._values.pop(key, None)  # the server set it: the browser takes its value
        reports = []
        for prefix, listener in self._listeners.items():
            if key.startswith(prefix):
                cpu = self._cpu_now()
                if listener.last is not None:
                    spent = None
                    if cpu is not None and listener.cpu is not None:
                        spent = cpu - listener.cpu
                    gap = 1000 * (now - listener.last)
                    reports.append(Request("live", listener.name, gap, 0, None, spent))
                listener.last, listener.cpu = now, cpu
        return reports

    def _ticks_served(self, run: Run) -> list[Request]:
        """The fragment reruns this run answered, one ``tick`` request each."""
        if run.full or run.status != FRAGMENT_SUCCESS or not run.tick_sent:
            return []
        cpu = None
        if run.cpu_end is not None and run.cpu_start is not None:
            cpu = (run.cpu_end - run.cpu_start) / len(run.tick_sent)
        failure = InteractionFailed(run.problems[0]) if run.problems else None
        reports = []
        for fragment, sent in run.tick_sent.items():
            timer = self._timers.get(fragment)
            every = f"{timer.interval:g} s" if timer else "a timer"
            name = f"{self.page or 'home'}: fragment rerun every {every}"
            assert run.finished is not None
            elapsed = 1000 * (run.finished - sent)
            reports.append(Request("tick", name, elapsed, 0, failure, cpu))
        return reports

    # --- fragment timers, as the browser keeps them -------------------------------------------

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        timer = self._timers.get(fragment_id)
        if timer is not None and timer.interval == interval:
            return  # the browser keeps a timer whose interval did not change
        self._stop_timers([fragment_id])
        timer = _Timer(interval, threading.Event())
        self._timers[fragment_id] = timer
        threading.Thread(
            target=self._tick, args=(fragment_id, timer), name="fragment timer", daemon=True
        ).start()

    def _stop_timers(self, fragment_ids: list[str]) -> None:
        for fragment_id in fragment_ids:
            timer = self._timers.pop(fragment_id, None)
            if timer is not None:
                timer.stop.set()

    def _tick(self, fragment_id: str, timer: _Timer) -> None:
        """``setInterval``: a rerun of the fragment every interval, whether or not the last
        one has been answered (the server merges the ones that wait)."""
        due = time.monotonic() + timer.interval
        while not timer.stop.wait(max(0.0, due - time.monotonic())):
            due = max(due + timer.interval, time.monotonic())
            with self._cond:
                if timer.stop.is_set():
                    return
                self._pending_ticks.setdefault(fragment_id, time.monotonic())
            if self._send_rerun({}, fragment_id) is not None:
                return
