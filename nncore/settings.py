"""One declaration per setting, from which widgets, URL parameters and validation are derived.

TensorFlow Playground's lesson: a setting written down once (name, type, range, default, label)
cannot drift between the control, the shared link and the code that checks it. Every page
declares its settings as ``Setting`` objects and reads the URL through ``parse_query``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["int", "float", "choice", "bool"]


@dataclass(frozen=True)
class Setting:
    """A user-adjustable value: its URL key, label, type, allowed range and default.

    ``choices`` maps the value stored in the URL to the label a person reads. ``log`` marks a
    float that is chosen on a logarithmic grid (learning rates), ``grid`` lists those values.
    """

    key: str
    label: str
    kind: Kind
    default: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    choices: Mapping[str, str] = field(default_factory=dict)
    help: str = ""

    def parse(self, text: str) -> Any:
        """Turn URL text into a valid value, or raise ValueError saying why it is not one."""
        text = text.strip()
        if self.kind == "choice":
            if text not in self.choices:
                raise ValueError(f"{self.key}={text!r} is not one of {', '.join(self.choices)}")
            return text
        if self.kind == "bool":
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(f"{self.key}={text!r} is not true or false")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{self.key}={text!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{self.key}={text!r} is not a finite number")
        if self.kind == "int":
            if number != int(number):
                raise ValueError(f"{self.key}={text!r} is not a whole number")
            number = int(number)
        return self.check(number)

    @property
    def bounds(self) -> tuple[float, float]:
        """(low, high) of a number setting: a slider, a typed box or a clamp needs both ends."""
        if self.low is None or self.high is None:
            raise ValueError(f"{self.key} has no range")
        return self.low, self.high

    def clamp(self, value: float) -> float:
        """``value`` moved into the range, as a button that steps past an end stops there."""
        low, high = self.bounds
        return min(max(value, low), high)

    def check(self, value: Any) -> Any:
        """Return ``value`` if it lies in the declared range, otherwise raise ValueError."""
        if self.low is not None and value < self.low or self.high is not None and value > self.high:
            raise ValueError(
                f"{self.key}={value} is outside {self.format(self.low)}–{self.format(self.high)}"
            )
        if self.kind == "int" and self.step and (value - (self.low or 0)) % self.step:
            raise ValueError(f"{self.key}={value} is not a multiple of {self.format(self.step)}")
        return value

    def format(self, value: Any) -> str:
        """The shortest URL text that parses back to ``value``."""
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "float":
            return f"{float(value):g}"
        if self.kind == "int":
            return str(int(value))
        return str(value)

    def grid(self, per_decade: Sequence[float] = (1, 2, 5)) -> list[float]:
        """Values a log-scale slider offers: 1-2-5 steps across each decade of the range."""
        assert self.low is not None and self.high is not None
        values = []
        for exponent in range(
            math.floor(math.log10(self.low)), math.ceil(math.log10(self.high)) + 1
        ):
            for mantissa in per_decade:
                value = float(f"{mantissa}e{exponent}")
                if self.low <= value <= self.high:
                    values.append(value)
        if self.default not in values:
            values = sorted({*values, float(self.default)})
        return values


def parse_query(
    params: Mapping[str, str | Sequence[str]], settings: Iterable[Setting]
) -> tuple[dict[str, Any], list[str]]:
    """Read the known settings out of URL parameters.

    Returns the values that were present and valid, and one sentence per parameter that was
    ignored, so a page can say what it skipped instead of failing on a mistyped link.
    """
    values: dict[str, Any] = {}
    notices: list[str] = []
    for setting in settings:
        if setting.key not in params:
            continue
        raw = params[setting.key]
        text = raw if isinstance(raw, str) else (raw[-1] if raw else "")
        try:
            values[setting.key] = setting.parse(text)
        except ValueError as problem:
            notices.append(f"Ignored {problem}; using {setting.format(setting.default)}.")
    return values, notices


def to_query(values: Mapping[str, Any], settings: Iterable[Setting]) -> dict[str, str]:
    """URL parameters for ``values``, leaving out defaults so shared links stay short."""
    query = {}
    for setting in settings:
        if setting.key in values and values[setting.key] != setting.default:
            query[setting.key] = setting.format(values[setting.key])
    return query


def defaults(settings: Iterable[Setting]) -> dict[str, Any]:
    """Every setting at its default value."""
    return {setting.key: setting.default for setting in settings}
