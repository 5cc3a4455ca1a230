"""Every lesson does what its text says: its link opens the setup (or its twin), the twin
changes exactly one setting, and trained with real Keras for the claim's epochs the setup that
works beats its bad twin by the claimed margin, as the sentences beside them say.

Both setups of each lesson are opened from their links by the function the pages read links
with (``nncore.links.read_link`` with the page's lesson settings), then trained on the engine
the workers run: the playground's ``PlaygroundEngine`` on the points the page would generate,
Build's ``EpochEngine`` on the bundled digits.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import ModuleType
from urllib.parse import parse_qs, urlsplit

import pytest

from nncore.lessons import Claim, Lesson, Outcome
from nncore.links import read_link
from nncore.network.plan import layer_plan
from nncore.network.settings import spec_from_values as build_spec
from nncore.playground import lessons as playground
from nncore.playground.datasets import DATASETS, generate, split
from nncore.playground.settings import spec_from_values as playground_spec
from nncore.playground.snapshot import PlayRequest
from nncore.training import lessons as build
from nncore.training.cost import training_problem

FAMILIES = {"playground": playground, "build": build}
ALL = [(page, lesson) for page, family in FAMILIES.items() for lesson in family.LESSONS]
IDS = [f"{page}-{lesson.key}" for page, lesson in ALL]

# What the sentences say besides the claim, as numbers: the good setup's test accuracy at
# least, the twin's at most ("at chance", "about half right"), per lesson.
GOOD_AT_LEAST = {
    ("playground", "xor"): 0.9,
    ("playground", "linear"): 0.9,
    ("playground", "spiral"): 0.9,
    ("build", "learning-rate"): 0.8,  # "more than eight digits in ten"
    ("build", "batch-size"): 0.8,
    ("build", "zero-weights"): 0.8,
    ("build", "conv-activation"): 0.8,
}
TWIN_AT_MOST = {
    ("playground", "xor"): 0.65,  # "about half right, no better than a coin"
    ("playground", "linear"): 0.65,
    ("build", "learning-rate"): 0.2,  # "at chance (one digit in ten)"
    ("build", "zero-weights"): 0.2,
    ("build", "conv-activation"): 0.5,  # "still gets most digits wrong"
}


def link(page: str, lesson: Lesson, twin: bool) -> str:
    return f"/{page}?lesson={lesson.key}" + ("&twin=bad" if twin else "")


def open_link(family: ModuleType, address: str) -> tuple[dict, list[str]]:
    """The settings a page shows for ``address``, and its notices, read as the page reads it."""
    read = read_link(parse_qs(urlsplit(address).query), family.LINK_SETTINGS, family.brought)
    return read.values, read.notices


# --- The tables ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("page", "lesson"), ALL, ids=IDS)
def test_a_twin_breaks_exactly_one_setting(page, lesson):
    family = FAMILIES[page]
    settings = {s.key: s for s in family.LINK_SETTINGS}
    assert len(lesson.broken) == 1
    ((key, bad),) = lesson.broken.items()
    assert bad != lesson.values(family.BASE)[key], "the twin must differ from the good setup"
    for values in (lesson.values(family.BASE), lesson.values(family.BASE, twin=True)):
        for name, value in values.items():
            setting = settings[name]  # every value is a setting of the page...
            assert setting.parse(setting.format(value)) == value, name  # ...a link can carry
    assert family.on_screen(lesson.values(family.BASE)) == (lesson, False)
    assert family.on_screen(lesson.values(family.BASE, twin=True)) == (lesson, True)


@pytest.mark.parametrize(("page", "lesson"), ALL, ids=IDS)
def test_the_sentences_are_two_on_why_and_one_on_what_goes_wrong(page, lesson):
    def sentences(text: str) -> int:
        return sum(text.count(end) for end in (". ", "? ", "! ")) + 1

    assert sentences(lesson.why) == 2 and lesson.why.endswith(".")
    assert sentences(lesson.wrong) == 1 and lesson.wrong.endswith(".")
    assert str(lesson.claim.epochs) in lesson.claim.sentence(twin=False)


def test_lesson_names_and_titles_are_unique_per_page():
    for family in FAMILIES.values():
        assert len({lesson.key for lesson in family.LESSONS}) == len(family.LESSONS)
        assert len({lesson.title for lesson in family.LESSONS}) == len(family.LESSONS)


@pytest.mark.parametrize("lesson", build.LESSONS, ids=lambda lesson: lesson.key)
def test_a_build_lesson_trains_for_its_claims_epochs_and_a_trainer_takes_it(lesson):
    for twin in (False, True):
        spec = build_spec(lesson.values(build.BASE, twin))
        assert spec.epochs == lesson.claim.epochs
        assert layer_plan(spec).problems == ()
        assert training_problem(spec) is None  # not refused as too long for a shared trainer


def test_a_claim_counts_a_loss_that_ran_off_to_infinity_as_the_worst():
    claim = Claim("test_loss", 0.1, 10)
    assert claim.holds(Outcome(0.1, 0.2, 0.9), Outcome(math.nan, math.nan, 0.5))
    assert not claim.holds(Outcome(math.nan, math.nan, 0.9), Outcome(0.1, 0.2, 0.5))
    assert not claim.holds(Outcome(0.1, 0.2, 0.9), Outcome(0.1, 0.25, 0.9))
    accuracy = Claim("test_accuracy", 0.3, 10)
    assert accuracy.holds(Outcome(0, 0, 0.9), Outcome(0, 0, 0.5))
    assert "30 points higher" in accuracy.sentence(twin=False)
    assert "30 points lower" in accuracy.sentence(twin=True)


# --- The links ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("page", "lesson"), ALL, ids=IDS)
def test_a_lesson_link_opens_its_setup_and_its_twin(page, lesson):
    family = FAMILIES[page]
    for twin in (False, True):
        values, notices = open_link(family, link(page, lesson, twin))
        assert notices == []
        assert family.on_screen(values) == (lesson, twin)


def test_a_links_own_settings_apply_over_its_lesson():
    values, notices = open_link(playground, "/playground?lesson=xor&seed=7&layers=2")
    assert notices == [] and values["seed"] == 7 and values["layers"] == 2
    assert values["data"] == "xor" and playground.on_screen(values) is None
    values, _ = open_link(build, "/build?lesson=zero-weights&l1_type=conv")
    assert values["l1_act"] == "relu" and values["l1_init"] == "he_normal"  # a Conv2D's own


def test_a_bad_lesson_name_is_named_in_a_notice_and_the_rest_applies():
    values, notices = open_link(playground, "/playground?lesson=moon&twin=worse&noise=20")
    assert values["noise"] == 20 and values.get("data", "circle") == "circle"
    assert any("lesson='moon' is not one of" in notice for notice in notices)
    assert any("twin='worse' is not one of good, bad" in notice for notice in notices)
    _, notices = open_link(build, "/build?lesson=xor")  # a playground lesson, not Build's
    assert any("lesson='xor'" in notice for notice in notices)


# --- Training: the good setup beats its twin as the text claims --------------------------------


def train_playground(values: dict, epochs: int) -> Outcome:
    """The page's points for these settings, trained on the workers' engine."""
    from nncore.playground.engine import PlaygroundEngine

    kind = DATASETS[values["data"]]
    points = generate(values["data"], values["points"], values["noise"] / 100, values["seed"])
    parts = split(points, values["train"] / 100, values["seed"])
    spec = playground_spec(values, kind.classes)
    engine = PlaygroundEngine(PlayRequest.for_split(spec, parts))
    for _ in range(epochs):
        train_loss, test_loss, _, test_accuracy = engine.epoch()
    return Outcome(train_loss, test_loss, test_accuracy)


def train_build(values: dict) -> Outcome:
    """The Build page's network for these settings, trained for its epochs on the digits."""
    from nncore.training.engine import EpochEngine

    spec = build_spec(values)
    engine = EpochEngine.for_spec(spec)
    history = [engine.run_epoch(epoch) for epoch in range(1, spec.epochs + 1)]
    engine.release()
    last = history[-1]
    return Outcome(last.loss, last.val_loss, last.val_accuracy)


