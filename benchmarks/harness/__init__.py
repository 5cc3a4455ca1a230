"""What the benchmark scripts share: percentiles, targets, the app's own limits, timings read
inside the page, a Chromium at a lower priority than the server, and the server's worker
processes.

Latencies are measured in the browser: a capturing listener stamps the input event (mouse up,
key down) and a MutationObserver stamps every change of the app's ``data-test-script-state``
(``running`` / ``notRunning``) and every time a chosen ``st.metric`` appears fresh (not stale),
all with ``performance.now()``. Polling from Python only decides when to read the stamps, so it
adds no error to them.

Not a benchmark itself (``make bench`` runs only ``benchmarks/*.py``): the scripts import it.
"""

from __future__ import annotations

import ast
import asyncio
import atexit
import math
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from appdriver import CHROMIUM, CHROMIUM_FLAGS, running_app  # noqa: E402

BROWSER_NICE = 10  # below the web server (0); the training workers (19) yield to it too

# --- numbers -----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of the values; nan when there are none."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def with_timeouts(values: list[float | None], timeout: float) -> list[float]:
    """Time-outs (None) counted as ``timeout`` seconds: they were at least that slow."""
    return [timeout if value is None else value for value in values]


def print_latencies(
    name: str, values: list[float | None], timeout: float, lost: str = "timeouts"
) -> tuple[float, float]:
    """Print ``name_p50`` and ``name_p95`` in ms with the time-outs (None) counted as
    ``timeout``, how many there were (as ``name_<lost>``) and, when there were some, the p95
    of the others; return (p50, p95) in seconds."""
    counted = with_timeouts(values, timeout)
    p50, p95 = statistics.median(counted) if counted else math.nan, percentile(counted, 95)
    answered = [value for value in values if value is not None]
    print(f"{name}_p50: {1000 * p50:.0f} ms")
    print(f"{name}_p95: {1000 * p95:.0f} ms ({len(values)} interactions)")
    print(f"{name}_{lost}: {len(values) - len(answered)} (counted as {timeout:g} s)")
    if len(answered) < len(values):
        print(f"{name}_p95_without_them: {1000 * percentile(answered, 95):.0f} ms")
    return p50, p95


def ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def verdict(met: bool) -> str:
    """How a benchmark reports a target: plainly "met" or "MISSED" (no figure, nan, is missed)."""
    return "met" if met else "MISSED"


