"""Acts that authorise money (determinazioni, deliberations): the type and the number are kept apart,
the number is checked without the type, and every page, PDF, CSV and register shows them one way:
"DD n. 129/2020 del 23/04/2020" (issue 9, item 12)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from funding.choices import ActType

ABBREVIATIONS = {ActType.DCR: "DCR", ActType.DGR: "DGR", ActType.DD: "DD"}

ERROR_ACT_NUMBER_WITH_TYPE = _(
    "Write the act number without its type or “n.” (e.g. 129/2020): the type is chosen separately."
)

# A number that starts with what the type already says: "DD 129", "D.D. n. 129", "DGR 12-345", "n. 129".
_TYPES = r"d\.?\s*d|d\.?\s*g\.?\s*r|d\.?\s*c\.?\s*r"
_TYPE_PREFIX = re.compile(rf"^\s*(?:({_TYPES})\b\.?\s*(?:n[r°.]?\.?\s*)?|n[r°.]\.?\s*)", re.IGNORECASE)


def validate_act_number(value: str) -> None:
    """The number alone: refused when it repeats the act's type (or "n.") before the number."""
    if value and _TYPE_PREFIX.match(value) and re.search(r"\d", value):
        raise ValidationError(ERROR_ACT_NUMBER_WITH_TYPE, code="act_type_in_number")


def act_abbreviation(act_type: str) -> str:
    return ABBREVIATIONS.get(act_type) or gettext("Act")


def act_text(act_type: str, number: str, date: datetime.date | None = None) -> str:
    """ "DD n. 129/2020 del 23/04/2020" (the date as the active language writes it), or without date."""
    kind = act_abbreviation(act_type)
    if date is None:
        return gettext("%(kind)s n. %(number)s") % {"kind": kind, "number": number}
    return gettext("%(kind)s n. %(number)s of %(date)s") % {
        "kind": kind,
        "number": number,
        "date": date_format(date, "SHORT_DATE_FORMAT"),
    }
