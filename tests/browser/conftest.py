"""Browser tests: the real app served by `streamlit run`, driven in Debian's Chromium."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from appdriver import CHROMIUM, CHROMIUM_FLAGS, running_app


@pytest.fixture(scope="session")
def app_server() -> Iterator[tuple[str, subprocess.Popen]]:
    """One app server shared by the browser tests: (base URL, the server process)."""
    with running_app() as served:
        yield served


@pytest.fixture(scope="session")
def app_url(app_server: tuple[str, subprocess.Popen]) -> str:
    return app_server[0]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}
