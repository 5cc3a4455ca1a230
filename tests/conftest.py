"""Fixtures shared by the tests; plain helper functions are in ``tests/helpers.py``."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Finished trainings are kept on disk (for their links): here, in a folder of the test's,
    so no test finds another's runs."""
    folder = tmp_path / "runs"
    monkeypatch.setenv("PLAYGROUND_STORE", str(folder))
    return folder
