"""A simulated class against a fresh app: start it, measure each interaction's server CPU, run
the class headless in Locust, print Locust's summary and the server's part, write the CSVs.

    python -m benchmarks.class_load --students 80 --replicas 1 --duration 120

1. The app: ``streamlit run app.py`` on a free port with the browser tests' flags
   (``appdriver.serve_app``), or, with ``--replicas`` above 1, ``make cluster``'s launcher
   (``deploy.cluster.Cluster``): replicas behind HAProxy, each student pinned by the
   ``SERVERID`` cookie it sets. Kept trainings go to a private folder in the output folder.
2. Warm-up, not counted: every page opened once and one digit drawn, on every replica, so the
   workers have imported TensorFlow before anything is timed.
3. The server's CPU per interaction, measured in a short dedicated phase: one behaviour at a
   time, one student alone on the app, every request carrying the CPU (``utime + stime`` of
   ``/proc/<pid>/stat``, summed over the replicas) the app server spent between the request
   and its answer (a fragment rerun: between its run's start and end; a live redraw: since
   the previous one). With many students at once such figures would overlap, so the class
   phase does not attribute CPU to requests; it samples the server's CPU every second instead,
   and the report compares that total with the counts times the dedicated phase's costs.
4. The class: Locust headless with ``--students`` users arriving at ``--spawn-rate`` a second,
   for ``--duration`` seconds, its CSVs (``class_stats.csv`` …) in the output folder.

The machine's load average is read before the app starts and every second during the class:
the report gives it beside every figure. Targets (never lowered here): p95 ≤ 1 s for every
interaction (a rerun or a fragment's timer), p95 ≤ 2 s for opening a page, no failure. The
``live`` rows (the time between two redraws of Build's live curves, and a training from Train
to its results, queue included) are shown and not judged.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.class_load import cpu
from benchmarks.class_load.drawing import canvas_value, random_digit
from benchmarks.class_load.protocol import InteractionFailed, Request, StreamlitSession

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
BEHAVIOURS = ("descent", "draw", "build", "playground", "backprop", "latecomer")
# The lesson everyone is active in; the same default as the locustfile's --mix.
DEFAULT_MIX = "descent=25,draw=20,build=15,playground=15,backprop=15,latecomer=10"
PAGES = ("", "build", "descent", "draw", "backprop", "playground")
TARGET_SECONDS = {"rerun": 1.0, "tick": 1.0, "page": 2.0}  # p95, per request type


# --- the app --------------------------------------------------------------------------------


@dataclass
class App:
    """The app being measured: its address, the app servers' pids, each replica's address."""

    url: str
    pids: list[int]
    replicas: list[str]


@contextmanager
def fresh_app(replicas: int, out: Path) -> Iterator[App]:
    """One app server, or ``replicas`` behind HAProxy, started for this run and stopped after."""
    store = out / "store"
    store.mkdir(mode=0o700)
    if replicas == 1:
        from appdriver import free_port, serve_app, wait_healthy

        port = free_port()
        server = serve_app(port, extra_env={"PLAYGROUND_STORE": str(store)})
        try:
            wait_healthy(port, timeout=120)
            url = f"http://127.0.0.1:{port}"
            yield App(url, [server.pid], [url])
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        return
    from deploy.cluster import Cluster, free_port

    cluster = Cluster(replicas, free_port(), host="127.0.0.1", store=store)
    try:
        cluster.start()
        yield App(
            f"http://127.0.0.1:{cluster.port}",
            [cluster.processes[s.name].pid for s in cluster.servers],
            [f"http://{s.host}:{s.port}" for s in cluster.servers],
        )
    finally:
        cluster.stop()


def warm_up(app: App) -> None:
    """Every page once and a digit drawn on every replica: the workers start, nothing counts."""

    def ignore(_: Request) -> None:
        pass

    for url in app.replicas:
        for page in PAGES:
            tab = StreamlitSession(url, page, ignore, timeout=240)
            try:
                tab.open()
                if page == "draw":
                    _, strokes = random_digit(random.Random(0))
                    tab.interact("warm-up", {"digit_canvas": canvas_value(strokes)})
            except InteractionFailed as problem:
                print(f"warm-up of /{page} on {url}: {problem}", file=sys.stderr)
            finally:
                tab.close()


# --- Locust ---------------------------------------------------------------------------------


def locust_command(app: App, args: argparse.Namespace, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        app.url,
        "--interaction-timeout",
        str(args.interaction_timeout),
        "--stop-timeout",
        "5",
        *extra,
    ]


@dataclass
class Alone:
    """One behaviour's dedicated phase: the server's CPU in all, and its requests' part."""

    behaviour: str
    seconds: float
    server_cpu: float
    requests_cpu: float


