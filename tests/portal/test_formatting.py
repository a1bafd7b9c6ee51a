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
