"""/playground in Chromium: the stop rule, the measures beside the losses, Your runs (a run
listed when the network stops, two runs overlaid, a run's settings reopened), and a student's
own points named as theirs with the click's class beside the plane."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from appdriver import assert_no_exception, metric_value, open_page, wait_idle
from tests.helpers import wait_until

pytestmark = pytest.mark.browser
POLL = 0.2
# The overlay of Your runs: per run in the legend, its name and the last epoch of its curve.
OVERLAID = """() => { const gd = [...document.querySelectorAll('.js-plotly-plot')].find(
        g => g._fullLayout && g._fullLayout.title
          && (g._fullLayout.title.text || '').includes('Solid: test'));
    if (!gd) return [];
    return gd._fullData.filter(t => t.showlegend && t.xaxis === 'x')
        .map(t => [t.name, Math.max(...Array.from(t.x))]); }"""


def epoch(page: Page) -> int:
    text = page.locator(".st-key-pg_epoch").inner_text()
    shown = re.search(r"Epoch ([\d,]+)", text)
    assert shown is not None, text
    return int(shown.group(1).replace(",", ""))


def play_until_the_rule_stops(page: Page, at: int) -> None:
    page.locator(".st-key-pg_play button").click()
    # The first epoch may wait for a worker to import TensorFlow.
    expect(page.get_by_text(f"Stopped at epoch {at}")).to_be_visible(timeout=240_000)
    expect(page.locator(".st-key-pg_play button")).to_be_visible(timeout=30_000)
    wait_idle(page)
    assert epoch(page) == at


def test_the_stop_rule_stops_at_its_epoch_and_your_runs_compares_and_reopens(page: Page, app_url):
    open_page(page, f"{app_url}/playground?points=100&stop=epochs&stop_epochs=4")
    play_until_the_rule_stops(page, 4)
    # The measures beside the losses: accuracies and the test points' confusion matrix.
    expect(metric_value(page, "Test accuracy")).to_have_text(re.compile(r"^\d+\.\d%$"))
    expect(page.locator(".st-key-pg_confusion table")).to_be_visible()
    wait_until(lambda: page.evaluate(OVERLAID) == [["Run 1", 4]], 30, "Run 1 overlaid", POLL)
    # A bigger network is a new run; the rule stops it at epoch 4 too.
    page.locator(
        ".st-key-pg_layers_plus button:visible"
    ).first.click()  # a button with help is drawn twice
    expect(page).to_have_url(re.compile(r"layers=3"), timeout=30_000)
    wait_idle(page)
    assert epoch(page) == 0
    play_until_the_rule_stops(page, 4)
    wait_until(lambda: len(page.evaluate(OVERLAID)) == 2, 30, "two runs overlaid", POLL)
    first, second = page.evaluate(OVERLAID)
    assert first == ["Run 1", 4] and second[1] == 4
    # The legend names what changed (a new layer brings its own neurons too).
    assert second[0].startswith("Run 2 (Hidden layers 2 → 3")
    # Reopening the first run puts its two layers back (and the link with them).
    wait_idle(page)  # a rerun would close the list as it opens
    picker = page.locator(".st-key-pg_runs_picked")
    picker.scroll_into_view_if_needed()
    picker.click()
    page.get_by_role("option", name="Run 1", exact=True).click()
    wait_idle(page)
    page.locator(".st-key-pg_runs_open button:visible").first.click()
    expect(page).not_to_have_url(re.compile(r"layers=3"), timeout=30_000)
    expect(page.get_by_text("2 hidden layers", exact=True)).to_be_visible()
    assert_no_exception(page)


def test_a_bad_stop_link_is_named_and_a_regression_shows_r2_and_rmse(page: Page, app_url):
    open_page(page, f"{app_url}/playground?data=plane&points=100&stop=loss&stop_loss=lots")
    expect(page.get_by_text("Ignored stop_loss='lots' is not a number")).to_be_visible()
    page.locator(".st-key-pg_step button:visible").first.click()
    expect(metric_value(page, "Test R²")).to_have_text(
        re.compile(r"^-?\d+\.\d{3}$"), timeout=240_000
    )
    expect(metric_value(page, "Test RMSE")).to_have_text(re.compile(r"^\d+\.\d{3}$"))
    expect(page.locator(".st-key-pg_confusion")).to_have_count(0)
    assert_no_exception(page)


def test_uploaded_points_are_named_yours_and_the_click_class_is_beside_the_plane(
    page: Page, app_url, tmp_path
):
    open_page(page, f"{app_url}/playground")
    # Which class a click adds is shown by the plane, not in a closed section.
    choice = page.locator(".st-key-pg_new_class")
    expect(choice).to_be_visible()
    expect(choice).to_contain_text("class 0 (blue)")
    plane = page.locator(".st-key-pg_plane_0")
    expect(plane).to_be_visible(timeout=30_000)
    chosen, drawn = choice.bounding_box(), plane.bounding_box()
    assert chosen and drawn and abs(chosen["x"] - drawn["x"]) < 40 and chosen["y"] < drawn["y"]
    rows = "\n".join(f"{x / 10:.1f},{(x % 7) - 3:.1f},{x % 2}" for x in range(-30, 30))
    upload = tmp_path / "mine.csv"
    upload.write_text("x1,x2,label\n" + rows + "\n")
    page.locator('[data-testid="stExpander"] summary').filter(has_text="Your own points").click()
    page.locator(".st-key-pg_upload input[type=file]").set_input_files(upload)
    expect(page.locator(".st-key-pg_own_points")).to_have_text("Your points (60)", timeout=30_000)
    assert_no_exception(page)
