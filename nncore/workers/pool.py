"""The server's side of the training workers: a queue, and one thread per worker process.

At most K trainings run at once (K workers, ``PLAYGROUND_TRAINERS``, default cores − 1 so one
core is left for the pages); the others wait in arrival order and can ask how many are ahead
of them. Each worker has a thread here that hands it the next job and relays its messages to
the job's page. A worker that dies mid-job (killed, out of memory, a crash) fails only that
job, with a sentence for its visitor, and is replaced; a worker is also replaced after
``recycle_after`` jobs, so whatever TensorFlow accumulates stays bounded.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import deque
from typing import Any, TypeVar

from nncore.workers.process import WorkerProcess

J = TypeVar("J", bound="Job")

RECYCLE_AFTER = 20
POLL_SECONDS = 0.05
DIED = (
    "The training worker stopped unexpectedly (it may have run out of memory). Nobody else "
    "was affected; press Train to run it again."
)


def trainer_count() -> int:
    """How many trainings may run at once: ``PLAYGROUND_TRAINERS``, or one fewer than the cores.

    More than the cores makes every training slower without finishing any sooner, and the
    spare core keeps the pages quick for visitors who are only drawing or exploring.
    """
    cores = os.cpu_count() or 1
    try:
        return max(1, int(os.environ.get("PLAYGROUND_TRAINERS", cores - 1)))
    except ValueError:
        return max(1, cores - 1)


class Owner:
    """A token only one visitor's session holds; jobs keep it weakly, to notice the visitor left."""


class Job:
    """One piece of work for a training worker, watched by the page that asked for it.

    ``owner`` is an object only the visitor's session holds: once the session is gone, the job
    is dropped from the queue or stopped, so an abandoned tab does not keep a core busy.
    """

    kind = ""

    def __init__(self, payload: Any, owner: object | None = None):
        self.payload = payload
        self._owner = weakref.ref(owner) if owner is not None else None
        self.changed = threading.Condition()
        self.version = 0  # bumped on every change, so a page knows when to redraw
        self._worker: WorkerProcess | None = None
        self.ahead = 0

    @property
    def running(self) -> bool:
        """Whether a worker has the job (rather than the job waiting in the queue)."""
        return self._worker is not None

    def waiting_note(self) -> str:
        """The sentence every page shows while the job waits in the queue."""
        if self.ahead:
            return f"Waiting for a free trainer: {self.ahead} ahead of you."
        return "Waiting for a free trainer: you are next."

    @property
    def abandoned(self) -> bool:
        return self._owner is not None and self._owner() is None

    def wait(self, seen: int, timeout: float) -> int:
        """Block until something changed after version ``seen`` (or ``timeout``); new version."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout)
            return self.version

    def _bump(self) -> None:
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def send(self, message: tuple) -> bool:
        """Pass a control message to the worker running this job; False when none is."""
        worker = self._worker
        return worker is not None and worker.send(message)

    # Called by the pool's thread for this job:
    def started(self, worker: WorkerProcess) -> None:
        self._worker = worker
        self._bump()

    def receive(self, message: tuple) -> bool:
        """Take one message from the worker; True when the job is over."""
        raise NotImplementedError

    def tick(self, others_waiting: int) -> None:
        """Called a few times a second while a worker has the job, whether or not the worker
        said anything: where a job that has held its worker long enough offers it to the
        ``others_waiting`` jobs in the queue."""

    def replaced(self) -> None:
        """The job was still waiting when its session queued another: it will not run."""
        self.fail("Replaced by your newer request.")

    def same_owner(self, other: Job) -> bool:
        return (
            self._owner is not None
            and other._owner is not None
            and (self._owner() is other._owner() is not None)
        )

    def fail(self, reason: str) -> None:
        raise NotImplementedError

    def ended(self) -> None:
        self._worker = None
        self._bump()


class TrainerPool:
    """K worker processes fed from one queue of jobs, shared by every visitor of this server.

    Holds no visitor data of its own: only the jobs, which belong to their sessions.
    """

    def __init__(self, workers: int | None = None, threads: int | None = None):
        self.size = workers or trainer_count()
        cores = os.cpu_count() or 1
        self.threads = threads or max(1, cores // self.size)
        self._pending: deque[Job] = deque()
        self._queue_changed = threading.Condition()
        self.workers = [WorkerProcess("trainer", self.threads) for _ in range(self.size)]
        self.ready = threading.Event()
        for worker in self.workers:
            threading.Thread(target=self._serve, args=(worker,), daemon=True).start()

    def submit(self, job: J) -> J:
        """Queue ``job``; it is handed back, so a caller keeps its own kind of job.

        A session has at most one job waiting: a job of the same owner still in the queue is
        replaced (a second Train, a click in another page of the same tab), so one visitor
        cannot fill the queue ahead of the class.
        """
        with self._queue_changed:
            replaced = [other for other in self._pending if other.same_owner(job)]
            for other in replaced:
                self._pending.remove(other)
            self._pending.append(job)
            self._renumber()
            self._queue_changed.notify_all()
        for other in replaced:
            other.replaced()
        return job

    def cancel(self, job: Job) -> bool:
        """Take a job out of the queue before it started; False if it is not waiting."""
        with self._queue_changed:
            if job not in self._pending:
                return False
            self._pending.remove(job)
            self._renumber()
        return True

    def waiting(self) -> int:
        with self._queue_changed:
            return len(self._pending)

    def _renumber(self) -> None:
        for place, job in enumerate(self._pending):
            if job.ahead != place:
                job.ahead = place
                job._bump()

    def _next_job(self) -> Job:
        with self._queue_changed:
            while True:
                while self._pending and self._pending[0].abandoned:
                    self._pending.popleft().fail("The visitor left before it started.")
                if self._pending:
                    job = self._pending.popleft()
                    self._renumber()
                    return job
                self._queue_changed.wait()

    def _serve(self, worker: WorkerProcess) -> None:
        """One worker's thread: start it, then hand it job after job, replacing it as needed."""
        worker.start_ready(fresh_after=RECYCLE_AFTER)
        self.ready.set()
        while True:
            job = self._next_job()
            self._run(worker, job)

    def _run(self, worker: WorkerProcess, job: Job) -> None:
        # A worker that died between jobs, or has trained enough, is replaced before this one.
        worker.start_ready(fresh_after=RECYCLE_AFTER)
        if not worker.send((job.kind, job.payload)):
            worker.stop()
            job.fail(DIED)
            job.ended()
            return
        job.started(worker)
        stop_sent = False
        try:
            while True:
                if job.abandoned and not stop_sent:
                    stop_sent = worker.send(("stop",))
                job.tick(self.waiting())
                message = worker.receive(POLL_SECONDS)
                if message is not None and job.receive(message):
                    worker.jobs_done += 1
                    return
        except (EOFError, OSError):
            worker.stop()
            job.fail(DIED)
        finally:
            job.ended()


_lock = threading.Lock()
_shared: dict[type, Any] = {}


def one_per_process(kind: type) -> Any:
    """The server's one instance of ``kind``, made on first use (thread-safe)."""
    with _lock:
        if kind not in _shared:
            _shared[kind] = kind()
        return _shared[kind]


def trainer_pool() -> TrainerPool:
    """This server's training workers (started on first use, shared by every visitor)."""
    return one_per_process(TrainerPool)
