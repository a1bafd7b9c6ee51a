"""Money and identifier conventions shared by every app: set once, used everywhere (reading, cleaning
and rounding money is portal.money)."""

from decimal import ROUND_HALF_UP, Decimal

MONEY_MAX_DIGITS = 14
MONEY_DECIMAL_PLACES = 2
CENT = Decimal("0.01")
MONEY_ROUNDING = ROUND_HALF_UP
ZERO = Decimal("0.00")

ISTAT_CODE_LENGTH = 6
CUP_PATTERN = r"^[A-Z][0-9]{2}[A-Z][0-9]{11}$"


# The audit trail's security events (portal.security) are the actions starting with this.
SECURITY_EVENT_PREFIX = "security."