def app_constant(path: str, name: str) -> float:
    """A number the app assigns at the top level of one of its modules (``path``, from the
    repository's root), read from the source: a benchmark checks the app's own limit, and does
    not import a page module (and Streamlit with it) to learn it."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    for node in tree.body:
        targets: list[ast.expr]
        if isinstance(node, ast.Assign):
            targets, source = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, source = [node.target], node.value
        else:
            continue
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            value = ast.literal_eval(source)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
            raise TypeError(f"{path}: {name} is not a number")
    raise LookupError(f"{path} no longer assigns {name}: the benchmark must follow it")


# --- Chromium ------------------------------------------------------------------------------------

_wrappers: dict[tuple[int, str], Path] = {}


def chromium_path(lower_priority: bool = False, nice: int = BROWSER_NICE, cores: str = "") -> str:
    """Debian's Chromium, or a wrapper that starts it ``nice`` below the server.

    Chromium raises the priority of some of its own processes (its GPU and browser processes
    run at nice -8 when it may). The wrapper drops CAP_SYS_NICE before starting it, so every
    Chromium process stays at the lower priority, and it gives the browser's session (its
    scheduling group) the same nice. With ``cores`` (a ``taskset`` list such as ``"1"``) the
    browser runs on those cores only.
    """
    if not lower_priority:
        return CHROMIUM
    if (nice, cores) not in _wrappers:
        folder = Path(tempfile.mkdtemp(prefix="bench-chromium-"))
        wrapper = folder / "chromium"
        wrapper.write_text(
            "#!/bin/sh\n"
            # Playwright starts the browser in a session of its own, which the kernel schedules
            # as a group of its own (autogroup) beside the server's: a nice value then only
            # orders the browser's threads among themselves, and the browser took its half of
            # the cores from the server. The group's own nice puts the whole browser below.
            'if [ "$(cut -d\' \' -f6 /proc/$$/stat)" = "$$" ]; then '
            f"echo {nice} > /proc/$$/autogroup 2>/dev/null; fi\n"
            + (f"exec taskset -c {cores} " if cores else "exec ")
            + "setpriv --bounding-set -sys_nice --inh-caps -sys_nice "
            f'nice -n {nice} {CHROMIUM} "$@"\n'
        )
        wrapper.chmod(0o755)
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _wrappers[(nice, cores)] = wrapper
    return str(_wrappers[(nice, cores)])


def launch_args(
    lower_priority: bool = False, nice: int = BROWSER_NICE, cores: str = ""
) -> dict[str, Any]:
    """Keyword arguments for ``playwright.chromium.launch``."""
    return {
        "executable_path": chromium_path(lower_priority, nice, cores),
        "args": CHROMIUM_FLAGS,
    }


# --- timings read in the page ------------------------------------------------------------------

# Installed after every navigation (a new document forgets it). ``metric`` names an st.metric
# whose fresh appearance is stamped (e.g. "Prediction"); empty: none.
WATCH = """metric => {
  const w = window.__bench = {running: [], idle: [], input: [], shown: []};
  const app = document.querySelector('[data-testid="stApp"]');
  // Several changes can arrive in one batch: a record's new value is the next one's old value.
  new MutationObserver(records => {
    const now = performance.now();
    records.forEach((record, i) => {
      const value = i + 1 < records.length ? records[i + 1].oldValue
                                           : app.getAttribute('data-test-script-state');
      if (value === 'running') w.running.push(now);
      else if (value === 'notRunning') w.idle.push(now);
    });
  }).observe(app, {attributes: true, attributeOldValue: true,
                   attributeFilter: ['data-test-script-state']});
  for (const kind of ['mouseup', 'keydown'])
    window.addEventListener(kind, e => w.input.push(e.timeStamp), true);
  if (!metric) return;
  let fresh = false;
  const check = () => {
    const now = [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
      m.innerText.startsWith(metric) &&
      m.closest('[data-testid="stElementContainer"]')?.getAttribute('data-stale') === 'false');
    if (now && !fresh) w.shown.push(performance.now());
    fresh = now;
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true,
    attributes: true, attributeFilter: ['data-stale']});
  check();
}"""

# The rerun an interaction caused: from its input event (or t0) to the end of the first
# script run that started after it, and to the named metric appearing fresh in that run (its
# last DOM update may land after the state change: up to ``grace`` ms later, and before the
# next run starts).
READ = """([t0, grace]) => {
  const w = window.__bench;
  const input = w.input.find(t => t >= t0) ?? t0;
  const start = w.running.find(t => t >= input);
  if (start === undefined) return null;
  const end = w.idle.find(t => t >= start);
  if (end === undefined) return null;
  const next = Math.min(w.running.find(t => t > end) ?? Infinity, end + grace);
  const shown = w.shown.find(t => t >= start && t < next);
  return {start: (start - input) / 1000, end: (end - input) / 1000,
          shown: shown === undefined ? null : (shown - input) / 1000};
}"""

SHOWN_GRACE = 5.0  # seconds a metric may take to appear after its rerun ended

IDLE = (
    '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
    '[data-test-script-state="notRunning"]'
)


def watch(page: Any, metric: str = "") -> None:
    page.evaluate(WATCH, metric)


def timed_rerun(
    page: Any, action: Callable[[], None], timeout: float = 60.0, shown: bool = False
) -> dict[str, float | None] | None:
    """Do ``action`` on an idle page and time the rerun it causes (sync Playwright).

    Returns {"start", "end", "shown"} in seconds from the input event, or None when no rerun
    ended within ``timeout`` (a time-out, counted by the caller). With ``shown``, also wait
    (up to ``SHOWN_GRACE`` after the rerun's end) for the watched metric to appear.
    """
    page.locator(IDLE).wait_for(timeout=timeout * 1000)
    t0 = page.evaluate("performance.now()")
    action()
    deadline = time.monotonic() + timeout
    ended: float | None = None
    while time.monotonic() < deadline:
        result = page.evaluate(READ, [t0, 1000 * SHOWN_GRACE])
        if result is not None:
            ended = ended or time.monotonic()
            if not shown or result["shown"] is not None or time.monotonic() > ended + SHOWN_GRACE:
                return result
        time.sleep(0.05)
    return None


async def timed_rerun_async(
    page: Any, action: Callable[[], Any], timeout: float = 60.0, shown: bool = False
) -> dict[str, float | None] | None:
    """``timed_rerun`` for async Playwright; ``action`` is a coroutine function."""
    await page.locator(IDLE).wait_for(timeout=timeout * 1000)
    t0 = await page.evaluate("performance.now()")
    await action()
    deadline = time.monotonic() + timeout
    ended: float | None = None
    while time.monotonic() < deadline:
        result = await page.evaluate(READ, [t0, 1000 * SHOWN_GRACE])
        if result is not None:
            ended = ended or time.monotonic()
            if not shown or result["shown"] is not None or time.monotonic() > ended + SHOWN_GRACE:
                return result
        await asyncio.sleep(0.05)
    return None


def kept_run(url: str) -> str | None:
    """The ``run=<id>`` a finished training puts into the Build page's address."""
    return parse_qs(urlparse(url).query).get("run", [None])[0]


def press_train(page: Any, timeout: float = 300.0) -> dict[str, Any] | None:
    """Press Train on /build (watched for "Test accuracy") and wait for the training to end.

    Returns the ``timed_rerun`` timings plus ``trained``: whether a new training finished,
    told by a new ``run=<id>`` in the address, and ``same_run``: whether the address still
    names the previous run although a result was shown (until commit 9bc051d a second Train
    in the same tab did that: the previous run came back and the new training ran unseen).
    """
    before = kept_run(page.url)
    result = timed_rerun(page, page.locator(".st-key-train button").click, timeout, shown=True)
    if result is None:
        return None
    deadline = time.monotonic() + 2
    while kept_run(page.url) in (None, before) and time.monotonic() < deadline:
        time.sleep(0.05)
    after = kept_run(page.url)
    result["trained"] = result["shown"] is not None and after not in (None, before)
    result["same_run"] = result["shown"] is not None and before is not None and after == before
    return result


async def press_train_async(page: Any, timeout: float = 300.0) -> dict[str, Any] | None:
    """``press_train`` for async Playwright."""
    before = kept_run(page.url)
    result = await timed_rerun_async(
        page, page.locator(".st-key-train button").click, timeout, shown=True
    )
    if result is None:
        return None
    deadline = time.monotonic() + 2
    while kept_run(page.url) in (None, before) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    after = kept_run(page.url)
    result["trained"] = result["shown"] is not None and after not in (None, before)
    result["same_run"] = result["shown"] is not None and before is not None and after == before
    return result


def stroke_points(box: dict[str, float], index: int = 0) -> tuple[tuple[float, float], ...]:
    """A '1' drawn top to bottom, a little right of the middle (shifted by ``index``)."""
    x = box["x"] + box["width"] * (0.45 + 0.05 * (index % 3))
    return (x, box["y"] + box["height"] * 0.2), (x, box["y"] + box["height"] * 0.8)


def stroke(page: Any, box: dict[str, float], index: int = 0) -> None:
    (x0, y0), (x1, y1) = stroke_points(box, index)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=10)
    page.mouse.up()


