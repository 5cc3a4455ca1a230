"""Numbers for headlines: short enough to fit a phone's column, never cut into their opposite
(3.51018778e-05 shown as 3.51018778… reads as 3.5)."""

from __future__ import annotations

import math

import pytest

from nncore.numbers import fixed, percent, scientific, seconds, significant


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (3.51018778e-05, "3.51·10⁻⁵"),  # Backprop's E_total after 10,000 updates
        (0.298371109, "0.2984"),
        (0.291027774, "0.291"),  # a trailing zero says nothing
        (12.3456, "12.35"),
        (4000.0, "4,000"),
        (123_456.7, "123,500"),
        (1.0, "1"),
        (0.0, "0"),
        (-0.25, "−0.25"),
        (-3.5e-7, "−3.5·10⁻⁷"),
        (2.5e9, "2.5·10⁹"),
        (0.00099996, "0.001"),  # rounds up into plain digits
        (999_999.9, "1·10⁶"),  # rounds up out of them
    ],
)
def test_significant_keeps_four_digits_and_the_exponent(value, shown):
    assert significant(value) == shown


def test_no_headline_number_is_longer_than_a_phone_column_holds():
    values = [10.0**k * m for k in range(-30, 31) for m in (1, 1.23456789, 9.99999)]
    for value in values + [-v for v in values]:
        assert len(significant(value)) <= 12, (value, significant(value))  # −1.235·10⁻³⁰
        assert len(fixed(value)) <= 12, (value, fixed(value))


def test_a_small_number_never_reads_as_a_large_one():
    """What the page shows, read back (superscripts and all), is the number to its digits."""
    for value in (3.51018778e-05, 7.2e-12, -4.44e-4, 0.5, 123.456, 8.9e7):
        shown = significant(value).replace("−", "-").replace(",", "")
        if "·10" in shown:
            mantissa, power = shown.split("·10")
            exponent = power.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-"))
            read = float(mantissa) * 10 ** int(exponent)
        else:
            read = float(shown)
        assert math.isclose(read, value, rel_tol=1e-3)


def test_scientific_trims_its_mantissa():
    assert scientific(3.51018778e-05) == "3.51·10⁻⁵"
    assert scientific(1e-5) == "1·10⁻⁵"
    assert scientific(-6.02e23, 4) == "−6.02·10²³"


def test_fixed_writes_decimals_as_a_formula_does_unless_they_would_hide_the_number():
    assert fixed(0.59868766) == "0.599"
    assert fixed(-0.5) == "−0.500"
    assert fixed(13.0) == "13.000"
    assert fixed(0.0) == "0.000"
    assert fixed(2.26e-6) == "2.26·10⁻⁶"  # not 0.000
    assert fixed(1.5e7) == "1.5·10⁷"


@pytest.mark.parametrize("function", [significant, fixed, scientific, percent, seconds])
def test_what_is_not_a_number_is_a_word(function):
    assert function(float("nan")) == "NaN"
    assert function(float("inf")) == "∞"


def test_percent_and_seconds():
    assert percent(0.973, 1) == "97.3%"
    assert percent(0.4) == "40%"
    assert seconds(0.4213) == "0.42 s"
    assert seconds(45.67) == "45.7 s"
    assert seconds(245.6) == "246 s"
    assert seconds(725) == "12 min 05 s"
