"""Server memory across many trainings: no models or graphs may pile up.

The app is served; Chromium trains the notebook network (500 rows, 3 epochs) 15 times in one
session, then once in each of 15 new sessions (each closed afterwards). The server's resident
memory (VmRSS of the `streamlit run` process) is read after the first training (the baseline:
TensorFlow loaded, one model traced) and after each later one. Target: the last reading within
150 MB of the baseline.
Run: .venv/bin/python benchmarks/memory.py [trainings_per_phase]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from appdriver import CHROMIUM, CHROMIUM_FLAGS, running_app, wait_idle  # noqa: E402

SETUP = "/build?rows=500&epochs=3"


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def train_once(page: Page) -> None:
    page.locator(".st-key-train button").click()
    expect(page.get_by_text("Epoch 3/3")).to_be_visible(timeout=120_000)
    expect(page.locator('[data-testid="stMetric"]').filter(has_text="Test accuracy")).to_be_visible(
        timeout=120_000
    )
    wait_idle(page)


def main() -> None:
    per_phase = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with running_app() as (base, server):
        url = base + SETUP
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page()
            page.goto(url)
            wait_idle(page)
            train_once(page)
            baseline = resident_mb(server.pid)
            print(f"rss_after_first_training: {baseline:.0f} MB")
            for _ in range(per_phase - 1):
                train_once(page)
            one_session = resident_mb(server.pid)
            print(f"rss_after_{per_phase}_trainings_one_session: {one_session:.0f} MB "
                  f"(+{one_session - baseline:.0f} MB)")  # fmt: skip
            page.close()
            for _ in range(per_phase):
                context = browser.new_context()
                other = context.new_page()
                other.goto(url)
                wait_idle(other)
                train_once(other)
                context.close()
            across = resident_mb(server.pid)
            print(f"rss_after_{per_phase}_more_in_new_sessions: {across:.0f} MB "
                  f"(+{across - baseline:.0f} MB)")  # fmt: skip
            print(
                f"growth_over_{2 * per_phase}_trainings: {across - baseline:.0f} MB (limit 150 MB)"
            )
            browser.close()


if __name__ == "__main__":
    main()
