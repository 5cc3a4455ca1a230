"""Build & Train in Chromium after a training: a click on a confusion-matrix cell opens its test
digits, a click on a digit opens its answer into softmax, "Draw it" takes it to Draw a Digit;
the link to Draw a Digit; an empty CSV said next to the uploader."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from appdriver import PREDICTION, assert_no_exception, open_page, wait_idle
from nncore.data.mnist import prepare_split
from nncore.network.settings import spec_from_values
from nncore.training.evaluation import evaluate
from nncore.training.run import EpochRecord, TrainingRun
from nncore.training.store import keep, store_directory
from nncore.workers.messages import new_key

pytestmark = pytest.mark.browser


SPEC_LINK = "layers=1&l1_units=16&l1_act=tanh&rows=500&epochs=2"


@pytest.fixture(scope="module")
def kept_link(app_url: str) -> str:
    """The link of a finished training, kept where the app server keeps its runs: answers
    right for three test digits in four, random weights (the app's worker answers with them).
    Written rather than trained, so the tests do not wait for a trainer."""
    spec = spec_from_values(
        {"layers": 1, "l1_units": 16, "l1_act": "tanh", "rows": 500, "epochs": 2}
    )
    rng = np.random.default_rng(0)
    split = prepare_split(spec)
    rows = np.arange(len(split.labels_test))
    answered = np.where(rows % 4 == 0, (split.labels_test + 1) % 10, split.labels_test)
    probabilities = np.full((len(rows), 10), 0.02, dtype=np.float32)
    probabilities[rows, answered] = np.linspace(0.5, 0.82, len(rows))
    run = TrainingRun(spec, run_id=new_key(), state="running", wall_seconds=0.5)
    run.test = evaluate(probabilities, split)
    run.history = [EpochRecord(e, 2.0 / e, 0.5, 2.1 / e, 0.75, 0.001, 0.2) for e in (1, 2)]
    shapes = [(784, 16), (16,), (16, 10), (10,)]
    run.weights = [rng.normal(0, 0.1, size=s).astype(np.float32) for s in shapes]
    run.settle("done")
    keep(run, store_directory())  # the server's store: it runs with this process's environment
    return f"{app_url}/build?{SPEC_LINK}&run={run.run_id}"


def click_point(page: Page, key: str, index: int) -> None:
    """Click point ``index`` of the chart ``key``'s clickable markers (its second trace), where
    plotly drew it (the caller waits for what the click shows)."""
    chart = page.locator(f".st-key-{key} .js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    x, y = chart.evaluate(
        """(gd, i) => {
            const layout = gd._fullLayout, point = gd.calcdata[1][i];
            const box = gd.getBoundingClientRect();
            return [box.left + layout._size.l + layout.xaxis.c2p(point.x),
                    box.top + layout._size.t + layout.yaxis.c2p(point.y)];
        }""",
        index,
    )
    page.mouse.click(x, y)


def fullest_diagonal_cell(page: Page) -> int:
    """The digit answered right most often (its cell surely holds digits)."""
    counts = page.locator(".st-key-confusion .js-plotly-plot").evaluate(
        "gd => Array.from(gd.calcdata[0][0].z, (row, i) => row[i])"
    )
    return max(range(len(counts)), key=counts.__getitem__)


def opened_line(page: Page) -> str:
    return page.get_by_text(re.compile(r"^Opened: test digit")).inner_text()


def test_a_cell_opens_its_digits_one_opens_its_softmax_and_draw_it_takes_it_to_draw(
    page: Page, kept_link: str
):
    """Under a teacher's lock: opening changes no setup, so it all still works."""
    open_page(page, kept_link + "&lock=1")
    expect(page.get_by_text("Click a cell to see its test digits")).to_be_visible()
    digit = fullest_diagonal_cell(page)
    click_point(page, "confusion", digit * 10 + digit)  # row-major: true row, answered column
    heading = page.get_by_text(re.compile(rf"^True {digit}, answered {digit} \(right\)"))
    expect(heading).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Sum of the exponentials")).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stTable"]')).to_have_count(1)
    first = opened_line(page)
    tiles = page.locator(".st-key-cell_digits .js-plotly-plot").evaluate(
        "gd => gd.data[1].x.length"
    )
    if tiles > 1:  # a second digit, as a student clicks it
        click_point(page, "cell_digits", 1)
        opened = page.get_by_text(re.compile(r"^Opened: test digit"))
        expect(opened).not_to_have_text(first, timeout=60_000)
        wait_idle(page)
    said = re.search(r"test digit (\d+)", opened_line(page))
    assert said is not None
    page.locator(".st-key-cell_to_draw button").click()
    expect(page).to_have_url(re.compile(r"/draw\?net=build"), timeout=60_000)
    wait_idle(page)
    expect(page.get_by_text(f"Test digit {said.group(1)} from Build & Train")).to_be_visible()
    expect(page.locator(PREDICTION)).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Answering: your Build & Train network")).to_be_visible()
    assert_no_exception(page)


def test_try_it_on_draw_a_digit_is_a_link_that_brings_this_network(page: Page, kept_link: str):
    open_page(page, kept_link)
    page.get_by_role("link", name="Try it on Draw a Digit").click()
    expect(page).to_have_url(re.compile(r"/draw\?net=build"), timeout=60_000)
    wait_idle(page)
    expect(page.get_by_text("Answering: your Build & Train network")).to_be_visible()
    assert_no_exception(page)


def test_an_empty_csv_is_said_next_to_the_uploader_and_train_waits_for_a_file(
    page: Page, app_url: str, tmp_path: Path
):
    page.set_viewport_size({"width": 1280, "height": 800})
    open_page(page, f"{app_url}/build")
    page.get_by_text("Your own CSV file").click()
    wait_idle(page)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    page.locator('.st-key-csv_upload input[type="file"]').set_input_files(str(empty))
    problem = page.locator('[data-testid="stAlertContentError"]').filter(has_text="empty.csv")
    expect(problem).to_be_visible(timeout=60_000)
    wait_idle(page)
    # Where the eye is: right under the uploader, above its help text, on the first screen.
    uploader = page.locator(".st-key-csv_upload").bounding_box()
    sentence = problem.bounding_box()
    help_text = page.get_by_text(re.compile(r"^Digits: ")).bounding_box()
    assert uploader and sentence and help_text
    assert uploader["y"] < sentence["y"] < help_text["y"]
    assert sentence["y"] - (uploader["y"] + uploader["height"]) < 60
    expect(page.locator(".st-key-train button")).to_be_disabled()
    expect(page.get_by_text("no file of yours has been read")).to_be_visible()
    assert_no_exception(page)
