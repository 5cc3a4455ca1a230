"""Browser tests: the real app served by `streamlit run`, driven in Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_FLAGS, free_port, serve_app, wait_healthy


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    port = free_port()
    server = serve_app(port)
    try:
        wait_healthy(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}
