"""What the funding reports share: chunk size, and how acts, chapters, programmes and calls read."""

from collections.abc import Callable, Iterable

from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from funding.acts import act_text
from funding.models import Call, Programme
from reporting.registry import Column, ColumnType

CHUNK_SIZE = 2000


# --- Text of acts, chapters and programmes ------------------------------------------------------------
def act_formatter() -> Callable[..., str]:
    """`act(type, number, date)` -> "DD n. 129 del 23/04/2020" in the active language."""
    return act_text


def chapter_text(number: str, article: str, year: int) -> str:
    """As BudgetChapter.__str__: 151120/2020, or 151120/1/2020 with an article."""
    return f"{number}/{article}/{year}" if article else f"{number}/{year}"


def programme_lines(programmes: Iterable[Programme]) -> list[str]:
    """One line per programme: its approving act, title and years."""
    template = gettext("%(act)s: %(title)s %(start)s-%(end)s")
    return [
        template % {"act": p.act_label, "title": p.title, "start": p.start_year, "end": p.end_year}
        for p in programmes
    ]


def call_lines(call: Call | None) -> list[str]:
    if call is None or not call.legal_references:
        return []
    return [
        gettext("Legal references: %(references)s") % {"references": " ".join(call.legal_references.split())}
    ]


def grant_call_title(prefix: str = ""):
    """The call a grant came from: through its application, or through the split that made it."""
    return Coalesce(
        f"{prefix}application__call__title", f"{prefix}allocation_row__allocation__call__title", Value("")
    )


def money_columns(*figures: tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(key, label, ColumnType.MONEY, total=True) for key, label in figures)
