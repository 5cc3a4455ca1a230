"""A classroom on one server: do students drawing or exploring gradient descent stay responsive
while others train, and do pages still load quickly?

The app is served once; one headless Chromium, started below the server's CPU priority (as if
the students' browsers ran on their own machines), holds the sessions (browser contexts). After
a warm-up (the workers import TensorFlow in the background; one drawing answered), two phases:

- nobody training: 4 sessions on /descent (each interaction: one step of the "steps" slider
  with the keyboard) and 3 on /draw (each interaction: one stroke, answered; then Undo, not
  timed), all at once;
- the same 7 again while 3 more sessions train the notebook network on /build (100 epochs),
  pressing Train again whenever a training ends.

Each interaction is timed twice:

- in the page: from the input event (key down, mouse up) to the end of the rerun it caused
  (``data-test-script-state`` ``running`` → ``notRunning``); on /draw the time to the
  "Prediction" metric is printed too;
- on the wire (``harness.wire``): from the page's request to rerun to the server's message
  that the run finished, as stamped by a proxy between the browsers and the server, running at
  the server's priority (each measured student has a port of their own). That is the part one
  student's work on the server can add to another's. The page's figure also holds the time its
  renderer waits for a core behind nine other students' renderers, which in a classroom run on
  nine other machines: the CPU shares printed per phase show who used the 2 cores. (Chromium's
  own websocket stamps, used before, wait for a core in its network service too.)

An interaction or load that times out is a result, counted as the time-out (a slider step
whose rerun never came is one: under load, the slider can move without the app rerunning).

Page loads (goto → connected and ``notRunning``), two kinds:

- a latecomer: during each phase, one more student opens a page every few seconds (each page
  of the app in turn, a new session each time) while the class works. Target: none over 5 s.
- arrivals: the phase's 7 sessions opened at the same moment in the one
  Chromium. On this 2-core machine that herd mostly measures Chromium starting seven Streamlit
  front ends at once, so it is printed next to the same herd opening a one-line ``st.title``
  page from a second server (``bare_arrivals``), measured before the phases.

Targets: p95 with training within 1.5× of nobody training (both timings are printed, with
their ratios); no latecomer page load over 5 s. Each is printed with "met" or "MISSED".
With ``--trainers-apart`` the 3 training students' pages run in a second Chromium at the lowest
priority (nice 19): their browsers' drawing of live curves then no longer takes the cores from
the measured students' browsers, as it would not in a classroom where every student has a
machine. Without it, all ten share one Chromium (the harder, single-box case).
With ``--browsers-own-core`` the server, its workers and the proxy run on core 0 and every
browser (and Playwright's driver) on core 1: the nearest this 2-core machine comes to students'
browsers on machines of their own. The server's part then shows what trainings do to the
server; the page's figures show ten browsers sharing one core.
Run: .venv/bin/python benchmarks/classroom.py [interactions_per_user] [--trainers-apart]
[--browsers-own-core]
(about 6 minutes)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

from playwright.async_api import Browser, Page, ViewportSize, async_playwright
from playwright.async_api import Error as PlaywrightError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import (  # noqa: E402
    IDLE,
    WATCH,
    children,
    command_line,
    launch_args,
    percentile,
    press_train_async,
    print_latencies,
    ratio,
    served,
    stroke_async,
    timed_rerun_async,
    verdict,
    wait_workers_ready,
    with_timeouts,
    workers,
)
from harness.wire import WireClock, WireClocks  # noqa: E402

TRAINERS, DESCENT_USERS, DRAW_USERS = 3, 4, 3
Seat = tuple[str, WireClock]  # a measured student's address (their port on the proxy), clock
INTERACTION_TIMEOUT = 30.0  # s; a time-out counts as this long
LOAD_TIMEOUT = 30.0
LOAD_TARGET = 5.0
P95_TARGET = 1.5
PHASE_BUDGET = 120.0  # s: no user starts an interaction later than this into a phase
TRAINING_TIMEOUT = 300.0
VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}
APART_NICE = 19  # --trainers-apart: the training students' Chromium, below everyone else's
SERVER_CORE, BROWSER_CORE = 0, 1  # --browsers-own-core
LATECOMER_PATHS = ("/", "/build", "/descent", "/draw", "/backprop", "/playground")
LATECOMER_GAP = 4.0  # s between a latecomer's page closing and the next one opening
BARE_PAGE = "import streamlit as st\n\nst.title('A one-line page')\n"


class Phase:
    """What one phase measured: latencies per page, page loads, trainings finished."""

    def __init__(self, name: str):
        self.name = name
        self.deadline = time.monotonic() + PHASE_BUDGET
        self.latency: dict[str, list[float | None]] = {"descent": [], "draw": [], "answer": []}
        # The server's part (read by the wire proxy), for the reruns that reached it.
        self.server: dict[str, list[float | None]] = {"descent": [], "draw": [], "load": []}
        self.unsent = 0  # interactions whose rerun request the page never sent
        self.cpu: dict[str, float] = {}  # CPU seconds by kind of process during the phase
        self.loads: list[tuple[str, float | None]] = []  # arrivals, all at once
        self.late_loads: list[tuple[str, float | None]] = []  # one student, while others work
        self.trainings = 0
        self.unconfirmed = 0  # trainings whose end or result the page did not show in time
        self.retrain_problem = ""

    @property
    def over(self) -> bool:
        return time.monotonic() > self.deadline


async def open_page(browser: Browser, url: str, path: str, phase: Phase, metric: str = "") -> Page:
    """A new session on ``path``; its load time (None: timed out) goes into the phase."""
    page = await (await browser.new_context(viewport=VIEWPORT)).new_page()
    await load(page, url + path, path, phase, metric)
    return page


async def timed_load(page: Page, url: str) -> float | None:
    """Seconds from goto to the page connected and idle; None when it timed out."""
    started = time.perf_counter()
    try:
        await page.goto(url)
        await page.locator(IDLE).wait_for(timeout=LOAD_TIMEOUT * 1000)
        return time.perf_counter() - started
    except PlaywrightError:  # a time-out is a result; the student waits on a while
        return None


async def load(page: Page, url: str, path: str, phase: Phase, metric: str = "") -> None:
    phase.loads.append((path, await timed_load(page, url)))
    try:
        await page.locator(IDLE).wait_for(timeout=120_000)
        await page.evaluate(WATCH, metric)
    except PlaywrightError:
        pass  # the interactions on this page will time out, and be counted


T = TypeVar("T")


async def attempt(interaction: Awaitable[T | None]) -> T | None:
    """An interaction's timings; None (a time-out) also when the page could not be driven."""
    try:
        return await interaction
    except PlaywrightError:
        return None


