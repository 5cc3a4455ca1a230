"""Build & Train in a real browser: train live, stop early, and every page opens cleanly."""

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from appdriver import assert_no_exception, open_page, wait_idle

pytestmark = pytest.mark.browser


def metric(page: Page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label)


@pytest.mark.parametrize("path", ["/", "/build", "/descent", "/draw"])
def test_every_page_opens_without_an_exception(page: Page, app_url: str, path: str):
    open_page(page, app_url + path)
    expect(page.locator("h1").first).to_be_visible()
    # Even on the teacher's own machine (localhost): no Deploy button on the projector.
    expect(page.locator('[data-testid="stToolbar"]')).not_to_contain_text("Deploy")
    assert_no_exception(page)


def test_train_three_epochs_shows_curves_and_test_accuracy(page: Page, app_url: str):
    open_page(page, app_url + "/build?epochs=3")
    page.locator(".st-key-train button").click()
    expect(metric(page, "Test accuracy")).to_be_visible(timeout=120_000)
    wait_idle(page)
    expect(page.get_by_text("Epoch 3/3")).to_be_visible()
    # The page drawn at the end is the finished one: no Pause or Stop, the controls free again.
    expect(page.locator(".st-key-stop")).to_have_count(0)
    expect(page.get_by_role("button", name="Small CNN")).to_be_enabled()
    curves = page.locator(".js-plotly-plot").filter(has_text="Accuracy")
    expect(curves).to_have_count(1)
    # Three epochs drawn for train and test, in both panels.
    points = curves.evaluate("gd => gd.data.map(trace => trace.x.length)")
    assert points == [3, 3, 3, 3]
    value = metric(page, "Test accuracy").locator('[data-testid="stMetricValue"]').inner_text()
    assert value.endswith("%") and float(value[:-1]) > 30
    assert_no_exception(page)


@dataclass
class Trained:
    """A finished training on /build whose page stays open."""

    page: Page
    link: str  # the page's address, with the kept run's id
    run_id: str
    accuracy: str  # the test accuracy the page shows


@pytest.fixture(scope="module")
def trained(browser: Browser, app_url: str) -> Iterator[Trained]:
    """One small training shared by the tests that need a finished one (each training costs
    the machine seconds of CPU); the last of them trains again on its page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    open_page(page, app_url + "/build?epochs=2&rows=500")
    page.locator(".st-key-train button").click()
    expect(metric(page, "Test accuracy")).to_be_visible(timeout=120_000)
    expect(page).to_have_url(re.compile(r"[?&]run=[A-Za-z0-9_-]{16,}"), timeout=30_000)
    wait_idle(page)
    accuracy = metric(page, "Test accuracy").locator('[data-testid="stMetricValue"]').inner_text()
    run_id = re.search(r"run=([A-Za-z0-9_-]+)", page.url).group(1)
    yield Trained(page, page.url, run_id, accuracy)
    context.close()


def test_the_web_server_never_loads_tensorflow(page: Page, app_server, trained: Trained):
    """After a training on /build and a drawing on /draw, TensorFlow lives only in workers."""
    from tests.browser.test_draw import PREDICTION, draw_vertical_stroke

    url, server = app_server
    open_page(page, f"{url}/draw?net=build&run={trained.run_id}")
    draw_vertical_stroke(page)
    expect(page.locator(PREDICTION)).to_be_visible(timeout=60_000)
    wait_idle(page)
    expect(page.get_by_text("Answering: your Build & Train network")).to_be_visible()
    maps = Path(f"/proc/{server.pid}/maps").read_text()
    assert "tensorflow" not in maps and "keras" not in maps
    workers = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _child_of(p, server.pid)]
    assert any("tensorflow" in (p / "maps").read_text() for p in workers)  # but they do


def _child_of(process: Path, parent: int) -> bool:
    try:
        return int((process / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent
    except (OSError, ValueError, IndexError):
        return False


def epoch_shown_after(page: Page, epoch: int, limit: float) -> int:
    """Wait until the progress line shows an epoch past ``epoch``; return the one shown."""
    progress = page.get_by_text(re.compile(r"^Epoch \d+/\d+"))
    deadline = time.monotonic() + limit
    shown = epoch
    while shown <= epoch and time.monotonic() < deadline:
        if progress.count():
            shown = int(re.match(r"Epoch (\d+)", progress.first.inner_text()).group(1))
        time.sleep(0.2)
    return shown


def test_pause_resume_and_stop_act_between_epochs_and_stop_keeps_the_model(
    page: Page, app_url: str
):
    """The epoch count itself is checked against the worker in tests/test_workers.py."""
    open_page(page, app_url + "/build?rows=2000&batch=1&epochs=300")
    page.locator(".st-key-train button").click()
    expect(page.get_by_text("Epoch 1/300")).to_be_visible(timeout=120_000)
    page.locator(".st-key-pause button").click()
    expect(page.get_by_text("Paused after epoch")).to_be_visible(timeout=60_000)
    wait_idle(page)
    expect(metric(page, "Test accuracy")).to_have_count(0)
    paused_at = int(page.get_by_text("Paused after epoch").inner_text().split()[3].rstrip("."))
    page.locator(".st-key-resume button").click()
    assert epoch_shown_after(page, paused_at, limit=120) > paused_at
    page.locator(".st-key-stop button").click()
    stopped = page.get_by_text(re.compile(r"Stopped after \d+ of 300"))
    expect(stopped).to_be_visible(timeout=60_000)
    wait_idle(page)
    epochs = int(re.search(r"after (\d+)", stopped.inner_text()).group(1))
    time.sleep(2)  # an epoch's time: nothing more may arrive
    curves = page.locator(".js-plotly-plot").filter(has_text="Accuracy")
    assert curves.evaluate("gd => gd.data.map(trace => trace.x.length)") == [epochs] * 4
    expect(page.get_by_text(f"Epoch {epochs}/300")).to_be_visible()
    expect(metric(page, "Test accuracy")).to_be_visible()
    expect(page.locator(".st-key-stop button")).to_have_count(0)
    assert_no_exception(page)


def test_a_shared_link_is_the_first_visit_to_a_fresh_server(page: Page):
    """The first request a new server gets may be a teacher's link straight to a page."""
    from appdriver import running_app

    with running_app() as (url, _):
        open_page(page, f"{url}/build?epochs=7&batch=64")
        nav = page.locator('[data-testid="stSidebarNav"]')
        expect(nav).to_contain_text("Build & Train")
        expect(nav).not_to_contain_text("widgets")
        expect(page.locator(".st-key-epochs")).to_contain_text("7", timeout=30_000)
        expect(page.locator(".st-key-batch")).to_contain_text("64")
        page.locator('.st-key-epochs input[type="range"]').press("ArrowRight")
        expect(page).to_have_url(re.compile(r"epochs=8"), timeout=30_000)  # the link follows
        assert_no_exception(page)


