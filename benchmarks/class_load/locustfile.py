"""A class of simulated students for Locust: ``locust -f benchmarks/class_load/locustfile.py``.

One Locust user is one student with one browser tab (``StreamlitSession``); each user class runs
one behaviour for the whole lesson, and the lesson's mix is their weights (``--mix``). Requests
go to Locust's request event, so its statistics, percentiles, CSV files and headless summary are
the usual ones; request types are ``page`` (a page opened), ``rerun`` (an interaction), ``tick``
(a fragment's timer), ``live`` (Build's live curves, a training's whole wait) and ``lost``
(a count: a full run whose ``script_finished`` never came before the next run started).

``--server-pids`` makes every request carry the server CPU spent while it ran (context
``cpu``), and ``--cpu-out`` writes those figures to a JSON file at the end: meaningful only when
one student runs at a time (the runner's dedicated phase, ``python -m benchmarks.class_load``).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import requests
from locust import User, events
from locust.env import Environment

from benchmarks.class_load import cpu
from benchmarks.class_load.behaviours import (
    Backprop,
    BuildTrain,
    DrawDigit,
    GradientDescent,
    Latecomer,
    Playground,
)
from benchmarks.class_load.protocol import Request, StreamlitSession

# The default lesson: everyone active, in these proportions.
DEFAULT_MIX = "descent=25,draw=20,build=15,playground=15,backprop=15,latecomer=10"


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    group = parser.add_argument_group("Sequential Playground class")
    group.add_argument(
        "--mix",
        default=DEFAULT_MIX,
        help="weights of the behaviours: descent, draw, build, playground, backprop, latecomer",
    )
    group.add_argument(
        "--think-scale",
        type=float,
        default=1.0,
        help="multiplies every pause a student makes (0.5: twice as busy)",
    )
    group.add_argument(
        "--interaction-timeout", type=float, default=60.0, help="s before an answer is missed"
    )
    group.add_argument(
        "--server-pids", default="", help="comma-separated pids whose CPU each request carries"
    )
    group.add_argument("--cpu-out", default="", help="JSON file for the requests' server CPU")


class Student(User):
    """One student, one tab at a time."""

    abstract = True
    mix_name = ""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        options = environment.parsed_options
        self.rng = random.Random()
        self.think_scale = float(getattr(options, "think_scale", 1.0))
        self.timeout = float(getattr(options, "interaction_timeout", 60.0))
        self.http = requests.Session()  # the browser's cookies: HAProxy's SERVERID
        self.cpu = _probe(environment)

    def tab(self, page: str) -> StreamlitSession:
        assert self.host is not None, "give the app's address with --host"
        return StreamlitSession(
            self.host, page, self.report, cpu=self.cpu, timeout=self.timeout, http=self.http
        )

    def report(self, request: Request) -> None:
        self.environment.events.request.fire(
            request_type=request.request_type,
            name=request.name,
            response_time=request.response_time,
            response_length=request.response_length,
            exception=request.exception,
            context={"cpu": request.cpu},
        )


class DescentStudent(Student):
    mix_name = "descent"
    tasks = [GradientDescent]


class DrawStudent(Student):
    mix_name = "draw"
    tasks = [DrawDigit]


class BuildStudent(Student):
    mix_name = "build"
    tasks = [BuildTrain]


class PlaygroundStudent(Student):
    mix_name = "playground"
    tasks = [Playground]


class BackpropStudent(Student):
    mix_name = "backprop"
    tasks = [Backprop]


class LatecomerStudent(Student):
    mix_name = "latecomer"
    tasks = [Latecomer]


STUDENTS: tuple[type[Student], ...] = (
    DescentStudent,
    DrawStudent,
    BuildStudent,
    PlaygroundStudent,
    BackpropStudent,
    LatecomerStudent,
)


def parse_mix(text: str) -> dict[str, float]:
    """``"descent=3,draw=2"`` -> weights; a behaviour left out gets none."""
    known = {s.mix_name for s in STUDENTS}
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, weight = part.partition("=")
        if name not in known:
            raise ValueError(f"--mix: {name!r} is not one of {', '.join(sorted(known))}")
        weights[name] = float(weight or 1)
    return weights


_probes: dict[int, Any] = {}


def _probe(environment: Environment) -> Any:
    text = getattr(environment.parsed_options, "server_pids", "")
    if not text:
        return None
    key = id(environment)
    if key not in _probes:
        _probes[key] = cpu.probe(int(pid) for pid in text.split(","))
    return _probes[key]


@events.init.add_listener
def _apply_mix(environment: Environment, **_: Any) -> None:
    options = environment.parsed_options
    if options is None:
        return
    weights = parse_mix(getattr(options, "mix", DEFAULT_MIX))
    for student in STUDENTS:
        # Weights are whole numbers in Locust's dispatcher: percentages keep the proportions.
        student.weight = round(100 * weights.get(student.mix_name, 0))
    chosen = [u for u in environment.user_classes if getattr(u, "weight", 0) > 0]
    if chosen:
        environment.user_classes[:] = chosen
    if getattr(options, "cpu_out", ""):
        _collect_cpu(environment, Path(options.cpu_out))


def _collect_cpu(environment: Environment, path: Path) -> None:
    samples: list[dict[str, Any]] = []

    def on_request(
        request_type: str,
        name: str,
        response_time: float,
        exception: Exception | None = None,
        context: dict[str, Any] | None = None,
        **_: Any,
    ) -> None:
        spent = (context or {}).get("cpu")
        if spent is not None:
            samples.append(
                {
                    "type": request_type,
                    "name": name,
                    "cpu": spent,
                    "ms": response_time,
                    "failed": exception is not None,
                }
            )

    def on_stop(**_: Any) -> None:
        path.write_text(json.dumps(samples))

    environment.events.request.add_listener(on_request)
    environment.events.test_stop.add_listener(on_stop)
