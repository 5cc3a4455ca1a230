"""Your runs and the class board in Chromium: a student joins, trains twice, compares the runs
(overlay and scatter) and shares one; the board shows it live, on a projector (1920×1080,
presenter mode) and on a phone (390×844).

Screenshots go to BOARD_SCREENSHOTS (a folder) when it is set, for a person to look at.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from appdriver import (
    ROOT,
    assert_no_exception,
    free_port,
    open_page,
    serve_app,
    wait_healthy,
    wait_idle,
)
from nncore.board.store import BoardStore, NewBoard, database_path
from nncore.network.spec import DEFAULT_SPEC, LayerSpec
from nncore.training.compare import record_of
from nncore.training.run import EpochRecord, TrainingRun
from tests.helpers import wait_until

pytestmark = pytest.mark.browser

PROJECTOR: ViewportSize = {"width": 1920, "height": 1080}
PHONE: ViewportSize = {"width": 390, "height": 844}
# Every paragraph of the page is at least 22 px in presenter mode.
PRESENTER_TEXT = """() => {
  const texts = [...document.querySelectorAll('[data-testid="stMarkdownContainer"] p')];
  return texts.length > 0 && texts.every(p => parseFloat(getComputedStyle(p).fontSize) >= 22);
}"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An app server of this module's, with a store folder the test can read: (URL, store)."""
    store = tmp_path_factory.mktemp("board") / "store"
    port = free_port()
    server: subprocess.Popen = serve_app(port, {"PLAYGROUND_STORE": str(store)})
    try:
        wait_healthy(port)
        yield f"http://127.0.0.1:{port}", store
    finally:
        server.terminate()
        server.wait(timeout=20)


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("BOARD_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def class_runs(boards: BoardStore, board: NewBoard, count: int) -> None:
    """``count`` runs shared by made-up students, of different sizes and results."""
    for index in range(count):
        units = 8 * (index + 1)
        spec = replace(DEFAULT_SPEC, layers=(LayerSpec(units=units),), epochs=5)
        accuracy = 0.5 + 0.04 * index
        history = [
            EpochRecord(e, 1.5 / e, accuracy * e / 5, 1.6 / e, accuracy * e / 5 - 0.02, 0.001, 0.1)
            for e in range(1, 6)
        ]
        run = TrainingRun(spec, f"{index:016d}", history, state="done", wall_seconds=1.0)
        boards.share(board.board_id, board.join_token, f"student {index}", record_of(run, None))


def train_and_wait(page: Page, runs_before: int) -> None:
    page.locator(".st-key-train button").click()
    # The page lists the run once it has finished: the run selector then has one more option.
    expect(page.get_by_text("Your runs")).to_be_visible(timeout=180_000)
    expect(page.locator(".st-key-runs_picked")).to_be_visible(timeout=180_000)
    wait_idle(page, 180_000)
    expect(page.locator(".js-plotly-plot").filter(has_text="Solid: test")).to_be_visible()
    legend = page.locator(".js-plotly-plot").filter(has_text="Solid: test").locator(".legendtext")
    expect(legend).to_have_count(runs_before + 1, timeout=60_000)


def test_a_student_compares_runs_and_shares_one_to_the_board(browser: Browser, served):
    url, store = served
    boards = BoardStore(database_path(store))
    board = boards.create()
    student = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    open_page(student, f"{url}/board?board={board.board_id}&join={board.join_token}")
    expect(student.get_by_text("You joined the class board")).to_be_visible()
    student.get_by_role("link", name="Go to Build & Train").click()
    wait_idle(student)
    epochs = student.locator('.st-key-build-epochs input[type="range"]')
    epochs.press("Home")  # one epoch: quick
    expect(student).to_have_url(re.compile(r"epochs=1\b"), timeout=30_000)
    train_and_wait(student, 0)
    epochs.press("ArrowRight")
    expect(student).to_have_url(re.compile(r"epochs=2\b"), timeout=30_000)
    train_and_wait(student, 1)
    overlay = student.locator(".js-plotly-plot").filter(has_text="Solid: test")
    expect(overlay).to_contain_text("Epochs 1 → 2")
    scatter = student.locator(".js-plotly-plot").filter(has_text="test accuracy")
    expect(scatter.locator(".scatterlayer .point")).to_have_count(2)
    expect(scatter).to_contain_text("Parameters")
    overlay.scroll_into_view_if_needed()
    shot(student, "your-runs")
    student.locator(".st-key-board_nickname input").fill("Team Ada")
    student.locator(".st-key-board_nickname input").press("Enter")
    wait_idle(student)
    student.locator(".st-key-runs_share button").click()
    wait_idle(student)
    expect(student.get_by_text("Shared: it is on the class board now.")).to_be_visible()
    assert_no_exception(student)
    (entry,) = boards.entries(board.board_id)
    assert entry.nickname == "Team Ada" and entry.record.epochs_done == 2
    student.context.close()


def test_a_playground_run_is_shared_and_ranked_among_runs_of_its_dataset(browser: Browser, served):
    url, store = served
    boards = BoardStore(database_path(store))
    board = boards.create()
    class_runs(boards, board, 2)  # the digits, from Build & Train
    student = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    open_page(student, f"{url}/board?board={board.board_id}&join={board.join_token}")
    student.get_by_role("link", name="Go to the 2D Playground").click()
    wait_idle(student)
    student.locator(".st-key-pg_step button:visible").first.click()  # one epoch, then listed
    expect(student.locator(".st-key-pg_runs_picked")).to_be_visible(timeout=240_000)
    wait_idle(student)
    student.locator(".st-key-board_nickname input").fill("Circle fan")
    student.locator(".st-key-board_nickname input").press("Enter")
    wait_idle(student)
    student.locator(".st-key-pg_runs_share button:visible").first.click()
    expect(student.get_by_text("Shared: it is on the class board now.")).to_be_visible()
    assert_no_exception(student)
    student.context.close()
    teacher = browser.new_context(viewport=PROJECTOR).new_page()
    open_page(
        teacher,
        f"{url}/board?board={board.board_id}&teacher={board.teacher_token}"
        f"&join={board.join_token}&present=1",
    )
    # The digits (two runs) come first; the circle is ranked on its own.
    task = teacher.locator(".st-key-board_task")
    expect(task).to_contain_text("MNIST digits (2)")
    task.get_by_text("2D Circle (2 classes) (1)").click()
    scatter = teacher.locator(".js-plotly-plot").filter(has_text="test accuracy")
    expect(scatter.locator(".scatterlayer .point")).to_have_count(1, timeout=30_000)
    expect(scatter).to_contain_text("Circle fan")
    assert_no_exception(teacher)
    teacher.context.close()


def test_the_board_on_a_projector_and_on_a_phone(browser: Browser, served):
    url, store = served
    context = browser.new_context(viewport=PROJECTOR)
    creator = context.new_page()
    open_page(creator, f"{url}/board")
    creator.locator(".st-key-board_create button").click()
    expect(creator.locator('[data-testid="stCode"]')).to_have_count(2, timeout=30_000)
    links = creator.locator('[data-testid="stCode"]').all_inner_texts()
    join = next(link for link in links if "join=" in link and "teacher=" not in link).strip()
    projector = next(link for link in links if "teacher=" in link).strip()
    assert "present=1" in projector
    teacher = context.new_page()  # the projector's own tab
    open_page(teacher, projector)
    expect(teacher.get_by_text("Leaderboard · 0 runs")).to_be_visible()

    # Runs shared meanwhile appear on the board without a reload.
    board_id = re.search(r"board=([\w-]+)", join).group(1)  # type: ignore[union-attr]
    join_token = re.search(r"join=([\w-]+)", join).group(1)  # type: ignore[union-attr]
    boards = BoardStore(database_path(store))
    class_runs(boards, NewBoard(board_id, join_token, "", 0.0), 12)
    expect(teacher.get_by_text("Leaderboard · 12 runs")).to_be_visible(timeout=15_000)
    charts = teacher.locator(".js-plotly-plot")
    expect(charts.filter(has_text="Solid: test")).to_contain_text("student 11")
    expect(charts.filter(has_text="test accuracy").locator(".scatterlayer .point")).to_have_count(
        12
    )
    # Presenter mode: big type, nothing wider than the screen.
    teacher.wait_for_function(PRESENTER_TEXT, timeout=30_000)
    sizes = charts.first.evaluate(
        "gd => [...gd.querySelectorAll('text')].map(t => parseFloat(t.style.fontSize))"
        ".filter(Number.isFinite)"
    )
    assert sizes and min(sizes) >= 16
    assert teacher.evaluate("document.documentElement.scrollWidth") <= PROJECTOR["width"]
    shot(teacher, "board-projector")
    charts.filter(has_text="test accuracy").scroll_into_view_if_needed()
    shot(teacher, "board-projector-charts")
    assert_no_exception(teacher)

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    open_page(phone, join)
    expect(phone.get_by_text("Leaderboard · 12 runs")).to_be_visible()
    expect(phone.locator(".js-plotly-plot")).to_have_count(2, timeout=30_000)
    expect(phone.locator('[data-testid="stDataFrame"] canvas').first).to_be_visible()
    wait_idle(phone)
    expect(phone.locator(".st-key-board_clear")).to_have_count(0)
    expect(phone.locator('[data-testid="stCode"]')).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "board-phone")
    phone.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    shot(phone, "board-phone-charts")
    assert_no_exception(phone)

    # The teacher hides one; the phone's board drops it on its next poll.
    teacher.get_by_text("Teacher: hide runs, clear the board").click()
    teacher.locator(".st-key-board_hide button").click()
    expect(teacher.get_by_text("Leaderboard · 11 runs")).to_be_visible(timeout=15_000)
    expect(phone.get_by_text("Leaderboard · 11 runs")).to_be_visible(timeout=15_000)
    assert_no_exception(teacher)
    teacher.context.close()
    phone.context.close()


