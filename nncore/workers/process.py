"""Starting a worker process and talking to it over a pipe.

Workers are forked by the fork server (``forkserver``), which has imported TensorFlow once, so
a new or replacing worker does not pay the import again. If forking fails, a worker is started
as ``python -m nncore.workers <kind> <fd>``. Neither uses ``multiprocessing``'s spawn: spawn
re-imports the parent's ``__main__``, which inside Streamlit is the page script being run, so
every worker would run the app. A socket pair carries pickled messages both ways
(``multiprocessing.connection.Connection``). The worker says "ready" once it has warmed up.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from nncore.workers.forkserver import ForkedProcess, ForkServer

ROOT = Path(__file__).resolve().parents[2]
PR_SET_PDEATHSIG = 1  # prctl option, from <linux/prctl.h>
START_SECONDS = 120.0  # importing TensorFlow on a busy 2-core machine takes seconds, not minutes
FORK_SERVER = ForkServer()  # this process's, started by its first worker


def resident_bytes(pid: int | None) -> int:
    """The memory a process holds now (its resident set), 0 if it is gone."""
    if pid is None:
        return 0
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class WorkerProcess:
    """One worker process of a kind (``trainer``, ``inference``) and the pipe to it."""

    def __init__(self, kind: str, threads: int):
        self.kind = kind
        self.threads = threads
        self.process: ForkedProcess | subprocess.Popen | None = None
        self.conn: Connection | None = None
        self.jobs_done = 0
        self.ready = False  # TensorFlow imported and warmed up
        self._send_lock = threading.Lock()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def start(self, alone: bool = False) -> None:
        """A new process (the old one, if any, is killed first): forked from the fork server,
        or, if that fails or ``alone`` is asked for, one that imports TensorFlow itself."""
        self.stop()
        ours, theirs = multiprocessing.Pipe()
        try:
            if alone:
                raise OSError("asked for a worker of its own")
            self.process = FORK_SERVER.fork(self.kind, self.threads, theirs)
        except OSError:  # slower to be ready, but working
            self.process = self._start_alone(theirs)
        theirs.close()
        self.conn, self.jobs_done, self.ready = ours, 0, False

    def _start_alone(self, pipe: Connection) -> subprocess.Popen:
        """A worker that imports TensorFlow itself, talking over ``pipe`` (its end)."""
        return subprocess.Popen(
            [sys.executable, "-m", "nncore.workers", self.kind, str(pipe.fileno())],
            pass_fds=(pipe.fileno(),),
            cwd=ROOT,
            env={**os.environ, "PLAYGROUND_TF_THREADS": str(self.threads)},
            stdin=subprocess.DEVNULL,
        )

    def start_ready(self, fresh_after: int | None = None) -> None:
        """A running, warmed-up worker: (re)started if it is dead or has done ``fresh_after``
        jobs, then waited for until it says "ready"."""
        while True:
            aged = fresh_after is not None and self.jobs_done >= fresh_after
            if not self.alive or aged:
                self.start()
            if self.ready:
                return
            conn = self.conn
            try:
                if conn is not None and conn.poll(START_SECONDS) and conn.recv()[0] == "ready":
                    self.ready = True
                    return
            except (EOFError, OSError):
                pass
            self.stop()

    def send(self, message: tuple) -> bool:
        try:
            with self._send_lock:
                if self.conn is None:
                    return False
                self.conn.send(message)
            return True
        except (OSError, ValueError):
            return False

    def receive(self, timeout: float) -> Any:
        """The next message, or None after ``timeout``; raises EOFError if the worker died."""
        if self.conn is None:
            raise EOFError(f"{self.kind} worker has no pipe")
        if self.conn.poll(timeout):
            return self.conn.recv()
        if not self.alive:
            raise EOFError(f"{self.kind} worker {self.pid} is gone")
        return None

    def stop(self) -> None:
        if self.process is not None and self.alive:
            self.process.kill()
        if self.process is not None:
            self.process.wait(10)
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None
        self.ready = False


def worker_connection(fd: str) -> Connection:
    """In a worker: the pipe to the server, from the file descriptor on the command line."""
    return Connection(int(fd))


def yield_to_everyone(priority: int) -> None:
    """In a worker: run below every other process on the machine, not only below the server.

    ``os.nice`` alone ranks a process only within its scheduling group: Linux groups processes
    by session (autogroup), so a niced trainer started from a terminal still took as large a
    share of the cores as the whole browser of the teacher at that machine. In a session of its
    own, with the session's group niced too, it yields to everyone. It then leaves the server's
    process group, so it asks to be killed when its parent (the fork server, which ends with
    the server) ends, rather than train on after a Ctrl-C.
    """
    os.nice(priority)
    with contextlib.suppress(OSError):
        os.setsid()
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent ended before the request took hold
            os._exit(0)
    with contextlib.suppress(OSError):
        Path("/proc/self/autogroup").write_text(str(priority))