def solo_phase(
    app: App, args: argparse.Namespace, out: Path
) -> tuple[dict[str, list[float]], list[Alone]]:
    """Each behaviour alone, one student: server CPU seconds of each request, by name, and
    of each phase in all (what no request accounts for: idle sessions, live loops)."""
    costs: dict[str, list[float]] = defaultdict(list)
    phases = []
    pids = ",".join(map(str, app.pids))
    server = cpu.probe(app.pids)
    for behaviour, weight in parse_mix(args.mix).items():
        if weight <= 0:
            continue
        samples = out / f"solo_{behaviour}.json"
        command = locust_command(
            app,
            args,
            *("-u", "1", "-r", "1", "-t", f"{args.solo_seconds}s", "--only-summary"),
            *("--mix", f"{behaviour}=1", "--think-scale", str(args.solo_think_scale)),
            *("--server-pids", pids, "--cpu-out", str(samples)),
            *("--csv", str(out / f"solo_{behaviour}")),
        )
        print(f"Server CPU, {behaviour} alone for {args.solo_seconds} s …", flush=True)
        start, cpu0 = time.monotonic(), server()
        with open(out / f"solo_{behaviour}.log", "w") as log:
            subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=False)
        spent, seconds = server() - cpu0, time.monotonic() - start
        requests = 0.0
        if samples.exists():
            for sample in json.loads(samples.read_text()):
                if not sample["failed"]:
                    costs[sample["name"]].append(sample["cpu"])
                    if sample["type"] in ("page", "rerun", "tick"):
                        requests += sample["cpu"]
        phases.append(Alone(behaviour, seconds, spent, requests))
    return costs, phases