@contextmanager
def cluster(tmp: Path, replicas: int = 2) -> Iterator[str]:
    """`python -m deploy.cluster serve` (HAProxy and ``replicas`` app servers sharing one store)
    on loopback until its banner says it serves: its URL."""
    port = free_port()
    command = [sys.executable, "-m", "deploy.cluster", "serve", "--replicas", str(replicas)]
    command += ["--port", str(port), "--host", "127.0.0.1", "--store", str(tmp / "store")]
    launcher = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    output = launcher.stdout
    assert output is not None
    ready = threading.Event()

    def read() -> None:  # to the end: a full pipe would stop the launcher
        for line in output:
            if line.startswith("Ctrl-C stops everything"):
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        ready.wait(timeout=120)
        assert launcher.poll() is None
        yield f"http://127.0.0.1:{port}"
    finally:
        launcher.send_signal(signal.SIGINT)
        try:
            launcher.wait(timeout=30)
        except subprocess.TimeoutExpired:
            launcher.kill()


def replica_of(page: Page) -> str:
    served = page.locator('[data-testid="stSidebar"]').get_by_text(re.compile("^Served by replica"))
    expect(served).to_be_visible(timeout=30_000)
    return served.inner_text().split()[-1]


def test_shares_from_two_replicas_at_once_all_land(browser: Browser, tmp_path: Path):
    """Two students pinned to different app servers behind HAProxy share 20 runs each,
    alternately without waiting for the other: all 40 are on the one board."""
    with cluster(tmp_path) as url:
        boards = BoardStore(database_path(tmp_path / "store"))
        board = boards.create()
        students: dict[str, Page] = {}
        for _ in range(6):  # HAProxy spreads new browsers over the replicas
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            open_page(page, f"{url}/board?board={board.board_id}&join={board.join_token}", 90_000)
            students.setdefault(replica_of(page), page)
            if len(students) == 2:
                break
        assert len(students) == 2, list(students)
        for name, page in students.items():
            page.get_by_role("link", name="Go to Build & Train").click()
            wait_idle(page)
            page.locator('.st-key-build-epochs input[type="range"]').press("Home")
            expect(page).to_have_url(re.compile(r"epochs=1\b"), timeout=30_000)
            train_and_wait(page, 0)
            page.locator(".st-key-board_nickname input").fill(f"on {name}")
            page.locator(".st-key-board_nickname input").press("Enter")
            wait_idle(page)
        pages = list(students.values())
        for round_ in range(1, 21):
            for page in pages:  # both replicas write at the same moment
                page.locator(".st-key-runs_share button").click()
            # Both shares of this round are in before the next clicks: two clicks on one page
            # before its rerun starts are one rerun in Streamlit, not two shares.

            def all_in(done: int = 2 * round_) -> bool:
                return len(boards.entries(board.board_id)) >= done

            wait_until(all_in, 60, f"round {round_}'s shares")
            for page in pages:
                wait_idle(page)
        for page in pages:
            assert_no_exception(page)
        wait_until(lambda: len(boards.entries(board.board_id)) >= 40, 30, "40 entries")
        shared = Counter(entry.nickname for entry in boards.entries(board.board_id))
        assert shared == {f"on {name}": 20 for name in students}
        for page in pages:
            page.context.close()