async def pause(rng: random.Random) -> None:
    await asyncio.sleep(rng.uniform(0.2, 0.6))


async def descent_user(browser: Browser, seat: Seat, rounds: int, phase: Phase, seed: int) -> None:
    rng = random.Random(seed)
    url, clock = seat
    page = await open_page(browser, url, "/descent", phase)
    slider = page.locator('.st-key-descent-steps input[type="range"]')
    for _ in range(rounds):
        if phase.over:
            break
        clock.mark()
        result = await attempt(
            timed_rerun_async(page, lambda: slider.press("ArrowRight"), INTERACTION_TIMEOUT)
        )
        phase.latency["descent"].append(None if result is None else result["end"])
        record(phase, "descent", clock)
        await pause(rng)
    await page.context.close()


async def draw_user(browser: Browser, seat: Seat, rounds: int, phase: Phase, seed: int) -> None:
    rng = random.Random(seed)
    url, clock = seat
    page = await open_page(browser, url, "/draw", phase, "Prediction")
    surface = page.locator(".st-key-digit_canvas canvas").last
    try:
        await surface.wait_for(timeout=60_000)
        box = await surface.bounding_box()
    except PlaywrightError:
        box = None
    undo = page.get_by_role("button", name="Undo")
    for index in range(rounds):
        if phase.over:
            break
        if box is None:  # no canvas to draw on: every stroke is lost
            phase.latency["draw"].append(None)
            phase.latency["answer"].append(None)
            continue
        clock.mark()
        result = await attempt(
            timed_rerun_async(
                page, lambda i=index: stroke_async(page, box, i), INTERACTION_TIMEOUT, shown=True
            )
        )
        phase.latency["draw"].append(None if result is None else result["end"])
        phase.latency["answer"].append(None if result is None else result["shown"])
        record(phase, "draw", clock)
        await attempt(timed_rerun_async(page, undo.click, INTERACTION_TIMEOUT))  # empty again
        await pause(rng)
    await page.context.close()


