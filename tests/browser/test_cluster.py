"""The app on several servers behind HAProxy (`make cluster`), in Chromium: browsers are spread
over the replicas and pinned to one by a cookie, through reconnects; a killed replica's
visitors land on a live one; Streamlit's XSRF and CORS protections still hold behind the proxy.
The cluster is started as `make cluster` starts it: once for the tests that leave it as they
found it, and anew for each test that kills part or all of it."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from appdriver import ROOT, assert_no_exception, free_port, metric, open_page, wait_idle
from deploy.cluster import (
    BACKEND,
    DEPLOY,
    HAPROXY,
    Server,
    compose_file,
    compose_haproxy_config,
    haproxy_admin,
    haproxy_config,
    server_command,
    server_states,
)
from tests.helpers import wait_until

BUILD = "/build?rows=500&epochs=3&layers=1"
REPLICAS = ("app1", "app2")
APP = '[data-testid="stApp"]'

# Records every change of the page's connection state from now on.
WATCH_CONNECTION = """() => {
  window.__connection = [];
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => window.__connection.push(
      app.getAttribute('data-test-connection-state'))
  ).observe(app, {attributes: true, attributeFilter: ['data-test-connection-state']});
}"""

# True once the connection has been lost and found again since WATCH_CONNECTION.
RECONNECTED = """() => window.__connection.length >= 2 && window.__connection[0] !== 'CONNECTED'
                        && window.__connection.at(-1) === 'CONNECTED'"""


@dataclass
class RunningCluster:
    url: str
    port: int
    launcher: subprocess.Popen
    stats: Path
    pids: dict[str, int] = field(default_factory=dict)
    output: list[str] = field(default_factory=list)


@contextmanager
def launched(tmp: Path, replicas: int, script: str | None = None) -> Iterator[RunningCluster]:
    """`python -m deploy.cluster serve` on loopback until its banner says it serves."""
    port = free_port()
    stats = tmp / "haproxy.sock"
    command = [sys.executable, "-m", "deploy.cluster", "serve", "--replicas", str(replicas)]
    command += ["--port", str(port), "--host", "127.0.0.1", "--store", str(tmp / "store")]
    command += ["--stats-socket", str(stats)] + (["--script", script] if script else [])
    # Started with SIGINT ignored, as a shell's background job is: Ctrl-C must still work.
    command = ["sh", "-c", 'trap "" INT; exec "$@"', "sh", *command]
    launcher = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    output = launcher.stdout
    assert output is not None
    cluster = RunningCluster(f"http://127.0.0.1:{port}", port, launcher, stats)
    ready = threading.Event()

    def read() -> None:
        for line in output:
            cluster.output.append(line)
            if found := re.match(r"\s+(\S+)\s+pid (\d+)", line):
                cluster.pids[found[1]] = int(found[2])
            if line.startswith("Ctrl-C stops everything"):
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        ready.wait(timeout=120)
        assert launcher.poll() is None and len(cluster.pids) == replicas + 1, cluster.output
        yield cluster
    finally:
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGINT)
            try:
                launcher.wait(timeout=30)
            except subprocess.TimeoutExpired:
                launcher.kill()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCluster]:
    """A cluster for the tests that leave every replica running."""
    with launched(tmp_path_factory.mktemp("cluster"), replicas=2) as running:
        yield running


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[RunningCluster]:
    """A cluster of the test's own, for a test that kills replicas."""
    with launched(tmp_path, replicas=2) as running:
        yield running


def new_visitor(browser: Browser, url: str) -> Page:
    """A fresh browser (its own cookies) opening ``url``."""
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    open_page(page, url, timeout=90_000)
    return page


def footer(page: Page):
    return page.locator('[data-testid="stSidebar"]').get_by_text(re.compile("^Served by replica"))


def replica_of(page: Page) -> str:
    expect(footer(page)).to_be_visible(timeout=30_000)
    return footer(page).inner_text().split()[-1]


def pinned_to(page: Page) -> str | None:
    return {c["name"]: c["value"] for c in page.context.cookies()}.get("SERVERID")


def train(page: Page) -> None:
    page.locator(".st-key-train button").click()


def wait_trained(page: Page) -> None:
    expect(metric(page, "Test accuracy")).to_be_visible(timeout=120_000)
    wait_idle(page)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in "ZX"


def descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            parents.setdefault(int(stat.read_text().rsplit(")", 1)[1].split()[1]), []).append(
                int(stat.parent.name)
            )
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


# --- configuration -----------------------------------------------------------------------------


