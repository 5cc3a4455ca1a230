"""Time from `streamlit run` to each page being ready in Chromium (connected, script idle).

The home page must not wait for TensorFlow; the Build page loads it only when Train is pressed.
Baseline: a bare Streamlit script (one st.title) served and opened the same way, in the same run.
Run: .venv/bin/python benchmarks/startup.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser.helpers import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_FLAGS,
    free_port,
    serve_app,
    wait_healthy,
    wait_idle,
)


def time_to_ready(paths: list[str], script: Path | None = None) -> dict[str, float]:
    """Seconds from starting the server to each path being ready (each in a fresh server)."""
    times = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for path in paths:
            port = free_port()
            started = time.perf_counter()
            server = serve_app(port, script=script)
            try:
                wait_healthy(port)
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{port}{path}")
                wait_idle(page)
                page.locator("h1").first.wait_for()
                times[path] = time.perf_counter() - started
                page.close()
            finally:
                server.terminate()
                server.wait(timeout=20)
        browser.close()
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        bare = Path(folder) / "bare.py"
        bare.write_text("import streamlit as st\nst.title('bare')\n")
        baseline = time_to_ready(["/"], script=bare)["/"]
    print(f"bare_streamlit_ready: {baseline:.2f} s")
    for path, seconds in time_to_ready(["/", "/descent", "/build", "/draw"]).items():
        print(f"ready {path}: {seconds:.2f} s (ratio to bare streamlit {seconds / baseline:.2f})")


if __name__ == "__main__":
    main()
