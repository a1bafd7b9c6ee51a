from decimal import Decimal

import pytest

from portal.formatting import format_money


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        (Decimal("1650000.00"), "it", "€ 1.650.000,00"),
        (Decimal("1650000.00"), "en", "€1,650,000.00"),
        (Decimal("499999.88"), "it", "€ 499.999,88"),
        (Decimal("0.5"), "it", "€ 0,50"),
        (Decimal("-12.3"), "en", "-€12.30"),
        (None, "it", ""),
    ],
)
def test_money_format(value, language, expected):
    assert format_money(value, language=language) == expected


NUMBERS = [
    Decimal("0"),
    Decimal("1"),
    Decimal("-1"),
    Decimal("1000"),
    Decimal("1000.00"),
    Decimal("12.005"),
    Decimal("12.015"),
    Decimal("-0.004"),
    Decimal("0.0000005"),
    Decimal("0.0000004999"),
    Decimal("999999.9999999"),
    Decimal("1234567.891234"),
    Decimal("0.123456789012345678901234567890"),  # more digits than the default context keeps
    Decimal("12345678901234567890123456.7"),  # padded to six places: beyond the context's precision
    Decimal("1E+3"),
    Decimal("45.5"),
    *(Decimal(n * 7919 - 10**8) / Decimal(10 ** (n % 13)) for n in range(400)),
]


@pytest.mark.parametrize("language", ["it", "en"])
def test_format_number_writes_what_floatformat_and_number_format_write(language):
    """format_number stands in for {{ x|floatformat:"6g" }}, "-2g" and number_format(force_grouping) on
    the pages that write hundreds of numbers: the same text, digit for digit."""
    from django.template.defaultfilters import floatformat
    from django.utils import formats, translation

    from portal.formatting import format_number

    with translation.override(language):
        for value in NUMBERS:
            assert format_number(value, 6) == floatformat(value, "6g"), value
            assert format_number(value, 2, integer_bare=True) == floatformat(value, "-2g"), value
            assert format_number(value, None) == formats.number_format(value, force_grouping=True), value
    assert format_number(None, 2) == ""
