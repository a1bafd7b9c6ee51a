"""Numbers, money and parameters of the allocation strategies: checked and converted here, once.

Floats are refused everywhere (a binary fraction of a cent is not money); parameters and per-candidate
data are normalised to JSON-native values at construction, so an input read back from JSON equals
the one that was computed and a stored allocation re-runs to the identical result.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from portal.constants import CENT, MONEY_MAX_DIGITS

Weight = int | Decimal
QUOTA_DISPLAY_PLACES = 6

ERROR_FLOAT = "%(what)s is a float (%(value)r): use Decimal or int, never float."
ERROR_NOT_DECIMAL = "%(what)s must be a Decimal or an int, not %(type)s."
ERROR_NOT_FINITE = "%(what)s must be a finite number, not %(value)s."
ERROR_TOTAL_NEGATIVE = "The total to split cannot be negative (%(total)s)."
ERROR_TOTAL_CENTS = "The total to split must have at most two decimals (cents), not %(total)s."
ERROR_TOTAL_TOO_LARGE = "The total to split is too large (%(total)s)."
ERROR_JSON = "%(what)s holds %(type)s, which cannot be stored as JSON."
ERROR_UNKNOWN_PARAMS = "Unknown parameters for the %(method)s method: %(unknown)s (known: %(known)s)."
ERROR_PARAM_NUMBER = "The parameter %(name)s must be a number, not %(value)r."
ERROR_PARAM_BOOL = "The parameter %(name)s must be true or false, not %(value)r."
ERROR_PARAM_CHOICE = "The parameter %(name)s must be one of %(choices)s, not %(value)r."


def gettext_noop(message: str) -> str:
    """Mark a msgid for makemessages (which looks for this name) without importing Django."""
    return message


def check_decimal(value: Any, *, what: str) -> Weight:
    """An int or finite Decimal, refusing floats (binary fractions of a cent are not money)."""
    if isinstance(value, float):
        raise ValueError(ERROR_FLOAT % {"what": what, "value": value})
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(ERROR_NOT_DECIMAL % {"what": what, "type": type(value).__name__})
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(ERROR_NOT_FINITE % {"what": what, "value": value})
    return value


def clean_total(total: Any) -> Decimal:
    """The amount to split as a Decimal with two places; refuses what cannot be paid in cents."""
    total = Decimal(check_decimal(total, what="The total to split"))
    if total < 0:
        raise ValueError(ERROR_TOTAL_NEGATIVE % {"total": total})
    if total != total.quantize(CENT):
        raise ValueError(ERROR_TOTAL_CENTS % {"total": total})
    total = total.quantize(CENT)
    if len(total.as_tuple().digits) > MONEY_MAX_DIGITS:
        raise ValueError(ERROR_TOTAL_TOO_LARGE % {"total": total})
    return total


def to_cents(amount: Decimal) -> int:
    """Integer cents of an amount already checked to have at most two places."""
    return int(amount.scaleb(2))


def from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2).quantize(CENT)


def ratio_to_decimal(numerator: int, denominator: int, *, places: int = QUOTA_DISPLAY_PLACES) -> Decimal:
    """numerator / denominator (both >= 0) rounded half up to ``places``, by integer arithmetic."""
    scaled = numerator * 10**places
    return Decimal((2 * scaled + denominator) // (2 * denominator)).scaleb(-places)


def fraction_to_decimal(value: Fraction, *, places: int = QUOTA_DISPLAY_PLACES) -> Decimal:
    """A display rendering of an exact quota (half up); the Fraction stays the truth."""
    return ratio_to_decimal(value.numerator, value.denominator, places=places)


def number_to_str(value: Weight) -> str:
    return str(value)


def number_from_str(text: str) -> Weight:
    """Inverse of number_to_str: "12" gives int 12, "12.50" gives Decimal("12.50")."""
    if text.lstrip("-").isdigit():
        return int(text)
    return Decimal(text)


def json_native(value: Any, *, what: str) -> Any:
    """A JSON-ready copy of parameters or per-candidate data: Decimal and dates become strings.

    Normalising at construction means an input read back from JSON equals the one that was
    computed, so a stored allocation re-runs to the identical result.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        raise ValueError(ERROR_FLOAT % {"what": what, "value": value})
    if isinstance(value, Decimal):
        return str(check_decimal(value, what=what))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): json_native(v, what=what) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_native(v, what=what) for v in value]
    raise ValueError(ERROR_JSON % {"what": what, "type": type(value).__name__})


def check_params(*, params: Mapping[str, Any], known: Iterable[str], method: str) -> None:
    """Refuse parameters a method does not read: a misspelt "allow_partial_last" must not be
    silently ignored when money depends on it."""
    known = sorted(known)
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValueError(
            ERROR_UNKNOWN_PARAMS
            % {"method": method, "unknown": ", ".join(unknown), "known": ", ".join(known) or "none"}
        )


def param_decimal(params: Mapping[str, Any], name: str, *, default: Decimal | None = None) -> Decimal | None:
    """A numeric parameter, stored as a string; int and Decimal accepted, float never."""
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError as exc:
            raise ValueError(ERROR_PARAM_NUMBER % {"name": name, "value": value}) from exc
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    else:
        raise ValueError(ERROR_PARAM_NUMBER % {"name": name, "value": value})
    if not number.is_finite():
        raise ValueError(ERROR_PARAM_NUMBER % {"name": name, "value": value})
    return number


def param_bool(params: Mapping[str, Any], name: str, *, default: bool = False) -> bool:
    """A true/false parameter; the string "false" is refused rather than read as true."""
    value = params.get(name, default)
    if not isinstance(value, bool):
        raise ValueError(ERROR_PARAM_BOOL % {"name": name, "value": value})
    return value


def param_choice(params: Mapping[str, Any], name: str, *, choices: Iterable[str], default: str) -> str:
    choices = tuple(choices)
    value = params.get(name, default)
    if value not in choices:
        raise ValueError(ERROR_PARAM_CHOICE % {"name": name, "choices": ", ".join(choices), "value": value})
    return value
