"""One process that imports TensorFlow once and forks every worker from that import.

Importing TensorFlow and Keras costs a process about 7 CPU-seconds on this project's 2-core
machine, and a server starts a worker at launch, after every crash and every ``RECYCLE_AFTER``
trainings. Paid each time, that import competes with the visitors' pages and keeps a queued
training waiting. The fork server pays it once: it imports TensorFlow (no TensorFlow op has
run, so no thread pool exists yet, which is what makes forking safe) and then, per request,
forks a child that sets its own thread count, warms up and becomes a ``trainer`` or
``inference`` worker. A new worker is then ready in about a second.

The web server talks to it over a socket pair: a request is the worker's kind and thread
count, followed by the worker's end of its pipe (passed as a file descriptor); the answer is
the child's pid. The fork server ends when the web server does (its end of the socket closes).
Workers are the fork server's children, so the web server watches them through a pidfd
(:class:`ForkedProcess`), which, unlike a pid, cannot come to name another process.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import select
import signal
import subprocess
import sys
import threading
from multiprocessing import Pipe, reduction
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("trainer", "inference")
# What the workers' warm-ups and first jobs import: TensorFlow and Keras, and the modules that
# build, train and answer with networks (several import TensorFlow only when first called).
PRELOAD = (
    "nncore.keras_runtime",
    "nncore.network.model",
    "nncore.training.engine",
    "nncore.training.gradients",
    "nncore.digits.bundled",
    "nncore.digits.inference",
    "nncore.digits.model_files",
    "nncore.digits.teaching",
    "nncore.playground.engine",
    *(f"nncore.workers.{kind}" for kind in KINDS),
)
PR_SET_NAME = 15  # prctl option, from <linux/prctl.h>
START_SECONDS = 120.0  # its one import of TensorFlow, on a busy 2-core machine


class ForkedProcess:
    """A worker forked by the fork server, with the part of ``subprocess.Popen``'s interface the
    server uses (``pid``, ``poll``, ``kill``, ``wait``)."""

    def __init__(self, pid: int):
        self.pid = pid
        self._pidfd = os.pidfd_open(pid)

    def _exited(self, timeout: float | None) -> bool:
        """Whether the process has ended, waiting up to ``timeout`` seconds (None: for ever)."""
        return bool(select.select([self._pidfd], [], [], timeout)[0])

    def poll(self) -> int | None:
        """None while the process runs; once it has ended, a (meaningless) exit code."""
        return -1 if self._exited(0) else None

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        if not self._exited(timeout):
            raise subprocess.TimeoutExpired(str(self.pid), timeout or 0.0)
        return -1

    def __del__(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.close(self._pidfd)


class ForkServer:
    """The web server's handle on its fork server, started on first use and again if it died."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._control: Connection | None = None

    def _start(self) -> None:
        ours, theirs = Pipe()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "nncore.workers", "forkserver", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._control = ours

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
        if self._control is not None:
            self._control.close()
        self._process = self._control = None

    def fork(self, kind: str, threads: int, pipe: Connection) -> ForkedProcess:
        """A new ``kind`` worker with ``threads`` TensorFlow threads, talking over ``pipe`` (the
        worker's end; the caller still closes its own copy). Waits for the fork server's import
        the first time. Raises OSError if the fork server failed twice in a row."""
        with self._lock:
            for _ in range(2):
                if self._process is None or self._process.poll() is not None:
                    self._stop()
                    self._start()
                process, control = self._process, self._control
                if process is None or control is None:  # _start raises rather than leave these
                    raise OSError("the fork server did not start")
                try:
                    control.send((kind, threads))
                    reduction.send_handle(control, pipe.fileno(), process.pid)
                    if control.poll(START_SECONDS):
                        return ForkedProcess(control.recv())
                except (EOFError, OSError):
                    pass
                self._stop()
            raise OSError("the worker fork server could not start a worker")

    def close(self) -> None:
        with self._lock:
            self._stop()


def name_process(name: str) -> None:
    """Show ``name`` for this process in ``top`` and ``ps -o comm`` (Linux, 15 characters): every
    forked worker has the fork server's command line, so the name is what tells them apart."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def _become_worker(kind: str, threads: int, fd: int) -> None:
    """In the forked child: the thread count first (TensorFlow fixes it at its first op), then
    the worker's own loop. The child never returns into the fork server's loop."""
    code = 0
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        name_process(kind)
        os.environ["PLAYGROUND_TF_THREADS"] = str(threads)
        from nncore.keras_runtime import use_threads

        use_threads(threads)
        with contextlib.suppress(BrokenPipeError, EOFError, KeyboardInterrupt):
            importlib.import_module(f"nncore.workers.{kind}").serve(Connection(fd))
    except BaseException:
        code = 1
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(control: Connection) -> None:
    """The fork server's loop: import once, then one forked worker per request."""
    name_process("forkserver")
    from nncore.data.mnist import mnist_digits

    for module in PRELOAD:
        importlib.import_module(module)
    mnist_digits()  # read once, shared by every worker
    # Children are reaped by the kernel: the web server follows them through pidfds.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        try:
            kind, threads = control.recv()
            fd = reduction.recv_handle(control)
        except (EOFError, OSError):
            return  # the web server is gone
        pid = os.fork()
        if pid == 0:
            control.close()
            _become_worker(kind, threads, fd)
        os.close(fd)
        control.send(pid)
