"""Money and identifier conventions shared by every app: set once, used everywhere."""

from decimal import ROUND_HALF_UP, Decimal

MONEY_MAX_DIGITS = 14
MONEY_DECIMAL_PLACES = 2
CENT = Decimal("0.01")
MONEY_ROUNDING = ROUND_HALF_UP
ZERO = Decimal("0.00")

ISTAT_CODE_LENGTH = 6
CUP_PATTERN = r"^[A-Z][0-9]{2}[A-Z][0-9]{11}$"


def quantize_money(value: Decimal) -> Decimal:
    """Round a Decimal to the cent with the house rounding mode."""
    return Decimal(value).quantize(CENT, rounding=MONEY_ROUNDING)


# The audit trail's security events (portal.security) are the actions starting with this.
SECURITY_EVENT_PREFIX = "security."
