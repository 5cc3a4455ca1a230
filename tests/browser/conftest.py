"""Browser tests: the real app served by `streamlit run`, driven in Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from appdriver import CHROMIUM, CHROMIUM_FLAGS, running_app


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    with running_app() as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}
