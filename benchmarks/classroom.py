"""A classroom on one server: do students drawing or exploring gradient descent stay responsive
while others train?

The app is served once; one headless Chromium holds N = 10 sessions (browser contexts):
3 train the notebook network (pressing Train again whenever a training ends), 4 use
/descent (each interaction: one step of the "steps" slider with the keyboard) and 3 use /draw
(each interaction: a stroke on the canvas, then "Reset canvas & history"). A latency is the
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
from tests.browser.helpers import CHROMIUM, CHROMIUM_FLAGS, free_port, serve_app, wait_healthy  # noqa: E402

TRAINERS, DESCENT_USERS, DRAW_USERS = 3, 4, 3

WATCH_SCRIPT_STATE = """() => {
  window.__running = []; window.__idle = [];
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => {
    const state = app.getAttribute('data-test-script-state');
    (state === 'running' ? window.__running : window.__idle).push(performance.now());
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
RERUN_DONE = """t0 => {
  const start = window.__running.find(t => t > t0);
  return start !== undefined && window.__idle.some(t => t > start);
}"""
RERUN_SECONDS = """t0 => {
  const start = window.__running.find(t => t > t0);
  return (window.__idle.find(t => t > start) - t0) / 1000;
}"""


async def open_app(browser: Browser, url: str) -> Page:
    page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
    await page.goto(url)
    app = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    await app.wait_for(timeout=120_000)
    await page.evaluate(WATCH_SCRIPT_STATE)
    return page


async def timed(page: Page, action) -> float:
    """Seconds from doing ``action`` to the end of the rerun it caused."""
    t0 = await page.evaluate("performance.now()")
    await action()
    await page.wait_for_function(RERUN_DONE, arg=t0, timeout=120_000)
    return await page.evaluate(RERUN_SECONDS, t0)


async def descent_user(browser: Browser, base: str, rounds: int) -> list[float]:
    page = await open_app(browser, f"{base}/descent")
    slider = page.locator('.st-key-steps [role="slider"]')
    latencies = []
    for index in range(rounds):
        key = "ArrowRight" if index % 2 == 0 else "ArrowLeft"
        latencies.append(await timed(page, lambda k=key: slider.press(k)))
        await asyncio.sleep(0.3)
    await page.context.close()
    return latencies


async def draw_user(browser: Browser, base: str, rounds: int) -> list[float]:
    page = await open_app(browser, f"{base}/draw")
    surface = page.locator(".st-key-digit_canvas canvas").last
    await surface.wait_for(timeout=60_000)
    box = await surface.bounding_box()
    clear = page.get_by_role("button", name="Reset canvas & history")
    latencies = []

    async def stroke() -> None:
        x = box["x"] + box["width"] / 2
        await page.mouse.move(x, box["y"] + box["height"] * 0.2)
        await page.mouse.down()
        await page.mouse.move(x, box["y"] + box["height"] * 0.8, steps=10)
        await page.mouse.up()

    for _ in range(rounds):
        latencies.append(await timed(page, stroke))
        await asyncio.sleep(0.3)
        latencies.append(await timed(page, clear.click))
        await asyncio.sleep(0.3)
    await page.context.close()
    return latencies


async def trainer(browser: Browser, base: str, stop: asyncio.Event, done: list[int]) -> None:
    page = await open_app(browser, f"{base}/build")
    train = page.locator(".st-key-train button")
    finished = page.locator('[data-testid="stMetric"]').filter(has_text="Test accuracy")
    while not stop.is_set():
        await train.click()
        await page.get_by_text("Epoch 1/100").wait_for(timeout=120_000)
        await finished.wait_for(timeout=300_000)
        done.append(1)
    await page.context.close()


def summary(name: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
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
    port = free_port()
    server = serve_app(port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(port)
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
            ratio = statistics.median(busy[page]) / statistics.median(quiet[page])
            print(f"{page}_p50_ratio_training/quiet: {ratio:.2f}")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    asyncio.run(main())
