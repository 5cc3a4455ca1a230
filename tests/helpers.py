"""Plain helpers shared by the tests: a page opened in Streamlit's AppTest (no browser) the way
a link opens it, the text of its elements, and waiting for a condition instead of sleeping.

Fixtures are in ``tests/conftest.py``; what drives a real browser is in ``appdriver``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGE_TIMEOUT = 60  # seconds for one script run
WORKER_TIMEOUT = 240  # a run that waits for a fresh worker to import TensorFlow


def page_app(script: str, timeout: float = PAGE_TIMEOUT) -> AppTest:
    """The whole app (``app.py`` and its navigation) switched to ``pages/<script>``, not yet run:
    set its session state or link parameters, then ``open_with``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.switch_page(f"pages/{script}")
    return at


def open_with(app: AppTest, **query: str) -> AppTest:
    """Run the page with these link parameters; a traceback on the page fails the test."""
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def texts(elements: Iterable[Any]) -> list[str]:
    """The text of each element (``at.warning``, ``at.markdown``, ``at.info``…)."""
    return [element.value for element in elements]


def wait_until(
    condition: Callable[[], object],
    seconds: float = 120,
    what: str = "the condition",
    interval: float = 0.05,
) -> None:
    """Return as soon as ``condition()`` is true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {seconds} s waiting for {what}"
        time.sleep(interval)


def play_request(
    data: str, spec: Any, points: int = 500, noise: float = 0.0, seed: int = 0, mode: str = "play"
) -> Any:
    """A 2D Playground job's request as the page builds it: ``points`` generated points split
    in halves, their features, and the plane's grid."""
    from nncore.playground.datasets import generate, split
    from nncore.workers.messages import PlayRequest

    parts = split(generate(data, points, noise, seed=seed), 0.5, seed=seed)
    return PlayRequest.for_split(spec, parts, mode=mode)


def playground_run(
    run_id: str,
    name: str = "",
    previous: Any = None,
    data: str = "circle",
    lr: float = 0.03,
    layers: int = 2,
    accuracy: float = 0.85,
) -> Any:
    """A 2D Playground run of two epochs as Your runs lists it (R² for a regression dataset)."""
    from nncore.playground.datasets import DATASETS
    from nncore.playground.runs import playground_record, run_settings
    from nncore.playground.settings import ALL_SETTINGS, spec_from_values
    from nncore.settings import defaults

    values = {**defaults(ALL_SETTINGS), "data": data, "lr": lr, "layers": layers}
    spec = spec_from_values(values, DATASETS[data].classes)
    losses = [(1, 0.7, 0.8), (2, 0.4, 0.5)]
    scores = [(1, accuracy - 0.2, accuracy - 0.3), (2, accuracy + 0.05, accuracy)]
    settings = run_settings(values)
    return playground_record(run_id, name, settings, spec, losses, scores, 1.0, previous)
