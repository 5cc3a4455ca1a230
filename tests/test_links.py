"""How a page reads its link (``nncore.links.read_link``): valid values kept, what a choice
brings added, and every ignored part named in a sentence."""

from __future__ import annotations

from typing import Any

from nncore.links import ClassroomView, classroom_view, read_link
from nncore.settings import Setting

SETTINGS = [
    Setting("epochs", "Epochs", "int", 10, low=1, high=300),
    Setting("opt", "Optimizer", "choice", "adam", choices={"adam": "Adam", "sgd": "SGD"}),
    Setting("lr", "Learning rate", "float", 0.001, low=0.0001, high=1.0, log=True),
]


def test_valid_values_are_read_and_a_bad_one_is_named_with_the_default_used():
    link = read_link({"epochs": "7", "opt": "magic"}, SETTINGS)
    assert link.values == {"epochs": 7}
    assert link.notices == ["Ignored opt='magic' is not one of adam, sgd; using adam."]
    assert link.view == ClassroomView()


def test_a_parameter_that_is_no_setting_is_named_but_the_pages_own_are_not():
    params = {"epoch": "3", "present": "1", "run": "abc", "embed": "true", "hide": "lr"}
    link = read_link(params, SETTINGS)
    assert link.notices == ["Ignored epoch='3': not a setting of this page."]
    assert link.view.hidden == {"lr"}


def test_the_last_of_a_repeated_parameter_wins_as_in_a_browser():
    assert read_link({"epochs": ["3", "5"]}, SETTINGS).values == {"epochs": 5}


def test_what_a_choice_brings_never_overrides_the_link():
    def brought(values: dict[str, Any]) -> dict[str, Any]:
        return {"lr": 0.01, "epochs": 99} if values.get("opt") == "sgd" else {}

    link = read_link({"opt": "sgd", "epochs": "4"}, SETTINGS, brought=brought)
    assert link.values == {"opt": "sgd", "epochs": 4, "lr": 0.01}


def test_a_teachers_options_hide_lock_and_name_their_mistakes_last():
    link = read_link({"hide": "lr, nonsense,", "lock": "maybe", "bogus": "1"}, SETTINGS)
    assert link.view.hidden == {"lr"} and not link.view.locked
    assert link.notices == [
        "Ignored bogus='1': not a setting of this page.",
        "Ignored hide='nonsense': no control of that name on this page.",
        "Ignored lock='maybe' is not true or false.",
    ]
    assert classroom_view({"lock": "1"}, SETTINGS).locked


def test_the_teachers_options_read_once_per_visit_hold_over_a_later_link():
    first = classroom_view({"hide": "opt"}, SETTINGS)
    link = read_link({"hide": "lr"}, SETTINGS, view=first)
    assert link.view is first and link.view.hidden == {"opt"}
