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
from appdriver import CHROMIUM, CHROMIUM_FLAGS, running_app, wait_idle  # noqa: E402


def time_to_ready(paths: list[str], script: Path | None = None) -> dict[str, float]:
    """Seconds from starting the server to each path being ready (each in a fresh server)."""
    times = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for path in paths:
            started = time.perf_counter()
            with running_app(script) as (url, _):
                page = browser.new_page()
                page.goto(url + path)
                wait_idle(page)
                page.locator("h1").first.wait_for()
                times[path] = time.perf_counter() - started
                page.close()
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