async def trainer(browser: Browser, url: str, phase: Phase, stop: asyncio.Event) -> None:
    """Train, and train again as soon as it ends, until told to stop."""
    page = await open_page(browser, url, "/build", phase, "Test accuracy")
    reopen = False
    try:
        while not stop.is_set():
            if reopen:  # see below: a new session in the same tab
                await load(page, f"{url}/build", "/build", phase, "Test accuracy")
            result = await attempt(press_train_async(page, TRAINING_TIMEOUT))
            if result is not None and result["trained"]:
                phase.trainings += 1
            elif result is not None and result["same_run"] and not reopen:
                # Train pressed again brought the previous run back (fixed in 9bc051d): say
                # so, and reopen /build for every further training.
                phase.retrain_problem = "the previous run came back instead of a new training"
                reopen = True
            else:
                phase.unconfirmed += 1
    finally:
        await page.context.close()


async def latecomer(browser: Browser, seat: Seat, phase: Phase, stop: asyncio.Event) -> None:
    """One student after another opening a page (each in a new session) while the class works."""
    url, clock = seat
    for index in range(10_000):
        await asyncio.sleep(LATECOMER_GAP)
        if stop.is_set() or phase.over:
            return
        path = LATECOMER_PATHS[index % len(LATECOMER_PATHS)]
        context = await browser.new_context(viewport=VIEWPORT)
        page = await context.new_page()
        clock.mark()
        phase.late_loads.append((path, await timed_load(page, url + path)))
        record(phase, "load", clock)
        await context.close()


def record(phase: Phase, kind: str, clock: WireClock) -> None:
    """The server's part of the rerun just timed (None: requested, never finished in time)."""
    requested, seconds = clock.rerun_seconds()
    if requested:
        phase.server[kind].append(seconds)
    else:
        phase.unsent += 1


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_by_process(server_pid: int) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by the web server, its workers and Chromium: pid → (kind, s)."""
    used: dict[int, tuple[str, float]] = {}
    mine = workers(server_pid)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, UnicodeDecodeError):
            continue
        pid = int(stat.parent.name)
        if pid == server_pid:
            kind = "web server"
        elif pid in mine:
            kind = mine[pid] + " worker"
        elif "chromium" in command:
            kind = "chromium"
        else:
            continue
        used[pid] = (kind, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    return used


def waited_for_a_core(pid: int) -> float:
    """Seconds the process's threads have spent runnable but waiting for a CPU (schedstat)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(task.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9


async def account_cpu(phase: Phase, server_pid: int, stop: asyncio.Event) -> None:
    """Sample every second until ``stop``: CPU used by kind of process (processes that end
    lose at most their last second), and the web server's wait for a core."""
    started, waited = time.perf_counter(), waited_for_a_core(server_pid)
    last = cpu_by_process(server_pid)
    used: dict[str, float] = {}
    while not stop.is_set():
        await asyncio.sleep(1.0)
        now = cpu_by_process(server_pid)
        for pid, (kind, seconds) in now.items():
            used[kind] = used.get(kind, 0.0) + seconds - last.get(pid, (kind, 0.0))[1]
        last = now
    elapsed = time.perf_counter() - started
    phase.cpu = {kind: seconds / elapsed for kind, seconds in used.items()}
    phase.cpu["web server waiting for a core"] = (waited_for_a_core(server_pid) - waited) / elapsed


