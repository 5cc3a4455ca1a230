"""Numbers written for a headline (``st.metric``), short enough to fit a phone's column.

A metric that cannot fit its value cuts it with an ellipsis: ``3.51018778e-05`` became
``3.51018778…`` and read as 3.5, worse than where training started. These functions never
rely on the page having room: few digits, and powers of ten written as ``3.51·10⁻⁵`` (the
exponent always kept) when plain digits would hide the number or run too long.
"""

from __future__ import annotations

import math

MINUS = "\u2212"  # the minus sign, as plotly and a textbook print it (not a hyphen)
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
SMALLEST_PLAIN = 1e-3  # below this, 0.000… would hide the digits that matter
LARGEST_PLAIN = 1e6  # from here, a long row of digits: a power of ten instead


def _special(value: float) -> str | None:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else f"{MINUS}∞"
    return None


def _signed(text: str, negative: bool) -> str:
    return f"{MINUS}{text}" if negative else text


def scientific(value: float, digits: int = 3) -> str:
    """``value`` as mantissa·10^exponent with ``digits`` significant digits, trailing zeros
    dropped: ``scientific(3.51018778e-05)`` is ``3.51·10⁻⁵``."""
    if (word := _special(value)) is not None:
        return word
    mantissa, exponent = f"{abs(value):.{max(digits, 1) - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    power = str(int(exponent)).translate(SUPERSCRIPT)
    return _signed(f"{mantissa}·10{power}", value < 0)


def significant(value: float, digits: int = 4) -> str:
    """``value`` with at most ``digits`` significant digits (0.2984, 12.35, 4,000), or in
    powers of ten below 0.001 and from a million on (3.51·10⁻⁵)."""
    if (word := _special(value)) is not None:
        return word
    if value == 0:
        return "0"
    rounded = float(f"{value:.{max(digits, 1) - 1}e}")  # 0.00099996 rounds up to 0.001
    if not SMALLEST_PLAIN <= abs(rounded) < LARGEST_PLAIN:
        return scientific(value, digits)
    exponent = math.floor(math.log10(abs(rounded)))
    places = max(digits - 1 - exponent, 0)
    text = f"{abs(rounded):,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _signed(text, value < 0)


def fixed(value: float, places: int = 3) -> str:
    """``value`` with ``places`` decimals, as a formula beside it writes it (0.599), unless
    that would hide it (2.26·10⁻⁶ rather than 0.000) or run long (1.23·10⁶)."""
    if (word := _special(value)) is not None:
        return word
    if value != 0 and (abs(value) < 0.5 * 10**-places or abs(value) >= LARGEST_PLAIN):
        return scientific(value)
    return _signed(f"{abs(value):.{places}f}", value < 0)


def percent(share: float, places: int = 0) -> str:
    """A share (0…1) as a percentage: ``percent(0.973, 1)`` is ``97.3%``."""
    if (word := _special(share)) is not None:
        return word
    return _signed(f"{abs(share):.{places}%}", share < 0)


def seconds(value: float) -> str:
    """A duration: 0.42 s, 12.3 s, 245 s, then minutes (12 min 05 s)."""
    if (word := _special(value)) is not None:
        return word
    if value < 10:
        return f"{value:.2f} s"
    if value < 100:
        return f"{value:.1f} s"
    if value < 600:
        return f"{value:.0f} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes} min {rest:02d} s"