@dataclass
class Sampler:
    """Every second: the app servers' CPU, their workers', Locust's, and the load average."""

    app: App
    locust_pid: int | None = None
    rows: list[dict[str, float]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        start = time.monotonic()
        waits: dict[int, float] = {}
        waited = 0.0
        worker_cpu: dict[int, float] = {}
        workers_spent = 0.0
        while not self.stop.wait(1.0):
            # Workers come and go (a replaced one takes its CPU time with it): each one's
            # growth since the last sample is added up.
            for child in (c for pid in self.app.pids for c in cpu.descendants(pid)):
                spent = cpu.cpu_seconds(child)
                workers_spent += max(0.0, spent - worker_cpu.get(child, spent))
                worker_cpu[child] = spent
            one, five, _ = cpu.load_average()
            for pid in self.app.pids:  # threads come and go: each one's growth since last time
                for tid, wait in cpu.thread_waits(pid).items():
                    waited += max(0.0, wait - waits.get(tid, wait))
                    waits[tid] = wait
            self.rows.append(
                {
                    "t": round(time.monotonic() - start, 2),
                    "server_cpu_s": sum(cpu.cpu_seconds(pid) for pid in self.app.pids),
                    "server_waited_s": waited,
                    "workers_cpu_s": workers_spent,
                    "locust_cpu_s": cpu.cpu_seconds(self.locust_pid) if self.locust_pid else 0.0,
                    "load1": one,
                    "load5": five,
                }
            )


def class_phase(app: App, args: argparse.Namespace, out: Path) -> tuple[int, Sampler]:
    """The class in Locust; its exit code and the per-second samples."""
    command = locust_command(
        app,
        args,
        *("-u", str(args.students), "-r", str(args.spawn_rate), "-t", f"{args.duration}s"),
        *("--mix", args.mix, "--think-scale", str(args.think_scale)),
        *("--csv", str(out / "class"), "--only-summary"),
    )
    print(
        f"The class: {args.students} students arriving at {args.spawn_rate:g} a second, "
        f"for {args.duration} s …",
        flush=True,
    )
    sampler = Sampler(app)
    watcher = threading.Thread(target=sampler.run, daemon=True)
    with open(out / "class.log", "w") as log:
        locust = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        sampler.locust_pid = locust.pid
        watcher.start()
        assert locust.stdout is not None
        for line in locust.stdout:  # Locust's own output, shown and kept
            sys.stdout.write(line)
            log.write(line)
        code = locust.wait()
    sampler.stop.set()
    watcher.join()
    return code, sampler


# --- the report -----------------------------------------------------------------------------


def parse_mix(text: str) -> dict[str, float]:
    weights = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, weight = part.partition("=")
        if name not in BEHAVIOURS:
            raise SystemExit(f"--mix: {name!r} is not one of {', '.join(BEHAVIOURS)}")
        weights[name] = float(weight or 1)
    return weights


@dataclass
class Row:
    kind: str
    name: str
    count: int
    failures: int
    p50: float
    p95: float
    p99: float
    worst: float
    cpu_ms: float | None  # server CPU of one, from the dedicated phase (mean)
    cpu_n: int

    @property
    def target(self) -> float | None:
        return TARGET_SECONDS.get(self.kind)

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "not judged"
        met = self.failures == 0 and self.p95 <= 1000 * self.target
        return "met" if met else "MISSED"


def read_rows(out: Path, costs: dict[str, list[float]]) -> list[Row]:
    rows = []
    with open(out / "class_stats.csv") as stats:
        for line in csv.DictReader(stats):
            if line["Name"] == "Aggregated":
                continue
            spent = costs.get(line["Name"], [])
            rows.append(
                Row(
                    line["Type"],
                    line["Name"],
                    int(line["Request Count"]),
                    int(line["Failure Count"]),
                    float(line["50%"]),
                    float(line["95%"]),
                    float(line["99%"]),
                    float(line["Max Response Time"]),
                    1000 * statistics.fmean(spent) if spent else None,
                    len(spent),
                )
            )
    return rows


def report(
    rows: list[Row], sampler: Sampler, load_before: float, args: argparse.Namespace
) -> list[str]:
    """The lines printed after Locust's summary (also written to ``summary.txt``)."""
    lines = [
        "",
        f"== The class: {args.students} students, {args.replicas} app server(s), "
        f"{args.duration} s, mix {args.mix} ==",
        "p50/p95/p99/max in ms on the wire (request to the page's answer); server CPU: ms of "
        "the app server's CPU for one, measured with one student alone (n samples)",
        f"{'type':5} {'interaction':48} {'count':>6} {'fail':>5} {'p50':>6} {'p95':>6} "
        f"{'p99':>6} {'max':>6} {'CPU ms':>7} {'n':>4}  target",
    ]
    for row in sorted(rows, key=lambda r: (r.kind, r.name)):
        spent = f"{row.cpu_ms:7.0f}" if row.cpu_ms is not None else f"{'–':>7}"
        target = f"p95 ≤ {row.target:g} s: {row.verdict}" if row.target else row.verdict
        lines.append(
            f"{row.kind:5} {row.name[:48]:48} {row.count:6d} {row.failures:5d} {row.p50:6.0f} "
            f"{row.p95:6.0f} {row.p99:6.0f} {row.worst:6.0f} {spent} {row.cpu_n:4d}  {target}"
        )
    lines += summary_lines(rows, sampler, load_before, args)
    return lines


def summary_lines(
    rows: list[Row], sampler: Sampler, load_before: float, args: argparse.Namespace
) -> list[str]:
    samples = sampler.rows
    lines = [""]
    if len(samples) >= 2:
        seconds = samples[-1]["t"] - samples[0]["t"]
        server = samples[-1]["server_cpu_s"] - samples[0]["server_cpu_s"]
        waited = samples[-1]["server_waited_s"] - samples[0]["server_waited_s"]
        workers = samples[-1]["workers_cpu_s"] - samples[0]["workers_cpu_s"]
        locust = samples[-1]["locust_cpu_s"] - samples[0]["locust_cpu_s"]
        loads = [s["load1"] for s in samples]
        explained = sum(r.count * r.cpu_ms / 1000 for r in rows if r.cpu_ms and r.kind != "live")
        lines += [
            f"load_average_before: {load_before:.2f} (1 min, before the app started)",
            f"load_average_during: {statistics.fmean(loads):.2f} mean, {max(loads):.2f} max "
            "(1 min, sampled every second)",
            f"server_cpu: {100 * server / seconds:.0f} % of one core "
            f"({server:.1f} s in {seconds:.0f} s, {len(sampler.app.pids)} app server(s))",
            f"server_waited_for_a_core: {100 * waited / seconds:.0f} % of the time (its "
            "threads ready to run while every core was busy, added up)",
            f"workers_cpu: {100 * workers / seconds:.0f} % of one core",
            f"locust_cpu: {100 * locust / seconds:.0f} % of one core (the simulated students)",
        ]
        if server > 0 and explained > 0:
            lines.append(
                f"server_cpu_explained: {100 * explained / server:.0f} % (the requests' counts "
                "times their cost alone, against the server CPU measured; live rows left out)"
            )
    ranked = sorted(
        (r for r in rows if r.cpu_ms is not None and r.kind != "live"),
        key=lambda r: r.count * (r.cpu_ms or 0),
        reverse=True,
    )
    lines.append("costliest (server CPU in this class: count × CPU of one alone):")
    for row in ranked[:3]:
        assert row.cpu_ms is not None
        lines.append(
            f"  {row.name}: {row.count * row.cpu_ms / 1000:.1f} s "
            f"({row.count} × {row.cpu_ms:.0f} ms)"
        )
    judged = [r for r in rows if r.target is not None]
    missed = [r for r in judged if r.verdict != "met"]
    failures = sum(r.failures for r in rows)
    lines.append(f"failures: {failures}")
    lines.append(
        "targets: "
        + ("every one met" if not missed else f"MISSED by {len(missed)} of {len(judged)}")
    )
    return lines


def alone_lines(phases: list[Alone], args: argparse.Namespace) -> list[str]:
    """Each behaviour's dedicated phase: the server's CPU for one student, and how much of
    it the requests account for (the rest: live loops, timers, sessions between requests)."""
    if not phases:
        return []
    lines = [
        f"one student alone, {args.solo_seconds} s each at {args.solo_think_scale:g} × the pauses:"
    ]
    for phase in phases:
        share = phase.requests_cpu / phase.server_cpu if phase.server_cpu else math.nan
        lines.append(
            f"  alone_{phase.behaviour}: server {100 * phase.server_cpu / phase.seconds:.1f} % "
            f"of one core ({phase.server_cpu:.2f} s in {phase.seconds:.0f} s), "
            f"{100 * share:.0f} % of it in the requests"
        )
    return lines


def write_tables(rows: list[Row], sampler: Sampler, out: Path) -> None:
    with open(out / "interactions.csv", "w", newline="") as table:
        writer = csv.writer(table)
        writer.writerow(
            ["type", "name", "count", "failures", "p50_ms", "p95_ms", "p99_ms", "max_ms"]
            + ["server_cpu_ms_alone", "cpu_samples", "target_p95_s", "verdict"]
        )
        for r in rows:
            writer.writerow(
                [r.kind, r.name, r.count, r.failures, r.p50, r.p95, r.p99, r.worst]
                + [
                    "" if r.cpu_ms is None else round(r.cpu_ms, 1),
                    r.cpu_n,
                    r.target or "",
                    r.verdict,
                ]
            )
    if sampler.rows:
        with open(out / "cpu.csv", "w", newline="") as table:
            samples = csv.DictWriter(table, fieldnames=list(sampler.rows[0]))
            samples.writeheader()
            samples.writerows(sampler.rows)


# --- the command ----------------------------------------------------------------------------


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.class_load", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--students", type=int, default=80)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--duration", type=int, default=120, help="s of the class")
    parser.add_argument(
        "--spawn-rate", type=float, help="students arriving a second (default: all in 20 s)"
    )
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"default {DEFAULT_MIX}")
    parser.add_argument("--think-scale", type=float, default=1.0, help="multiplies every pause")
    parser.add_argument("--interaction-timeout", type=float, default=60.0)
    parser.add_argument(
        "--solo-seconds", type=int, default=30, help="s per behaviour alone (0: skip it)"
    )
    parser.add_argument("--solo-think-scale", type=float, default=0.2)
    parser.add_argument("--out", type=Path, help="output folder (default: a new one in /tmp)")
    args = parser.parse_args(argv)
    if args.students < 1 or args.replicas < 1 or args.duration < 1:
        parser.error("--students, --replicas and --duration must be at least 1")
    if args.spawn_rate is None:
        args.spawn_rate = max(1.0, args.students / 20)
    parse_mix(args.mix)
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    out = args.out or Path(tempfile.gettempdir()) / "class-load" / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    load_before = cpu.load_average()[0]
    print(f"Output: {out}", flush=True)
    with fresh_app(args.replicas, out) as app:
        print(f"The app: {app.url} (app server pids {', '.join(map(str, app.pids))})")
        warm_up(app)
        costs, alone = solo_phase(app, args, out) if args.solo_seconds > 0 else ({}, [])
        code, sampler = class_phase(app, args, out)
    if not (out / "class_stats.csv").exists():
        print("Locust wrote no statistics: see class.log", file=sys.stderr)
        return 1
    rows = read_rows(out, costs)
    lines = report(rows, sampler, load_before, args) + alone_lines(alone, args)
    print("\n".join(lines))
    (out / "summary.txt").write_text("\n".join(lines) + "\n")
    write_tables(rows, sampler, out)
    print(f"CSV files: {out}")
    return code


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
