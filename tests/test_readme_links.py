"""Every Build & Train link in README.md opens the network it describes and trains as told, and
the README's table of Build parameters is what the page accepts.

The links are read from the README itself, opened by the function the Build page opens a link
with (``nncore.links.read_link``: every setting parsed from the query, a layer type's own
activation brought in), and trained as written, for the link's own epochs, on the app's engine.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from nncore.links import read_link
from nncore.network.plan import layer_plan
from nncore.network.settings import spec_from_values
from nncore.network.spec import SEED_NOTEBOOK, NetworkSpec
from nncore.training.lessons import LINK_SETTINGS, brought

README = Path(__file__).resolve().parents[1] / "README.md"
# `/build`, `/build?…`, also inside a full address or a quoted command-line argument.
LINK = re.compile(r"/build(?:\?[^\s`\"'()<>|]*)?(?=[\s`\"'()<>|.,]|$)")
# What the README says a link reaches; every other link must still clearly learn.
NOTEBOOK = "/build"  # "The defaults are the notebook's network"; README benchmarks: 0.875
SMALL_CNN_LINK = (
    "/build?rows=5000&layers=3&l1_type=conv&l1_filters=16&l2_type=pool&l3_type=dense"
    "&l3_units=64&epochs=15"
)
CLAIMS = {NOTEBOOK: 0.80, SMALL_CNN_LINK: 0.90}
# Five sigmoid layers: "after 20 epochs the network still answers at about chance".
VANISHING_LINK = (
    "/build?layers=5" + "".join(f"&l{n}_act=sigmoid" for n in range(1, 6)) + "&epochs=20"
)
STUCK = {VANISHING_LINK: 0.30}  # stays below this test accuracy, as the README says
LEARNS = 0.80  # more than eight in ten test digits right: the network clearly learned


def readme_links() -> list[str]:
    """The README's Build links, but its lessons (``lesson=``): their setups that work and
    their bad twins are trained against each other by ``tests/test_lessons.py``."""
    links = [link.rstrip(".,") for link in LINK.findall(README.read_text(encoding="utf-8"))]
    return sorted({link for link in links if "lesson=" not in link})


def open_link(link: str) -> tuple[NetworkSpec, list[str]]:
    """The spec the Build page shows for ``link``, and the notices it would show: the link read
    by the function the page reads it with, a layer type's own activation brought in."""
    link_read = read_link(parse_qs(urlsplit(link).query), LINK_SETTINGS, brought=brought)
    return spec_from_values(link_read.values), link_read.notices


def test_the_readme_has_the_links_this_test_checks():
    links = readme_links()
    assert NOTEBOOK in links and SMALL_CNN_LINK in links and VANISHING_LINK in links, links
    assert open_link(NOTEBOOK)[0] == SEED_NOTEBOOK


@pytest.mark.parametrize(
    "link", readme_links(), ids=lambda link: link.removeprefix("/build") or "(defaults)"
)
def test_a_readme_link_trains_as_the_readme_says(link):
    from nncore.training.engine import EpochEngine

    spec, notices = open_link(link)
    assert notices == [], f"{link}: the page would ignore part of it"
    plan = layer_plan(spec)
    assert plan.problems == ()
    engine = EpochEngine.for_spec(spec)
    history = [engine.run_epoch(epoch) for epoch in range(1, spec.epochs + 1)]
    engine.release()
    assert all(record.finite for record in history)
    if link in STUCK:
        assert history[-1].val_accuracy < STUCK[link], f"{link} learned after all"
        return
    assert history[-1].loss < history[0].loss
    accuracy = history[-1].val_accuracy
    assert accuracy >= CLAIMS.get(link, LEARNS), f"{link}: {accuracy:.3f} after {spec.epochs}"


def test_the_small_cnn_link_is_the_network_the_readme_describes():
    spec, _ = open_link(SMALL_CNN_LINK)
    rows = [(r.keras_class, r.options.get("activation")) for r in layer_plan(spec).layers]
    assert rows == [
        ("Conv2D", "relu"),  # brought by the layer type: the link names no activation
        ("MaxPooling2D", None),
        ("Flatten", None),
        ("Dense", "relu"),
        ("Dense", "softmax"),
    ]
    assert spec.layers[0].init == "he_normal" and spec.input_shape == (28, 28, 1)
    assert (spec.rows, spec.epochs, spec.layers[0].filters, spec.layers[2].units) == (
        5000,
        15,
        16,
        64,
    )


def build_table() -> dict[str, str]:
    """The README's Build & Train parameter table: setting key → its "Values (default)" cell,
    with ``l<N>_`` written as layer 1's key."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Build & Train (`/build`)") :]
    section = section[: section.index("\n\n", section.index("| Parameter"))]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`").replace("l<N>_", "l1_")] = cells[2]
    return rows


def test_the_readme_table_of_build_parameters_is_what_the_page_accepts():
    from nncore.network.settings import SETTINGS_BY_KEY

    table = build_table()
    assert {key for key in table if key != "run"} == {
        key for key in SETTINGS_BY_KEY if not key.startswith(("l2_", "l3_", "l4_", "l5_", "l6_"))
    }
    for key, cell in table.items():
        if key == "run":
            continue
        setting = SETTINGS_BY_KEY[key]
        if setting.kind == "choice":
            # Every value named, in the table's order; "(`adam`)" is the default.
            named = re.findall(r"`([^`]+)`", re.sub(r"\(`[^`]+`\)$", "", cell))
            assert named == list(setting.choices), key
            default = re.search(r"\(`([^`]+)`\)$", cell)
            assert default is None or default.group(1) == setting.default, key
        else:
            low, high = re.match(r"([\d.e-]+)–([\d.e-]+)", cell).groups()
            assert (float(low), float(high)) == (setting.low, setting.high), key
            step = re.search(r"step ([\d.]+)", cell)
            assert step is None or float(step.group(1)) == setting.step, key
            default = re.search(r"\(([\d.e-]+)\)$", cell)
            assert default is None or float(default.group(1)) == setting.default, key
