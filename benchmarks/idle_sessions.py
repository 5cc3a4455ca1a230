"""What one student's rerun costs the server while classmates' pages are open, with and
without Streamlit's garbage collection after every script run (``runner.postScriptGC``).

    python -m benchmarks.idle_sessions [--sessions 0 20 60] [--reruns 30]

Streamlit runs a full ``gc.collect()`` after every script run. A full collection walks every
tracked object in the process, and every open session keeps its own (its state, its figures,
its pages' elements), so the cost of one student's slider move grows with the size of the
class: a class pays it once per rerun per student, about the square of its size in all.

For each setting of ``postScriptGC`` a fresh app server is started; then ``--sessions`` idle
tabs are opened on it (Build & Train, Gradient Descent, Draw a Digit, Backpropagation and the
2D Playground in turn, as a class leaves them), and one more tab moves Gradient Descent's η
slider ``--reruns`` times. Printed: the server's CPU per rerun (median, from ``/proc``; one
reading is good to 10 ms, so the median of many is what counts) and the ratio of the server
without the collection to the server with it, at each class size. The target: a rerun costs
no more with 60 open sessions than with none (ratio of 60 to 0 sessions at most 1.25).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess

from appdriver import free_port, serve_app, wait_healthy
from benchmarks.class_load.cpu import load_average, probe
from benchmarks.class_load.protocol import Request, StreamlitSession
from pages._ui.widgets import widget_key

IDLE_PAGES = ("build", "descent", "draw", "backprop", "playground")
ETA = widget_key("descent", "eta")  # the measured rerun: Gradient Descent's η slider
TARGET_GROWTH = 1.25


def ignore(_: Request) -> None:
    pass


def rerun_costs(collect_after_runs: bool, class_sizes: list[int], reruns: int) -> dict[int, float]:
    """Median server CPU ms of one η-slider rerun with each number of idle sessions open."""
    port = free_port()
    env = {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "true" if collect_after_runs else "false"}
    server = serve_app(port, extra_env=env)
    idle: list[StreamlitSession] = []
    costs: dict[int, float] = {}
    try:
        wait_healthy(port, timeout=120)
        url = f"http://127.0.0.1:{port}"
        server_cpu = probe([server.pid])
        measured = StreamlitSession(url, "descent", ignore, timeout=120)
        measured.open()
        for size in sorted(class_sizes):
            while len(idle) < size:
                tab = StreamlitSession(url, IDLE_PAGES[len(idle) % len(IDLE_PAGES)], ignore)
                tab.open()
                idle.append(tab)
            samples = []
            options = measured.widget(ETA).options  # two neighbours, in turn
            middle = len(options) // 2
            for index in range(reruns + 2):
                eta = options[middle + index % 2]
                before = server_cpu()
                measured.interact("η slider", {ETA: eta})
                if index >= 2:  # the first two warm the page's caches at this size
                    samples.append(1000 * (server_cpu() - before))
            costs[size] = statistics.median(samples)
        measured.close()
    finally:
        for tab in idle:
            tab.close()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[0, 20, 60])
    parser.add_argument("--reruns", type=int, default=30)
    args = parser.parse_args()
    print(f"load average before: {load_average()[0]:.2f} on {os.cpu_count()} cores")
    with_gc = rerun_costs(True, args.sessions, args.reruns)
    without_gc = rerun_costs(False, args.sessions, args.reruns)
    print(f"load average after: {load_average()[0]:.2f}")
    print("idle sessions   server CPU ms a rerun: postScriptGC on   off   off/on")
    for size in sorted(args.sessions):
        on, off = with_gc[size], without_gc[size]
        print(f"{size:13d}   {on:34.1f}   {off:4.1f}   {off / on if on else float('nan'):5.2f}")
    smallest, largest = min(args.sessions), max(args.sessions)
    for name, costs in (("on", with_gc), ("off", without_gc)):
        growth = costs[largest] / costs[smallest] if costs[smallest] else float("nan")
        verdict = "met" if growth <= TARGET_GROWTH else "MISSED"
        print(
            f"postScriptGC {name}: a rerun with {largest} sessions open costs {growth:.2f}× one "
            f"with {smallest} (target ≤ {TARGET_GROWTH}): {verdict}"
        )


if __name__ == "__main__":
    main()
