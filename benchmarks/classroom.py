"""A classroom on one server: do students drawing or exploring gradient descent stay responsive
while others train?

The app is served once; one headless Chromium holds N = 10 sessions (browser contexts):
3 train the notebook network (pressing Train again whenever a training ends), 4 use
/descent (each interaction: one step of the "steps" slider with the keyboard) and 3 use /draw
(each interaction: one more stroke on the canvas, read and answered). A latency is the
time from the interaction to the end of the rerun it caused, read in the page from the app's
`data-test-script-state` attribute (`running`, then `notRunning`). The same 7 users are then
measured again with nobody training, in the same run, as the baseline.
Run: .venv/bin/python benchmarks/classroom.py [rounds_per_user]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from appdriver import CHROMIUM, CHROMIUM_FLAGS, running_app  # noqa: E402

TRAINERS, DESCENT_USERS, DRAW_USERS = 3, 4, 3

WATCH_SCRIPT_STATE = """() => {
  window.__running = []; window.__idle = [];
  const app = document.querySelector('[data-testid="stApp"]');
  // Both changes of a quick rerun can arrive in one batch: read each record's old value.
  new MutationObserver(records => {
    const now = performance.now();
    for (const record of records)
      (record.oldValue === 'running' ? window.__idle : window.__running).push(now);
  }).observe(app, {attributes: true, attributeOldValue: true,
                   attributeFilter: ['data-test-script-state']});
}"""
RERUN_DONE = """t0 => {
  const start = window.__running.find(t => t > t0);
  return start !== undefined && window.__idle.some(t => t >= start);
}"""
RERUN_SECONDS = """t0 => {
  const start = window.__running.find(t => t > t0);
  return (window.__idle.find(t => t >= start) - t0) / 1000;
}"""


async def open_app(browser: Browser, url: str) -> Page:
    page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
    await page.goto(url)
    await wait_idle(page)
    await page.evaluate(WATCH_SCRIPT_STATE)
    return page


async def wait_idle(page: Page) -> None:
    """Connected, and no script run in progress (a click now starts a run of its own)."""
    app = page.locator(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]'
    )
    await app.wait_for(timeout=120_000)


async def timed(page: Page, action) -> float | None:
    """Seconds from doing ``action`` to the end of the rerun it caused (None: it caused none
    within 60 s, which the summary counts as a lost interaction)."""
    await wait_idle(page)
    t0 = await page.evaluate("performance.now()")
    await action()
    # Polled from here: the timestamps are taken in the page, so polling adds no error.
    deadline = time.monotonic() + 60
    while not await page.evaluate(RERUN_DONE, t0):
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(0.05)
    return await page.evaluate(RERUN_SECONDS, t0)


async def descent_user(browser: Browser, base: str, rounds: int) -> list[float]:
    page = await open_app(browser, f"{base}/descent")
    slider = page.locator('.st-key-steps input[type="range"]')
    await slider.wait_for(state="attached", timeout=120_000)
    latencies = []
    for _ in range(rounds):
        latencies.append(await timed(page, lambda: slider.press("ArrowRight")))
        await asyncio.sleep(0.3)
    await page.context.close()
    return latencies


async def draw_user(browser: Browser, base: str, rounds: int) -> list[float]:
    page = await open_app(browser, f"{base}/draw")
    surface = page.locator(".st-key-digit_canvas canvas").last
    await surface.wait_for(timeout=60_000)
    box = await surface.bounding_box()
    latencies = []

    async def stroke(index: int) -> None:
        x = box["x"] + box["width"] * (0.3 + 0.4 * (index % 5) / 4)  # each stroke adds new ink
        await page.mouse.move(x, box["y"] + box["height"] * 0.2)
        await page.mouse.down()
        await page.mouse.move(x, box["y"] + box["height"] * 0.8, steps=10)
        await page.mouse.up()

    for index in range(rounds):
        latencies.append(await timed(page, lambda i=index: stroke(i)))
        await asyncio.sleep(0.3)
    await page.context.close()
    return latencies


async def trainer(browser: Browser, base: str, stop: asyncio.Event, done: list[int]) -> None:
    page = await open_app(browser, f"{base}/build")
    train = page.locator(".st-key-train button")
    while not stop.is_set():
        # One click, one rerun: the page trains all 100 epochs inside the run it starts.
        done.append(await timed(page, train.click))
    await page.context.close()


def summary(name: str, results: list[float | None]) -> None:
    ordered = sorted(x for x in results if x is not None)
    if len(ordered) < len(results):
        print(f"{name}_lost: {len(results) - len(ordered)} interactions caused no rerun in 60 s")
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"{name}_p50: {1000 * statistics.median(ordered):.0f} ms")
    print(f"{name}_p95: {1000 * p95:.0f} ms  ({len(ordered)} interactions)")


async def phase(browser: Browser, base: str, rounds: int, training: bool) -> dict[str, list[float]]:
    stop, done = asyncio.Event(), []
    trainers = []
    if training:
        trainers = [
            asyncio.create_task(trainer(browser, base, stop, done)) for _ in range(TRAINERS)
        ]
        await asyncio.sleep(8)  # let the trainings start (TensorFlow loads on the first)
    started = time.perf_counter()
    results = await asyncio.gather(
        *[descent_user(browser, base, rounds) for _ in range(DESCENT_USERS)],
        *[draw_user(browser, base, rounds) for _ in range(DRAW_USERS)],
    )
    stop.set()
    await asyncio.gather(*trainers)
    if training:
        seconds = time.perf_counter() - started
        print(f"trainings_completed_while_measuring: {len(done)} in {seconds:.0f} s")
    return {
        "descent": [x for r in results[:DESCENT_USERS] for x in r],
        "draw": [x for r in results[DESCENT_USERS:] for x in r],
    }


async def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    with running_app() as (base, _):
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_FLAGS
            )
            # Warm-up: load TensorFlow and the digit model once, as a class would by its start.
            warm = await open_app(browser, f"{base}/draw")
            await warm.context.close()
            quiet = await phase(browser, base, rounds, training=False)
            busy = await phase(browser, base, rounds, training=True)
            await browser.close()
    for page in ("descent", "draw"):
        summary(f"{page}_nobody_training", quiet[page])
        summary(f"{page}_3_training", busy[page])
        ratio = statistics.median(x for x in busy[page] if x is not None) / statistics.median(
            x for x in quiet[page] if x is not None
        )
        print(f"{page}_p50_ratio_training/quiet: {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