def test_haproxy_accepts_the_generated_configurations(tmp_path: Path):
    servers = [Server(name, "127.0.0.1", free_port()) for name in REPLICAS]
    local = tmp_path / "local.cfg"
    local.write_text(
        haproxy_config(servers, f"127.0.0.1:{free_port()}", stats_socket=tmp_path / "s.sock")
    )
    for config in (local, DEPLOY / "haproxy.cfg"):
        check = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        warnings = [line for line in check.stderr.splitlines() if "WARNING" in line]
        if config == local:
            assert not warnings
        else:  # the compose file's service names resolve only inside Docker's network
            assert all("could not resolve address" in line for line in warnings), warnings


def test_the_compose_files_are_the_generators_output():
    compose = (DEPLOY / "compose.yaml").read_text()
    replicas = compose.count("PLAYGROUND_REPLICA:")
    assert replicas >= 2
    assert compose == compose_file(replicas), "run: python -m deploy.cluster compose"
    assert (DEPLOY / "haproxy.cfg").read_text() == compose_haproxy_config(replicas)
    assert compose.count("PLAYGROUND_STORE: /data/store") == replicas


def test_the_image_serves_with_the_launchers_options():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "\nFROM python:3.11-slim\n" in dockerfile
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    assert json.loads(cmd.removeprefix("CMD ")) == server_command("0.0.0.0", 8501)
    assert re.search(r"\nUSER (?!root)\w+\n", dockerfile)
    assert "HEALTHCHECK" in dockerfile and "/_stcore/health" in dockerfile


# --- the running cluster -----------------------------------------------------------------------


def websocket_handshake(port: int, origin: str) -> int:
    """The HTTP status HAProxy relays for a websocket opened from ``origin``."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /_stcore/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Protocol: streamlit\r\nOrigin: {origin}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        return int(sock.recv(4096).split(b" ", 2)[1])


@pytest.mark.browser
def test_streamlits_protections_hold_behind_the_proxy(browser: Browser, cluster: RunningCluster):
    assert websocket_handshake(cluster.port, cluster.url) == 101
    assert websocket_handshake(cluster.port, "http://evil.example") == 403
    page = new_visitor(browser, cluster.url)
    assert_no_exception(page)
    # An upload without the XSRF token of the page's cookie is refused; with it, it gets as
    # far as the session check (there is no such session).
    upload = f"{cluster.url}/_stcore/upload_file/no-session/no-file"
    assert page.request.put(upload, data=b"x").status == 403
    token = {c["name"]: c["value"] for c in page.context.cookies()}["_streamlit_xsrf"]
    assert page.request.put(upload, data=b"x", headers={"X-Xsrftoken": token}).status == 400
    page.context.close()


@dataclass
class Visitor:
    page: Page
    replica: str  # the one that served its first page


@contextmanager
def trained_visitors(browser: Browser, cluster: RunningCluster) -> Iterator[list[Visitor]]:
    """Four fresh browsers on the Build page, each with a training finished in its session."""
    pages = [new_visitor(browser, cluster.url + BUILD) for _ in range(4)]
    try:
        found = [Visitor(page, replica_of(page)) for page in pages]
        for page in pages:
            train(page)
        for page in pages:
            wait_trained(page)
        yield found
    finally:
        for page in pages:
            page.context.close()


@pytest.fixture(scope="module")
def visitors(browser: Browser, cluster: RunningCluster) -> Iterator[list[Visitor]]:
    """Visitors of the shared cluster: a test may disconnect them, but leaves them connected."""
    with trained_visitors(browser, cluster) as found:
        yield found


@pytest.fixture
def own_visitors(browser: Browser, own_cluster: RunningCluster) -> Iterator[list[Visitor]]:
    with trained_visitors(browser, own_cluster) as found:
        yield found


def reconnect_attempt(request: Request) -> bool:
    """A request Streamlit makes to find its server again after losing the connection."""
    return "/_stcore/health" in request.url


@pytest.mark.browser
def test_visitors_are_spread_and_each_keeps_its_replica(
    visitors: list[Visitor], cluster: RunningCluster
):
    served = Counter(v.replica for v in visitors)
    assert min(served[name] for name in REPLICAS) >= 2, served
    for visitor in visitors:
        page = visitor.page
        assert pinned_to(page) == visitor.replica
        assert replica_of(page) == visitor.replica  # after a rerun (the training) too
        # A later request of the same browser: another tab, a new session, the same replica.
        tab = page.context.new_page()
        open_page(tab, cluster.url)
        assert replica_of(tab) == visitor.replica
        assert_no_exception(tab)
        tab.close()
        page.evaluate(WATCH_CONNECTION)

    # The network goes away and every websocket drops (Chromium's offline mode alone leaves
    # open websockets open, so HAProxy cuts them); Streamlit tries to reach the server again
    # and fails while offline; then the network comes back.
    with contextlib.ExitStack() as waiting:
        for visitor in visitors:
            waiting.enter_context(visitor.page.expect_event("requestfailed", reconnect_attempt))
        for visitor in visitors:
            visitor.page.context.set_offline(True)
        for replica in REPLICAS:
            haproxy_admin(cluster.stats, f"shutdown sessions server {BACKEND}/{replica}")
        for visitor in visitors:
            expect(visitor.page.locator(APP)).not_to_have_attribute(
                "data-test-connection-state", "CONNECTED", timeout=30_000
            )
    for visitor in visitors:
        visitor.page.context.set_offline(False)
    for visitor in visitors:
        page = visitor.page
        page.wait_for_function(RECONNECTED, timeout=30_000)
        wait_idle(page)
        # The same replica, and the same session: its training is still there.
        assert pinned_to(page) == visitor.replica
        assert replica_of(page) == visitor.replica
        expect(metric(page, "Test accuracy")).to_be_visible()
        assert_no_exception(page)


@pytest.mark.browser
def test_a_killed_replicas_visitors_land_on_the_other(
    browser: Browser, own_visitors: list[Visitor], own_cluster: RunningCluster
):
    visitors, cluster = own_visitors, own_cluster
    victim = visitors[0].replica
    survivor = next(name for name in REPLICAS if name != victim)
    stranded = [v.page for v in visitors if v.replica == victim]
    unaffected = [v.page for v in visitors if v.replica == survivor]
    for visitor in visitors:
        visitor.page.evaluate(WATCH_CONNECTION)

    os.kill(cluster.pids[victim], signal.SIGKILL)

    for page in stranded:
        # Streamlit notices and reconnects; HAProxy sends the browser to the live replica,
        # which starts a new session for it. Streamlit reruns nothing on a reconnect, so the
        # page stays as it was until the next click, which runs in the new session.
        page.wait_for_function(RECONNECTED, timeout=30_000)
        wait_idle(page)
        assert pinned_to(page) == survivor
        # Any interaction now runs in a new, working session on the survivor.
        train(page)
        expect(footer(page)).to_have_text(f"Served by replica {survivor}", timeout=30_000)
        wait_idle(page)
        assert_no_exception(page)

    wait_until(
        lambda: server_states(cluster.stats)[victim] == "DOWN",
        30,
        f"HAProxy to find {victim} down",
        interval=0.5,
    )
    newcomers = [new_visitor(browser, cluster.url) for _ in range(3)]
    assert [replica_of(page) for page in newcomers] == [survivor] * 3
    for page in newcomers:
        page.context.close()

    for page in unaffected:
        assert page.evaluate("window.__connection") == []  # never lost its connection
        assert replica_of(page) == survivor
        expect(metric(page, "Test accuracy")).to_be_visible()
        assert_no_exception(page)


UPLOAD_APP = """
import streamlit as st