async def stroke_async(page: Any, box: dict[str, float], index: int = 0) -> None:
    (x0, y0), (x1, y1) = stroke_points(box, index)
    await page.mouse.move(x0, y0)
    await page.mouse.down()
    await page.mouse.move(x1, y1, steps=10)
    await page.mouse.up()


# --- the server and its worker processes -------------------------------------------------------


def children(pid: int) -> list[int]:
    """Every process below ``pid`` (its workers), read from /proc."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def workers(server_pid: int) -> dict[int, str]:
    """The server's worker processes: pid → kind (``trainer``, ``inference``, ``forkserver``).
    A forked worker keeps the fork server's command line; its process name says its kind."""
    found = {}
    for pid in children(server_pid):
        words = command_line(pid).split()
        if "nncore.workers" in words:
            kind = words[words.index("nncore.workers") + 1]
            found[pid] = process_name(pid) if kind == "forkserver" else kind
    return found


def memory_mb(pid: int, field: str, file: str) -> float:
    """One memory figure (``field``, in kB in ``/proc/<pid>/<file>``) in MB; 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def resident_mb(pid: int) -> float:
    """Resident memory (VmRSS) of one process in MB; 0 if it is gone."""
    return memory_mb(pid, "VmRSS", "status")


def proportional_mb(pid: int) -> float:
    """Proportional memory (Pss) of one process in MB: pages shared with other processes (a
    forked worker's TensorFlow, inherited from the fork server) count once across them."""
    return memory_mb(pid, "Pss", "smaps_rollup")


def holds_tensorflow(pid: int) -> bool:
    """Whether TensorFlow's library is mapped into the process (it was imported there)."""
    try:
        return "libtensorflow" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


@contextmanager
def served(script: Path | None = None) -> Iterator[tuple[str, Any]]:
    """``appdriver.running_app``, then its worker processes ended too (by pid), so a worker
    still importing TensorFlow does not slow the next measurement down."""
    left: dict[int, str] = {}
    try:
        with running_app(script) as (url, server):
            try:
                yield url, server
            finally:
                left = workers(server.pid)
    finally:
        deadline = time.monotonic() + 10
        while left and time.monotonic() < deadline:
            left = {
                pid: kind for pid, kind in left.items() if "nncore.workers" in command_line(pid)
            }
            time.sleep(0.1)
        for pid in left:
            os.kill(pid, signal.SIGTERM)


def wait_workers_ready(server_pid: int, kinds: tuple[str, ...], timeout: float = 180) -> float:
    """Seconds until the server has a worker of every kind in ``kinds``, each holding
    TensorFlow and idle (its CPU time still for a second): the warm-up it does in the
    background is over."""
    started = time.monotonic()
    last: dict[int, float] = {}
    quiet_since: float | None = None
    while time.monotonic() - started < timeout:
        found = workers(server_pid)
        current = {pid: cpu_seconds(pid) for pid, kind in found.items() if kind in kinds}
        busy = not set(kinds) <= set(found.values()) or any(
            pid not in last or current[pid] - last[pid] > 0.05 or not holds_tensorflow(pid)
            for pid in current
        )
        last = current
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= 1.0:
            return time.monotonic() - started
        time.sleep(0.25)
    raise RuntimeError(f"the workers {kinds} were not idle within {timeout:g} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