async def run_phase(
    browser: Browser,
    url: str,
    clocks: WireClocks,
    rounds: int,
    training: bool,
    server_pid: int,
    trainers_browser: Browser | None = None,
) -> Phase:
    phase = Phase("3_training" if training else "nobody_training")
    stop = asyncio.Event()
    trainers = []
    if training:
        trainers = [
            asyncio.create_task(trainer(trainers_browser or browser, url, phase, stop))
            for _ in range(TRAINERS)
        ]
        await asyncio.sleep(8)  # the trainings are under way before anyone is measured
        phase.deadline = time.monotonic() + PHASE_BUDGET
    started = time.perf_counter()
    measured = asyncio.Event()
    accounting = asyncio.create_task(account_cpu(phase, server_pid, measured))
    seats = [(clocks.url(i), clocks.clock(i)) for i in range(DESCENT_USERS + DRAW_USERS + 1)]
    late = asyncio.create_task(latecomer(browser, seats[-1], phase, stop))
    await asyncio.gather(
        *[descent_user(browser, seats[i], rounds, phase, i) for i in range(DESCENT_USERS)],
        *[
            draw_user(browser, seats[DESCENT_USERS + i], rounds, phase, 100 + i)
            for i in range(DRAW_USERS)
        ],
    )
    stop.set()
    measured.set()
    await accounting
    await late
    if trainers:
        _, pending = await asyncio.wait(trainers, timeout=30)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        print(
            f"trainings_completed_while_measuring: {phase.trainings} in "
            f"{time.perf_counter() - started:.0f} s"
        )
        print(
            f"trainings_not_confirmed: {phase.unconfirmed} (no end within "
            f"{TRAINING_TIMEOUT:g} s, or no fresh Test accuracy / new run link shown)"
        )
        if phase.retrain_problem:
            print(
                f"second_train_in_the_same_tab: failed ({phase.retrain_problem}); each "
                "further training reopened /build"
            )
    return phase


async def warm_up(browser: Browser, url: str, server_pid: int) -> None:
    """As a class would by its start: the workers warmed up, one drawing answered."""
    phase = Phase("warm-up")
    page = await open_page(browser, url, "/draw", phase, "Prediction")
    await asyncio.to_thread(wait_workers_ready, server_pid, ("trainer", "inference"))
    surface = page.locator(".st-key-digit_canvas canvas").last
    box = await surface.bounding_box()
    await timed_rerun_async(page, lambda: stroke_async(page, box), 120, shown=True)
    await page.context.close()


async def bare_arrivals(browser: Browser) -> list[float | None]:
    """The arrival herd (the 7 sessions a phase opens at once) on a one-line page."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bare.py"
        script.write_text(BARE_PAGE)
        with served(script) as (url, _):
            for warm in (True, False):  # the first herd warms the server up; the second counts
                contexts = [
                    await browser.new_context(viewport=VIEWPORT)
                    for _ in range(DESCENT_USERS + DRAW_USERS)
                ]
                pages = [await context.new_page() for context in contexts]
                loads = await asyncio.gather(*[timed_load(page, url) for page in pages])
                for context in contexts:
                    await context.close()
                if not warm:
                    return list(loads)
    return []


def pin(pid: int, cores: set[int]) -> None:
    """Every thread of a process onto ``cores`` (affinity is per thread; new children and
    threads inherit it)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            os.sched_setaffinity(int(task.name), cores)


async def measure(
    rounds: int, apart: bool, own_core: bool
) -> tuple[Phase, Phase, list[float | None]]:
    if own_core:  # what starts from here on (the servers, their workers, the proxy): core 0
        pin(os.getpid(), {SERVER_CORE})
    cores = str(BROWSER_CORE) if own_core else ""
    async with async_playwright() as playwright:
        if own_core:  # the driver of the browsers is the students' side too
            for pid in children(os.getpid()):
                if "playwright" in command_line(pid):
                    pin(pid, {BROWSER_CORE})
        browser = await playwright.chromium.launch(**launch_args(True, cores=cores))
        trainers_browser = None
        if apart:  # the training students' browsers yield to everyone else's
            trainers_browser = await playwright.chromium.launch(
                **launch_args(True, nice=APART_NICE, cores=cores)
            )
        bare = await bare_arrivals(browser)
        with served() as (url, server):
            clocks = WireClocks(url, DESCENT_USERS + DRAW_USERS + 1)
            if own_core:  # this process only drives the browsers from now on
                pin(os.getpid(), {BROWSER_CORE})
            try:
                await warm_up(browser, url, server.pid)
                quiet = await run_phase(browser, url, clocks, rounds, False, server.pid)
                busy = await run_phase(
                    browser, url, clocks, rounds, True, server.pid, trainers_browser
                )
            finally:
                clocks.close()
        await browser.close()
        if trainers_browser is not None:
            await trainers_browser.close()
    return quiet, busy, bare


