"""Build & Train in a real browser: train live, stop early, and every page opens cleanly."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from appdriver import (
    PREDICTION,
    assert_no_exception,
    draw_vertical_stroke,
    metric,
    metric_value,
    open_page,
    running_app,
    wait_idle,
)
from nncore.playground.settings import ALL_SETTINGS as PLAYGROUND_SETTINGS
from nncore.settings import defaults
from pages._ui.site import SITE
from tests.helpers import wait_until

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/" + site.url_path for site in SITE])
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
    curves = page.locator(".st-key-livechart_curves .js-plotly-plot").filter(has_text="Accuracy")
    expect(curves).to_have_count(1)
    # Three epochs drawn for train and test, in both panels.
    points = curves.evaluate("gd => gd.data.map(trace => trace.x.length)")
    assert points == [3, 3, 3, 3]
    value = metric_value(page, "Test accuracy").inner_text()
    assert value.endswith("%") and float(value[:-1]) > 30
    assert_no_exception(page)


@dataclass(frozen=True)
class Trained:
    """A finished training on /build, kept for its link."""

    link: str  # the page's address, with the kept run's id
    run_id: str
    accuracy: str  # the test accuracy the page shows


def run_id_in(url: str) -> str:
    found = re.search(r"[?&]run=([A-Za-z0-9_-]+)", url)
    assert found is not None, url
    return found.group(1)


def train_small(page: Page, app_url: str) -> Trained:
    """Train a small network on /build in ``page`` and wait until its run is kept."""
    open_page(page, app_url + "/build?epochs=2&rows=500")
    page.locator(".st-key-train button").click()
    expect(metric(page, "Test accuracy")).to_be_visible(timeout=120_000)
    expect(page).to_have_url(re.compile(r"[?&]run=[A-Za-z0-9_-]{16,}"), timeout=30_000)
    wait_idle(page)
    return Trained(page.url, run_id_in(page.url), metric_value(page, "Test accuracy").inner_text())


@pytest.fixture(scope="module")
def trained(browser: Browser, app_url: str) -> Iterator[Trained]:
    """One small training shared by the tests that only open its link (each training costs the
    machine seconds of CPU). Its visitor stays connected, and idle, until the module ends: no
    test gets its page, so none can change what the others find."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield train_small(context.new_page(), app_url)
    context.close()


def test_the_web_server_never_loads_tensorflow(page: Page, app_server, trained: Trained):
    """After a training on /build and a drawing on /draw, TensorFlow lives only in workers."""
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


def epoch_shown(page: Page) -> int:
    """The epoch the progress line shows (0 while there is none)."""
    progress = page.get_by_text(re.compile(r"^Epoch \d+/\d+"))
    if not progress.count():
        return 0
    text = progress.first.inner_text()
    shown = re.match(r"Epoch (\d+)", text)
    assert shown is not None, text
    return int(shown.group(1))


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
    wait_until(lambda: epoch_shown(page) > paused_at, 120, "an epoch after the resume", 0.2)
    page.locator(".st-key-stop button").click()
    stopped = page.get_by_text(re.compile(r"Stopped after \d+ of 300"))
    expect(stopped).to_be_visible(timeout=60_000)
    # The test accuracy comes with the worker's last message: no epoch can arrive after it.
    expect(metric(page, "Test accuracy")).to_be_visible(timeout=60_000)
    wait_idle(page)
    said = re.search(r"after (\d+)", stopped.inner_text())
    assert said is not None
    epochs = int(said.group(1))
    curves = page.locator(".st-key-livechart_curves .js-plotly-plot").filter(has_text="Accuracy")
    assert curves.evaluate("gd => gd.data.map(trace => trace.x.length)") == [epochs] * 4
    expect(page.get_by_text(f"Epoch {epochs}/300")).to_be_visible()
    expect(page.locator(".st-key-stop button")).to_have_count(0)
    assert_no_exception(page)


def test_a_shared_link_is_the_first_visit_to_a_fresh_server(page: Page):
    """The first request a new server gets may be a teacher's link straight to a page."""
    with running_app() as (url, _):
        open_page(page, f"{url}/build?epochs=7&batch=64")
        nav = page.locator('[data-testid="stSidebarNav"]')
        expect(nav).to_contain_text("Build & Train")
        expect(nav).not_to_contain_text("widgets")
        expect(page.locator(".st-key-build-epochs")).to_contain_text("7", timeout=30_000)
        expect(page.locator(".st-key-build-batch")).to_contain_text("64")
        page.locator('.st-key-build-epochs input[type="range"]').press("ArrowRight")
        expect(page).to_have_url(re.compile(r"epochs=8"), timeout=30_000)  # the link follows
        assert_no_exception(page)


def test_a_finished_training_opens_from_its_link_in_a_fresh_browser(
    page: Page, app_url: str, trained: Trained
):
    """F5, a new tab or the teacher's browser: the link's run id opens the same trained model."""
    open_page(page, trained.link)  # a browser context of its own: another visitor
    shown = metric_value(page, "Test accuracy")
    expect(shown).to_have_text(trained.accuracy, timeout=30_000)
    open_page(page, f"{app_url}/draw?net=build&run={trained.run_id}")
    expect(page.get_by_text("Answering: your Build & Train network")).to_be_visible()
    open_page(page, f"{app_url}/build?run=NotARealRunIdAtAll123")
    expect(page.get_by_text("no longer kept")).to_be_visible()
    assert_no_exception(page)


def test_training_again_replaces_the_kept_run_in_the_link(page: Page, app_url: str):
    first = train_small(page, app_url)
    page.locator(".st-key-train button").click()
    expect(page).not_to_have_url(re.compile(rf"run={first.run_id}"), timeout=120_000)
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
    # Its own defaults, none of Build's: on its controls, then in its address.
    own = defaults(PLAYGROUND_SETTINGS)
    for key in ("batch", "seed"):
        expect(page.locator(f'.st-key-playground-{key} input[type="range"]')).to_have_value(
            str(own[key])
        )
    expect(page).to_have_url(re.compile(r"/playground$"))
    assert_no_exception(page)
    page.get_by_role("link", name="Build & Train").first.click()
    expect(page).to_have_url(re.compile(r"/build\?"), timeout=30_000)
    wait_idle(page)
    query = dict(part.split("=") for part in page.url.split("?", 1)[1].split("&"))
    assert query == dict(part.split("=") for part in build.split("&"))
    assert_no_exception(page)