def trained(page: str, lesson: Lesson, twin: bool) -> Outcome:
    family = FAMILIES[page]
    values, notices = open_link(family, link(page, lesson, twin))
    assert notices == []
    values = {**family.BASE, **values}
    if page == "playground":
        return train_playground(values, lesson.claim.epochs)
    return train_build(values)


@pytest.mark.parametrize(("page", "lesson"), ALL, ids=IDS)
def test_the_setup_that_works_beats_its_bad_twin_as_the_text_claims(page, lesson):
    good = trained(page, lesson, twin=False)
    bad = trained(page, lesson, twin=True)
    claim = lesson.claim
    assert claim.holds(good, bad), (claim, good, bad)
    key = (page, lesson.key)
    if key in GOOD_AT_LEAST:
        assert good.test_accuracy >= GOOD_AT_LEAST[key], good
    if key in TWIN_AT_MOST:
        assert bad.test_accuracy <= TWIN_AT_MOST[key], bad
    if key == ("playground", "overfitting"):
        # "its training loss falls to almost 0 while its test loss climbs"
        assert bad.train_loss < 0.1 and bad.test_loss > 3 * bad.train_loss, bad
    if key == ("playground", "learning-rate"):
        # "the loss runs off to infinity (NaN)"; the good one "settles near 0"
        assert not math.isfinite(bad.train_loss) and good.test_loss < 0.05, (good, bad)
    if key == ("build", "batch-size"):
        assert bad.test_accuracy < good.test_accuracy  # "the network has barely started"


def test_the_readme_lists_every_lesson_link_with_the_setting_its_twin_breaks():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Lessons") :]
    section = section[: section.index("\n### ")]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        if cells[0].startswith("/"):
            rows[cells[0]] = cells
    for page, lesson in ALL:
        family = FAMILIES[page]
        settings = {s.key: s for s in family.LINK_SETTINGS}
        cells = rows.pop(link(page, lesson, twin=False))
        ((key, bad),) = lesson.broken.items()
        assert cells[1:3] == [lesson.title, f"{key}={settings[key].format(bad)}"], cells
    assert rows == {}, "the README lists lessons that are not in the tables"
