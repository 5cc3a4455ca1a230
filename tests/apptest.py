"""One page of the app in Streamlit's AppTest (no browser), opened the way a link opens it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60


def page_app(script: str) -> AppTest:
    """The whole app (``app.py`` and its navigation) switched to ``pages/<script>``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(f"pages/{script}")
    return at


def open_with(app: AppTest, **query: str) -> AppTest:
    """Run the page with these link parameters; a traceback on the page fails the test."""
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app