upload = st.file_uploader("A file")
if upload is not None:
    st.write(f"Received {len(upload.getvalue())} bytes")
"""


@pytest.mark.browser
def test_uploads_reach_the_session_through_the_proxy(browser: Browser, tmp_path: Path):
    script = tmp_path / "upload_app.py"
    script.write_text(UPLOAD_APP)
    with launched(tmp_path, replicas=2, script=str(script)) as uploads:
        pages = [new_visitor(browser, uploads.url) for _ in range(2)]
        assert {pinned_to(page) for page in pages} == set(REPLICAS)
        for page in pages:
            dropzone = page.locator('[data-testid="stFileUploaderDropzone"]')
            expect(dropzone).to_contain_text("20MB")  # server.maxUploadSize
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                {"name": "notes.csv", "mimeType": "text/csv", "buffer": b"1,2\n" * 250}
            )
            expect(page.get_by_text("Received 1000 bytes")).to_be_visible(timeout=30_000)
            assert_no_exception(page)
            page.context.close()


@pytest.mark.browser
def test_ctrl_c_stops_everything(own_visitors: list[Visitor], own_cluster: RunningCluster):
    """With the visitors still connected: Ctrl-C (SIGINT to the launcher) stops HAProxy, every
    replica and the worker processes the replicas started (each replica leads its own process
    group; a training worker, in a session of its own, ends with the fork server it came
    from)."""
    cluster = own_cluster
    below = [child for pid in cluster.pids.values() for child in descendants(pid)]
    assert below  # the replicas' fork servers and workers
    cluster.launcher.send_signal(signal.SIGINT)
    assert cluster.launcher.wait(timeout=30) == 0
    assert not [name for name, pid in cluster.pids.items() if pid_alive(pid)]
    assert not [name for name, pid in cluster.pids.items() if group_alive(pid)]
    wait_until(lambda: not [pid for pid in below if running(pid)], 10, "the workers to end", 0.1)
