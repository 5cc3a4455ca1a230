"""How a page reads its link: query parameters in, setting values and one sentence per ignored
part out.

This is one pure function (no Streamlit) so that what a link means is written down once. The
pages call it when a visitor arrives (``pages/_ui/widgets.restore_settings``), and the tests that
open the README's links call the same function: a test with its own copy of the rules could go
on passing while the page read a link differently.

Besides a page's own settings, every page understands a few parameters: ``present=1``
(presenter mode), the teacher's ``hide=`` and ``lock=``, and ``run=`` (a kept training).
Streamlit itself reads ``embed`` and ``embed_options``. None of those is reported as unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nncore.settings import Setting, parse_query

# Parameters Streamlit itself reads (embedding options); never reported as unknown.
STREAMLIT_PARAMETERS = frozenset({"embed", "embed_options"})
PRESENT = Setting(
    "present",
    "Presenter mode",
    "bool",
    False,
    help="Big text and figures, for a projector at the back of a classroom.",
)
LOCK = Setting("lock", "Lock the controls", "bool", False)
# Understood on every page: presenter mode and the teacher's classroom link.
# "run" names a kept training (Build & Train, Draw a Digit).
PAGE_PARAMETERS = frozenset({PRESENT.key, "hide", LOCK.key, "run"})

Params = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True)
class ClassroomView:
    """What a teacher's link asks of a page: controls not shown, and all the rest locked."""

    hidden: frozenset[str] = frozenset()
    locked: bool = False
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    """What a page makes of its link."""

    values: dict[str, Any]  # the valid settings, with what their choices bring
    notices: list[str]  # one sentence per ignored parameter, in the order the page shows them
    view: ClassroomView  # the teacher's options


def last_values(params: Params) -> dict[str, str]:
    """One text per parameter: the last one when a parameter is repeated (``parse_qs`` lists)."""
    return {
        key: value if isinstance(value, str) else (value[-1] if value else "")
        for key, value in params.items()
    }


def classroom_view(params: Params, settings: Iterable[Setting]) -> ClassroomView:
    """The teacher's link options: which controls to hide, and whether the rest are locked."""
    texts = last_values(params)
    keys = {s.key for s in settings}
    hidden: set[str] = set()
    notices = []
    for name in filter(None, (part.strip() for part in texts.get("hide", "").split(","))):
        if name in keys:
            hidden.add(name)
        else:
            notices.append(f"Ignored hide={name!r}: no control of that name on this page.")
    locked = False
    if LOCK.key in texts:
        try:
            locked = LOCK.parse(texts[LOCK.key])
        except ValueError as problem:
            notices.append(f"Ignored {problem}.")
    return ClassroomView(frozenset(hidden), locked, tuple(notices))


def read_link(
    params: Params,
    settings: Iterable[Setting],
    brought: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    view: ClassroomView | None = None,
) -> Link:
    """Read a page's ``settings`` out of its link's query parameters.

    Values that parse are kept; ``brought`` adds what they imply (a layer type's own
    activation) without overriding what the link says. Every parameter that is ignored gets a
    sentence: a bad value, a parameter that is not a setting of this page, a teacher's option
    that names no control. ``view`` is the teacher's options as this session first read them
    (they hold for the whole visit); by default they are read from ``params``.
    """
    settings = list(settings)
    texts = last_values(params)
    values, notices = parse_query(texts, settings)
    if brought is not None:
        values = {**brought(values), **values}
    known = {s.key for s in settings} | STREAMLIT_PARAMETERS | PAGE_PARAMETERS
    notices += [
        f"Ignored {key}={value!r}: not a setting of this page."
        for key, value in texts.items()
        if key not in known
    ]
    if view is None:
        view = classroom_view(texts, settings)
    return Link(values, [*notices, *view.notices], view)
