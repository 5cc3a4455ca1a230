"""Memory across many trainings: no models, graphs or runs may pile up in the web server or in
its worker processes.

The app is served; Chromium trains the notebook network (500 rows, 3 epochs) on /build 15 times
in one session, then once in each of 15 new sessions (each closed afterwards). Resident memory
(VmRSS) is read for the web server (the `streamlit run` process, which keeps each session's
run: history, weights, test probabilities) and for its worker processes (the training worker,
replaced after a number of jobs, the inference worker, and the fork server they come from), and
their sum counting shared pages once (Pss), after the first training (the
baseline: TensorFlow loaded, one model traced) and after each phase. Target: the web server's
last reading within 150 MB of its baseline, and the workers' too, each printed with "met" or
"MISSED".

Until commit 9bc051d a second Train in the same tab did not train (the finished run named in the
address came back instead): should that happen again the script says so and reopens /build for
each further training of the first phase (a new session in the same tab).
Chromium runs below the server's priority. Run: .venv/bin/python benchmarks/memory.py
[trainings_per_phase]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import (  # noqa: E402
    launch_args,
    press_train,
    proportional_mb,
    resident_mb,
    served,
    verdict,
    wait_workers_ready,
    watch,
    workers,
)

from appdriver import wait_idle  # noqa: E402

SETUP = "/build?rows=500&epochs=3"
LIMIT_MB = 150
TIMEOUT = 300.0


class Readings:
    """Resident memory of the server and its workers, and the largest training worker seen."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.trainer_peak = 0.0
        self.trainer_pids: set[int] = set()

    def read(self) -> dict[str, float]:
        found = workers(self.server_pid)
        numbers = {"server": resident_mb(self.server_pid), "trainer": 0.0, "inference": 0.0}
        numbers["forkserver"] = 0.0
        numbers["all_pss"] = proportional_mb(self.server_pid)
        for pid, kind in found.items():
            numbers[kind] = numbers.get(kind, 0.0) + resident_mb(pid)
            numbers["all_pss"] += proportional_mb(pid)
            if kind == "trainer":
                self.trainer_pids.add(pid)
        self.trainer_peak = max(self.trainer_peak, numbers["trainer"])
        return numbers


def open_build(page: Page, url: str) -> None:
    page.goto(url)
    wait_idle(page)
    watch(page, "Test accuracy")


PROBLEMS: dict[str, int] = {}  # why a training did not count as finished: how often


def train_once(page: Page) -> bool:
    """Press Train; True once a new training finished and showed its "Test accuracy"."""
    result = press_train(page, TIMEOUT)
    if result is not None and result["trained"]:
        return True
    count_problem(result)
    return False


def count_problem(result: dict | None) -> None:
    """Remember why a training did not count as finished."""
    if result is None:
        problem = f"no end of the run within {TIMEOUT:g} s"
    elif result["shown"] is None:
        problem = "no fresh Test accuracy within 5 s of the run's end"
    else:
        problem = "the address did not name a new run"
    PROBLEMS[problem] = PROBLEMS.get(problem, 0) + 1


def show(name: str, now: dict[str, float], base: dict[str, float]) -> None:
    print(
        f"{name}: server {now['server']:.0f} MB ({now['server'] - base['server']:+.0f}), "
        f"training worker {now['trainer']:.0f} MB ({now['trainer'] - base['trainer']:+.0f}), "
        f"inference worker {now['inference']:.0f} MB "
        f"({now['inference'] - base['inference']:+.0f}), fork server {now['forkserver']:.0f} MB; "
        f"all of them together (Pss, shared pages once) {now['all_pss']:.0f} MB "
        f"({now['all_pss'] - base['all_pss']:+.0f})"
    )


def main() -> None:
    per_phase = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with served() as (base, server), sync_playwright() as playwright:
        url = base + SETUP
        readings = Readings(server.pid)
        browser = playwright.chromium.launch(**launch_args(lower_priority=True))
        page = browser.new_page()
        open_build(page, url)
        wait_workers_ready(server.pid, ("trainer", "inference"))
        if not train_once(page):
            raise RuntimeError("the first training did not show its test accuracy")
        baseline = readings.read()
        show("rss_after_first_training", baseline, baseline)
        same_session, failed = 1, 0
        retrain_in_tab = True
        for _ in range(per_phase - 1):
            if retrain_in_tab:
                result = press_train(page, TIMEOUT)
                if result is not None and result["trained"]:
                    same_session += 1
                    continue
                if result is None or not result["same_run"]:
                    failed += 1
                    count_problem(result)
                    continue
                retrain_in_tab = False
                print("second_train_in_the_same_tab: failed (the previous run came back)")
            open_build(page, url)  # a new session in the same tab
            if not train_once(page):
                failed += 1
        one_session = readings.read()
        print(
            f"trainings_in_the_first_session: {same_session} of {per_phase} "
            f"({failed} did not finish)"
        )
        show(f"rss_after_{per_phase}_trainings_one_tab", one_session, baseline)
        page.close()
        for _ in range(per_phase):
            context = browser.new_context()
            other = context.new_page()
            open_build(other, url)
            if not train_once(other):
                failed += 1
            context.close()
            readings.read()
        across = readings.read()
        show(f"rss_after_{per_phase}_more_in_new_sessions", across, baseline)
        browser.close()
    growth = across["server"] - baseline["server"]
    worker_growth = (
        across["trainer"] + across["inference"] - baseline["trainer"] - baseline["inference"]
    )
    print(
        f"server_growth_over_{2 * per_phase}_trainings: {growth:.0f} MB "
        f"(limit {LIMIT_MB} MB: {verdict(growth <= LIMIT_MB)})"
    )
    print(
        f"workers_growth_over_{2 * per_phase}_trainings: {worker_growth:.0f} MB "
        f"(limit {LIMIT_MB} MB: {verdict(worker_growth <= LIMIT_MB)}; "
        f"training worker peak {readings.trainer_peak:.0f} MB, "
        f"{len(readings.trainer_pids)} training worker process(es) seen)"
    )
    reasons = "; ".join(f"{count}× {problem}" for problem, count in PROBLEMS.items())
    print(f"trainings_not_finished: {failed}" + (f" ({reasons})" if reasons else ""))


if __name__ == "__main__":
    main()