def print_loads(name: str, loads: list[tuple[str, float | None]]) -> list[float]:
    """p50, p95 and the worst of the page loads (time-outs counted as LOAD_TIMEOUT)."""
    seconds = with_timeouts([s for _, s in loads], LOAD_TIMEOUT)
    if not loads:
        print(f"{name}: none")
        return []
    worst_path, worst = max(zip([p for p, _ in loads], seconds, strict=True), key=lambda x: x[1])
    slow = sum(s > LOAD_TARGET for s in seconds)
    timeouts = sum(s is None for _, s in loads)
    print(
        f"{name}: p50 {percentile(seconds, 50):.2f} s, p95 {percentile(seconds, 95):.2f} s, "
        f"worst {worst:.2f} s ({worst_path}); {slow} of {len(seconds)} over "
        f"{LOAD_TARGET:g} s, {timeouts} timed out"
    )
    return seconds


def print_p95_ratio(label: str, value: float) -> None:
    print(
        f"{label}_p95_ratio training/quiet: {value:.2f} "
        f"(target <= {P95_TARGET}: {verdict(value <= P95_TARGET)})"
    )


def main() -> None:
    if {"-h", "--help"} & set(sys.argv[1:]):
        print(__doc__)
        print("usage: classroom.py [ROUNDS] [--trainers-apart] [--browsers-own-core]")
        return
    numbers = [arg for arg in sys.argv[1:] if arg.isdigit()]
    rounds = int(numbers[0]) if numbers else 10
    apart = "--trainers-apart" in sys.argv
    own_core = "--browsers-own-core" in sys.argv
    print(f"trainers_browsers: {'apart, at nice ' + str(APART_NICE) if apart else 'shared'}")
    print(f"cores: {'server on core 0, browsers on core 1' if own_core else 'shared'}")
    started = time.perf_counter()
    quiet, busy, bare = asyncio.run(measure(rounds, apart, own_core))
    for page, label in (
        ("draw", "draw_stroke"),
        ("answer", "draw_prediction"),
        ("descent", "descent_step"),
    ):
        # A missing Prediction: its stroke timed out, or it was not on the page 5 s after
        # the rerun's end (the browser still drawing).
        lost = "timeouts_or_not_shown" if page == "answer" else "timeouts"
        p50_quiet, p95_quiet = print_latencies(
            f"{label}_nobody_training", quiet.latency[page], INTERACTION_TIMEOUT, lost
        )
        p50_busy, p95_busy = print_latencies(
            f"{label}_3_training", busy.latency[page], INTERACTION_TIMEOUT, lost
        )
        print(f"{label}_p50_ratio training/quiet: {ratio(p50_busy, p50_quiet):.2f}")
        print_p95_ratio(label, ratio(p95_busy, p95_quiet))
    print("-- the server's part (request to rerun -> its run finished, read on the wire) --")
    for kind, label in (
        ("draw", "server_draw_stroke"),
        ("descent", "server_descent_step"),
        ("load", "server_latecomer_page_load"),
    ):
        _, p95_quiet = print_latencies(
            f"{label}_nobody_training", quiet.server[kind], INTERACTION_TIMEOUT
        )
        _, p95_busy = print_latencies(f"{label}_3_training", busy.server[kind], INTERACTION_TIMEOUT)
        print_p95_ratio(label, ratio(p95_busy, p95_quiet))
    for phase in (quiet, busy):
        print(
            f"requests_never_sent_{phase.name}: {phase.unsent} (the page never asked the "
            "server: its browser was starved, or the slider did not move)"
        )
        shares = ", ".join(f"{kind} {share:.0%}" for kind, share in sorted(phase.cpu.items()))
        print(f"cpu_{phase.name} (share of one core, of 2): {shares}")
    print("-- page loads --")
    late = []
    for phase in (quiet, busy):
        late += print_loads(f"page_load_latecomer_{phase.name}", phase.late_loads)
    if late:
        worst = max(late)
        print(
            f"worst_latecomer_page_load: {worst:.2f} s "
            f"(target <= {LOAD_TARGET:g} s: {verdict(worst <= LOAD_TARGET)})"
        )
    herd = [print_loads(f"arrivals_{p.name}", p.loads) for p in (quiet, busy)]
    bare_loads = print_loads("bare_arrivals (one-line page, same herd)", [("/", s) for s in bare])
    if bare_loads:
        for phase, seconds in zip((quiet, busy), herd, strict=True):
            print(
                f"arrivals_{phase.name}_p50_ratio to bare: "
                f"{ratio(percentile(seconds, 50), percentile(bare_loads, 50)):.2f}"
            )
    print(f"classroom_benchmark_wall_time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
