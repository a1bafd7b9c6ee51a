"""A call's allocation parameters in words for the people who read them (issue 9, item 19): the
stored JSON ({"percentage": "70", "cap": "1500.00", "ranking": "submitted_at"}) becomes sentences in
the active language, with money and percentages formatted as the language writes them."""

from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext

from funding.allocation.ranking import RANKING_BY_INPUT_ORDER, RANKING_BY_SCORE, RANKING_BY_SUBMISSION
from funding.choices import EligibleBasis
from portal.formatting import format_money

# Kept by a scorrimento, not set by the official: recorded with each allocation, not described here.
_INTERNAL = ("granted", "released")


def _number(value) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    places = 0 if number == number.to_integral_value() else 2
    return formats.number_format(number, places, force_grouping=True)


def _money(value) -> str:
    try:
        return format_money(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def params_in_words(params: dict | None, *, eligible_basis: str = "") -> list[str]:
    """One sentence per parameter, in a fixed order; unknown keys are shown as they are."""
    params = dict(params or {})
    for key in _INTERNAL:
        params.pop(key, None)
    lines = []
    if "percentage" in params:
        percentage = _number(params.pop("percentage"))
        if eligible_basis == EligibleBasis.NET:
            text = gettext("Contribution: %(percentage)s%% of the eligible expense net of VAT.")
        elif eligible_basis:
            text = gettext("Contribution: %(percentage)s%% of the eligible expense, VAT included.")
        else:
            text = gettext("Contribution: %(percentage)s%% of the eligible expense.")
        lines.append(text % {"percentage": percentage})
    if "cap" in params:
        lines.append(gettext("At most %(cap)s per application.") % {"cap": _money(params.pop("cap"))})
    if "amount" in params:
        lines.append(gettext("%(amount)s to each beneficiary.") % {"amount": _money(params.pop("amount"))})
    ranked = "ranking" in params
    if ranked:
        ranking = params.pop("ranking")
        lines.append(
            {
                RANKING_BY_SUBMISSION: gettext("Ranking by submission time: first come, first funded."),
                RANKING_BY_SCORE: gettext("Ranking by the reviewers' score, highest first."),
                RANKING_BY_INPUT_ORDER: gettext("Ranking in the order the applications were listed."),
            }.get(ranking, gettext("Ranking: %(value)s.") % {"value": ranking})
        )
    partial = params.pop("allow_partial_last", False)
    skip = params.pop("skip_unfundable", False)
    if partial:
        lines.append(
            gettext("When the money runs out, the next application gets what is left (partly funded).")
        )
    elif skip:
        lines.append(
            gettext("An application that cannot be funded in full is skipped: later, smaller ones may be.")
        )
    elif ranked:
        lines.append(gettext("The ranking stops at the first application that cannot be funded in full."))
    if "weight_label" in params:
        lines.append(gettext("Weight: %(label)s.") % {"label": params.pop("weight_label")})
    if "source" in params:
        lines.append(gettext("Source of the figures: %(source)s.") % {"source": params.pop("source")})
    lines.extend(f"{key}: {value}" for key, value in params.items())
    return lines
