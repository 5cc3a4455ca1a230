"""The server's CPU time and the machine's load, read from ``/proc`` (Linux).

A process's CPU time is ``utime + stime`` of ``/proc/<pid>/stat``, in clock ticks (1/100 s on
this machine, so one reading is good to 10 ms; averages over many interactions are finer).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as stat:
        # The command name (field 2) may hold spaces and parentheses: split after its end.
        return stat.read().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of process ``pid`` (all its threads); 0 once it is gone."""
    try:
        fields = _stat_fields(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15)


def probe(pids: Iterable[int]) -> Callable[[], float]:
    """A function returning the CPU seconds of ``pids`` together, so far."""
    chosen = tuple(pids)
    return lambda: sum(cpu_seconds(pid) for pid in chosen)


def descendants(pid: int) -> list[int]:
    """Every process started by ``pid``, its children's children too (the app's workers)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            parent = int(_stat_fields(int(entry))[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(children.get(child, []))
    return found


def thread_waits(pid: int) -> dict[int, float]:
    """Seconds each thread of ``pid`` has spent ready to run but waiting for a core (the
    second field of ``/proc/<pid>/task/<tid>/schedstat``): how busy the machine kept it."""
    waits = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return {}
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as stat:
                waits[int(tid)] = int(stat.read().split()[1]) / 1e9
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    return waits


def load_average() -> tuple[float, float, float]:
    """The machine's 1, 5 and 15 minute load averages."""
    return os.getloadavg()
