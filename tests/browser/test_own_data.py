"""Your own data and models in Chromium: a CSV trained on Build & Train (and a bad one refused),
a .keras file answering drawings on Draw a Digit (and a damaged one refused)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from appdriver import (
    PREDICTION,
    assert_no_exception,
    draw_vertical_stroke,
    metric,
    open_page,
    wait_idle,
)

ROOT = Path(__file__).resolve().parents[2]
SMALL = "layers=1&l1_units=16&l1_act=relu&epochs=10&lr=0.01&batch=16"


def flowers(path: Path) -> Path:
    rng = np.random.default_rng(0)
    lines = ["length,width,species"]
    for name, centre in (("setosa", (1, 1)), ("versicolor", (4, 1)), ("virginica", (1, 4))):
        lines += [f"{a:.2f},{b:.2f},{name}" for a, b in rng.normal(centre, 0.4, size=(30, 2))]
    path.write_text("\n".join(lines) + "\n")
    return path


def upload(page: Page, key: str, path: Path, answer: str) -> None:
    """Upload ``path`` with the file control ``key`` and wait for the page's ``answer`` to it."""
    page.locator(f'.st-key-{key} input[type="file"]').set_input_files(str(path))
    expect(page.get_by_text(answer)).to_be_visible(timeout=120_000)
    wait_idle(page, 120_000)


@pytest.mark.browser
def test_a_csv_is_understood_trained_on_and_a_bad_one_changes_nothing(
    page: Page, app_url: str, tmp_path: Path
):
    open_page(page, f"{app_url}/build?{SMALL}")
    page.get_by_text("Your own CSV file").click()
    wait_idle(page)
    read = "Read as a table: 90 rows, 2 feature columns"
    upload(page, "csv_upload", flowers(tmp_path / "flowers.csv"), read)
    bad = tmp_path / "semicolons.csv"
    bad.write_text("a;b;label\n1;2;x\n")
    upload(page, "csv_upload", bad, "separates its values with semicolons")
    expect(page.get_by_text("Read as a table: 90 rows")).to_be_visible()  # still the last file
    page.locator(".st-key-train button").click()
    expect(metric(page, "Test accuracy")).to_be_visible(timeout=180_000)
    wait_idle(page, 120_000)
    confusion = page.locator(".js-plotly-plot", has_text="Confusion matrix")
    expect(confusion).to_contain_text("versicolor")
    assert_no_exception(page)


@pytest.mark.browser
def test_an_uploaded_keras_model_answers_drawings_and_a_damaged_one_is_refused(
    page: Page, app_server, tmp_path: Path
):
    app_url, server = app_server
    model = (ROOT / "assets" / "digit_cnn.keras").read_bytes()
    damaged = tmp_path / "half.keras"
    damaged.write_bytes(model[: len(model) // 2])
    mine = tmp_path / "mine.keras"
    mine.write_bytes(model)
    open_page(page, f"{app_url}/draw")
    page.get_by_text("Pen, network, your own model").click()
    wait_idle(page)
    upload(page, "draw_model_upload", damaged, "The file is damaged or cut short")
    upload(page, "draw_model_upload", mine, "Answering: your model mine.keras")
    draw_vertical_stroke(page)
    prediction = page.locator(PREDICTION)
    expect(prediction).to_be_visible(timeout=60_000)
    wait_idle(page)
    expect(prediction.locator('[data-testid="stMetricValue"]')).to_have_text("1")
    assert_no_exception(page)
    # The file was checked in the server and loaded in the inference worker: never Keras here.
    maps = Path(f"/proc/{server.pid}/maps").read_text()
    assert "tensorflow" not in maps and "keras" not in maps