def test_a_finished_training_opens_from_its_link_in_a_fresh_browser(
    page: Page, app_url: str, trained: Trained
):
    """F5, a new tab or the teacher's browser: the link's run id opens the same trained model."""
    open_page(page, trained.link)  # a browser context of its own: another visitor
    shown = metric(page, "Test accuracy").locator('[data-testid="stMetricValue"]')
    expect(shown).to_have_text(trained.accuracy, timeout=30_000)
    open_page(page, f"{app_url}/draw?net=build&run={trained.run_id}")
    expect(page.get_by_text("Answering: your Build & Train network")).to_be_visible()
    open_page(page, f"{app_url}/build?run=NotARealRunIdAtAll123")
    expect(page.get_by_text("no longer kept")).to_be_visible()
    assert_no_exception(page)


def test_training_again_replaces_the_kept_run_in_the_link(trained: Trained):
    """Last of the tests sharing ``trained``: it trains again on that page."""
    page = trained.page
    page.locator(".st-key-train button").click()
    expect(page).not_to_have_url(re.compile(rf"run={trained.run_id}"), timeout=120_000)
    expect(page).to_have_url(re.compile(r"[?&]run="), timeout=120_000)
    wait_idle(page)
    expect(metric(page, "Test accuracy")).to_be_visible()
    assert_no_exception(page)


def test_step_one_batch_shows_every_layer_then_training_takes_over(page: Page, app_url: str):
    open_page(page, app_url + "/build?layers=2&l1_act=relu&epochs=2")
    step = page.get_by_role("button", name="Step one batch")
    for count in ("After 1 step of", "After 2 steps of"):
        step.click()
        expect(page.get_by_text(count)).to_be_visible(timeout=120_000)
        wait_idle(page)
    sizes = page.locator(".js-plotly-plot").filter(has_text="update ÷ weights")
    layers = sizes.evaluate("gd => gd.data.map(trace => trace.y)")
    assert layers == [["dense_1", "dense_2", "output"]] * 2  # gradient and update, per layer
    expect(page.get_by_text("Dead relu units (0 for every test digit): dense_1")).to_be_visible()
    page.locator(".st-key-train button").click()
    expect(metric(page, "Test accuracy")).to_be_visible(timeout=120_000)
    wait_idle(page)
    # Train starts from fresh weights: the panel now shows the training's measurement.
    expect(page.get_by_text("Measured during the training")).to_be_visible()
    expect(page.get_by_text("After 2 steps of")).to_have_count(0)
    assert_no_exception(page)


def test_moving_between_pages_keeps_each_pages_own_settings(page: Page, app_url: str):
    """Build and the 2D Playground both have lr, batch, opt, seed and layers, with other ranges:
    neither may take the other's values when the visitor moves between them."""
    build = "layers=3&opt=sgd&lr=0.01&batch=128&seed=7"
    open_page(page, f"{app_url}/build?{build}")
    page.get_by_role("link", name="2D Playground").first.click()
    expect(page.get_by_role("heading", name="2D Playground")).to_be_visible(timeout=30_000)
    wait_idle(page)
    time.sleep(1)  # the address is rewritten after the page's script has run
    assert page.url.endswith("/playground"), page.url  # its own defaults, none of Build's
    assert_no_exception(page)
    page.get_by_role("link", name="Build & Train").first.click()
    expect(page).to_have_url(re.compile(r"/build\?"), timeout=30_000)
    wait_idle(page)
    query = dict(part.split("=") for part in page.url.split("?", 1)[1].split("&"))
    assert query == dict(part.split("=") for part in build.split("&"))
    assert_no_exception(page)
