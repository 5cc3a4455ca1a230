"""Worker start: how long a new worker takes to be ready, forked from the fork server (which
imported TensorFlow once) against a worker that imports TensorFlow itself.

A server starts workers at launch, after a crash and every ``RECYCLE_AFTER`` trainings; while
a trainer starts, the queue waits, and its CPU time is taken from the visitors' pages. Each
round starts one worker of each kind both ways (alternating which goes first) and times it
from the request to its "ready" message (TensorFlow imported, one tiny epoch traced or one
blank drawing answered), with the CPU seconds the new process used. The fork server's own
import, paid once per server, is printed separately. Last, the memory of a server's workers
both ways (one trainer and one inference worker, warmed up; with the fork server when forked),
as proportional memory (Pss), which counts the pages processes share once.
Run: .venv/bin/python benchmarks/worker_start.py [rounds]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import cpu_seconds, proportional_mb  # noqa: E402

from nncore.workers.process import FORK_SERVER, WorkerProcess  # noqa: E402

KINDS = ("trainer", "inference")
TIMEOUT = 180.0


def wait_ready(worker: WorkerProcess, alone: bool) -> int:
    """Wait for a started worker's "ready"; its pid."""
    conn, pid = worker.conn, worker.pid
    if conn is None or pid is None or not conn.poll(TIMEOUT) or conn.recv()[0] != "ready":
        raise RuntimeError(f"a {worker.kind} worker (alone={alone}) did not get ready")
    return pid


def fork_server_pid() -> int:
    """The fork server's pid (it runs once a worker has been forked from it)."""
    process = FORK_SERVER._process
    if process is None:
        raise RuntimeError("the fork server is not running")
    return process.pid


def time_to_ready(kind: str, alone: bool) -> tuple[float, float]:
    """(seconds from asking for a worker to its "ready", the CPU seconds it used for that)."""
    worker = WorkerProcess(kind, threads=1)
    started = time.perf_counter()
    worker.start(alone=alone)
    pid = wait_ready(worker, alone)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds(pid)
    worker.stop()
    return seconds, cpu


def workers_memory(alone: bool) -> float:
    """MB (Pss) of one warmed-up worker of each kind, plus the fork server they came from."""
    started = [WorkerProcess(kind, threads=1) for kind in KINDS]
    for worker in started:
        worker.start(alone=alone)
    pids = [wait_ready(worker, alone) for worker in started]
    total = sum(proportional_mb(pid) for pid in pids)
    if not alone:
        total += proportional_mb(fork_server_pid())
    for worker in started:
        worker.stop()
    return total


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    started = time.perf_counter()
    time_to_ready("inference", alone=False)  # starts the fork server: its import, once
    print(
        f"fork_server_first_worker: {time.perf_counter() - started:.2f} s "
        f"(the fork server's import of TensorFlow, then one worker), "
        f"fork server CPU {cpu_seconds(fork_server_pid()):.2f} s"
    )
    results: dict[tuple[str, bool], list[tuple[float, float]]] = {}
    for index in range(rounds):
        order = [(kind, alone) for kind in KINDS for alone in (False, True)]
        for kind, alone in order if index % 2 == 0 else reversed(order):
            results.setdefault((kind, alone), []).append(time_to_ready(kind, alone))
    for kind in KINDS:
        both = (results[(kind, False)], results[(kind, True)])  # forked, alone
        wall = [statistics.median(s for s, _ in runs) for runs in both]
        cpu = [statistics.median(c for _, c in runs) for runs in both]
        print(
            f"{kind}: forked {wall[0]:.2f} s to ready ({cpu[0]:.2f} CPU-s), alone "
            f"{wall[1]:.2f} s ({cpu[1]:.2f} CPU-s); ratio forked/alone {wall[0] / wall[1]:.2f} "
            f"wall, {cpu[0] / cpu[1]:.2f} CPU (medians of {rounds})"
        )
    forked_mb, alone_mb = workers_memory(alone=False), workers_memory(alone=True)
    print(
        f"workers_memory (a trainer and an inference worker, Pss): forked {forked_mb:.0f} MB "
        f"with the fork server, alone {alone_mb:.0f} MB; ratio {forked_mb / alone_mb:.2f}"
    )
    FORK_SERVER.close()


if __name__ == "__main__":
    main()
