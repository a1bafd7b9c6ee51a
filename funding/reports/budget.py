"""Budget reports: the chapters' status by year and the programme summary (axes, actions, reservations)."""

from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from funding.forms.reports import ChapterStatusReportForm, ProgrammeSummaryReportForm
from funding.models import Action, Programme
from funding.reports.common import CHUNK_SIZE, act_formatter, chapter_text, money_columns, programme_lines
from funding.selectors import chapter_status, reservation_status
from portal.permissions import EXPORT
from reporting.registry import Column, ColumnType, Report, register

# --- Chapter status by year ----------------------------------------------------------------------------
CHAPTER_FIGURES = ("appropriation", "reserved", "committed", "liquidated", "economies", "available")


def chapter_status_rows(*, user, params):
    rows = chapter_status(user=user, year=params.get("year")).values_list(
        "year", "number", "article", "missione", "programma", "description", *CHAPTER_FIGURES
    )
    for year, number, article, missione, programma, description, *figures in rows.iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield (year, chapter_text(number, article, year), missione, programma, description, *figures)


def chapter_status_count(*, user, params) -> int:
    return chapter_status(user=user, year=params.get("year")).count()


def chapter_status_subtitle(params) -> list[str]:
    programmes = Programme.objects.order_by("start_year", "title")
    if params.get("year"):
        programmes = programmes.filter(start_year__lte=params["year"], end_year__gte=params["year"])
    return programme_lines(programmes)


CHAPTER_STATUS = register(
    Report(
        key="funding.chapter_status",
        title=_("Budget chapters: status by year"),
        description=_(
            "Every chapter-year with its appropriation and what was reserved, committed, liquidated, "
            "given back as economies and is still available."
        ),
        capability=EXPORT,
        form_class=ChapterStatusReportForm,
        subtitle=chapter_status_subtitle,
        columns=(
            Column("year", _("Year"), ColumnType.CODE, width=6),
            Column("chapter", _("Chapter"), ColumnType.CODE, width=13),
            Column("missione", _("Missione"), width=8),
            Column("programma", _("Programma"), width=9),
            Column("description", _("Description"), width=30),
            *money_columns(
                ("appropriation", _("Appropriation")),
                ("reserved", _("Reserved")),
                ("committed", _("Committed")),
                ("liquidated", _("Liquidated")),
                ("economies", _("Economies")),
                ("available", _("Available")),
            ),
        ),
        rows=chapter_status_rows,
        count=chapter_status_count,
    )
)


# --- Programme summary: axes -> actions -> reservations -------------------------------------------------
RESERVATION_FIGURES = ("amount", "committed", "liquidated", "economies", "available")


def _actions(programme: Programme):
    return (
        Action.objects.filter(axis__programme=programme)
        .select_related("axis")
        .order_by("axis__number", "number")
    )


def programme_summary_rows(*, user, params):
    """One row per reservation, in the order of axes and actions; an action with no money yet has one
    row with empty figures."""
    programme = params["programme"]
    act = act_formatter()
    reservations = defaultdict(list)
    figures = (
        reservation_status(user=user)
        .filter(action__axis__programme=programme)
        .order_by("chapter__year", "chapter__number", "pk")
        .values_list(
            "action_id",
            "chapter__number",
            "chapter__article",
            "chapter__year",
            "act_type",
            "act_number",
            "act_date",
            *RESERVATION_FIGURES,
        )
    )
    for action_id, number, article, year, act_type, act_number, act_date, *money in figures:
        reservations[action_id].append(
            (chapter_text(number, article, year), act(act_type, act_number, act_date), *money)
        )
    for action in _actions(programme):
        axis = f"{action.axis.number}. {action.axis.title}"
        label = f"{action.code} {action.title}"
        for reservation in reservations.get(action.pk) or [("", "", *(None,) * len(RESERVATION_FIGURES))]:
            yield (axis, label, *reservation)


def programme_summary_count(*, user, params) -> int:
    counts = _actions(params["programme"]).annotate(n=Count("reservations")).values_list("n", flat=True)
    return sum(max(n, 1) for n in counts)


def programme_summary_subtitle(params) -> list[str]:
    programme = params["programme"]
    return [
        *programme_lines([programme]),
        gettext("Legal basis: %(basis)s") % {"basis": programme.legal_basis},
    ]


PROGRAMME_SUMMARY = register(
    Report(
        key="funding.programme_summary",
        title=_("Programme summary"),
        description=_(
            "Axes, actions and their reservations, with what was committed, liquidated, given back as "
            "economies and is still available to commit."
        ),
        capability=EXPORT,
        form_class=ProgrammeSummaryReportForm,
        subtitle=programme_summary_subtitle,
        columns=(
            Column("axis", _("Axis"), width=22),
            Column("action", _("Action"), width=34),
            Column("chapter", _("Chapter"), ColumnType.CODE, width=12),
            Column("act", _("Reservation act"), width=20),
            *money_columns(
                ("reserved", _("Reserved")),
                ("committed", _("Committed")),
                ("liquidated", _("Liquidated")),
                ("economies", _("Economies")),
                ("available", _("Available")),
            ),
        ),
        rows=programme_summary_rows,
        count=programme_summary_count,
        dense=True,
    )
)
