"""The funding reports, autodiscovered by reporting.registry: chapter status by year, programme
summary, applications register, expense lines, liquidations and the beneficiary statement.

Rows come from the funding selectors, so a report shows what its user may see; long ones are read
with values_list(...).iterator(chunk_size=CHUNK_SIZE) in one query whatever their length. Money
stays a Decimal to the cent (the selectors' MoneyField output) and is formatted by the renderers.
The allocation annex and the ranking (graduatoria) are declared in their own module.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from funding.allocation.percentage_capped_ranked import clean_cap, clean_percentage, requested_contribution
from funding.choices import (
    ActType,
    AllocationMethod,
    ApplicationStatus,
    CommitmentStatus,
    EligibleBasis,
    LiquidationReason,
)
from funding.filtersets import ApplicationFilterSet, ExpenseLineFilterSet, LiquidationFilterSet
from funding.forms.reports import (
    BeneficiaryStatementReportForm,
    ChapterStatusReportForm,
    ProgrammeSummaryReportForm,
    TransparencyReportForm,
)
from funding.models import Action, AllocationRow, Call, Programme
from funding.selectors import (
    MONEY,
    application_list,
    chapter_status,
    commitment_status,
    expense_line_list,
    liquidation_list,
    reservation_status,
)
from funding.services.expenses import LINE_FIELDS
from funding.transparency import COLUMNS as TRANSPARENCY_COLUMNS
from funding.transparency import TransparencyFilters, transparency_count, transparency_rows
from portal.constants import ZERO
from portal.permissions import EXPORT, EXPORT_OWN
from reporting.document import ReportDocument
from reporting.registry import Column, ColumnType, Report, filter_queryset, register

CHUNK_SIZE = 2000
ACT_KINDS = {ActType.DCR: "DCR", ActType.DGR: "DGR", ActType.DD: "DD"}


# --- Text of acts, chapters and programmes ------------------------------------------------------------
def act_formatter() -> Callable[..., str]:
    """`act(type, number, date)` -> "DD n. 129 del 23/04/2020" in the active language."""
    template = gettext("%(kind)s n. %(number)s of %(date)s")
    other = gettext("Act")

    def act(act_type, number, date) -> str:
        kind = ACT_KINDS.get(act_type, other)
        return template % {"kind": kind, "number": number, "date": date.strftime("%d/%m/%Y")}

    return act


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


def _call_title(prefix: str = ""):
    """The call a grant came from: through its application, or through the split that made it."""
    return Coalesce(
        f"{prefix}application__call__title", f"{prefix}allocation_row__allocation__call__title", Value("")
    )


def _money_columns(*figures: tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(key, label, ColumnType.MONEY, total=True) for key, label in figures)


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
            Column("year", _("Year"), ColumnType.INT, width=6),
            Column("chapter", _("Chapter"), width=13),
            Column("missione", _("Missione"), width=8),
            Column("programma", _("Programma"), width=9),
            Column("description", _("Description"), width=30),
            *_money_columns(
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
RESERVATION_FIGURES = ("amount", "committed", "liquidated", "economies", "uncommitted")


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
            Column("chapter", _("Chapter"), width=12),
            Column("act", _("Reservation act"), width=20),
            *_money_columns(
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


# --- Applications register ----------------------------------------------------------------------------
def _applications(*, user, params):
    qs = filter_queryset(ApplicationFilterSet, application_list(user=user), params)
    if not params.get("status"):
        qs = qs.exclude(status=ApplicationStatus.DRAFT)  # a register lists what was filed
    return qs.order_by("submitted_at", "pk")


class _Requested:
    """What an application asks for: the figure of its latest ranking or split; before any, for a
    percentage call, the call's percentage of its quote up to the cap (the ranking's own rule)."""

    def __init__(self):
        self.terms: dict[int, tuple | None] = {}

    def __call__(self, ranked, call_id, method, params, basis, net, vat):
        if ranked is not None:
            return ranked
        if method != AllocationMethod.PERCENTAGE_CAPPED or net is None:
            return None
        if call_id not in self.terms:
            try:
                self.terms[call_id] = (
                    clean_percentage(params.get("percentage")),
                    clean_cap(params.get("cap")),
                )
            except (ValueError, AttributeError):
                self.terms[call_id] = None
        if self.terms[call_id] is None:
            return None
        percentage, cap = self.terms[call_id]
        expense = net + (vat or ZERO) if basis == EligibleBasis.GROSS else net
        return requested_contribution(expense=expense, percentage=percentage, cap=cap)


def application_rows(*, user, params):
    latest = AllocationRow.objects.filter(application=OuterRef("pk")).order_by("-allocation_id")
    rows = (
        _applications(user=user, params=params)
        .annotate(ranked_request=Subquery(latest.values("requested")[:1], output_field=MONEY))
        .values_list(
            "protocol_number",
            "call__title",
            "applicant__name",
            "applicant__tax_code",
            "status",
            "granted_amount",
            "submitted_at",
            "ranked_request",
            "call_id",
            "call__allocation_method",
            "call__allocation_params",
            "call__eligible_basis",
            "quote_net",
            "quote_vat",
        )
    )
    labels = {value: str(label) for value, label in ApplicationStatus.choices}
    requested = _Requested()
    for protocol, call, applicant, tax_code, status, granted, submitted_at, *request in rows.iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield (
            protocol,
            call,
            applicant,
            tax_code,
            labels[status],
            requested(*request),
            granted,
            submitted_at,
        )


def application_count(*, user, params) -> int:
    return _applications(user=user, params=params).count()


def application_subtitle(params) -> list[str]:
    return call_lines(params.get("call"))


APPLICATIONS = register(
    Report(
        key="funding.applications",
        title=_("Applications register"),
        description=_(
            "Applications filed, with protocol number, call, applicant, status, the amount requested "
            "and granted and when they were submitted."
        ),
        capability=EXPORT,
        filterset_class=ApplicationFilterSet,
        subtitle=application_subtitle,
        columns=(
            Column("protocol_number", _("Protocol number"), width=14),
            Column("call", _("Call"), width=30),
            Column("applicant", _("Applicant"), width=28),
            Column("tax_code", _("Tax code"), width=17),
            Column("status", _("Status"), width=14),
            *_money_columns(("requested", _("Amount requested")), ("granted", _("Amount granted"))),
            Column("submitted_at", _("Submitted at"), ColumnType.DATETIME),
        ),
        rows=application_rows,
        count=application_count,
    )
)


# --- Expense reports: one row per invoice line ---------------------------------------------------------
def _expense_lines(*, user, params):
    return filter_queryset(ExpenseLineFilterSet, expense_line_list(user=user), params)


def expense_rows(*, user, params):
    """Each line with its eligible amount: the net or the total (the call's basis; VAT included when
    the grant has no call), nothing for a line found not eligible, blank while undecided."""
    rows = (
        _expense_lines(user=user, params=params)
        .annotate(
            call_title=_call_title("report__commitment__"),
            basis=Coalesce(
                "report__commitment__application__call__eligible_basis",
                "report__commitment__allocation_row__allocation__call__eligible_basis",
                Value(EligibleBasis.GROSS),
            ),
        )
        .order_by("report__commitment__beneficiary__name", "report_id", "invoice_date", "pk")
        .values_list(
            "report__commitment__beneficiary__name",
            "call_title",
            "report_id",
            *LINE_FIELDS,  # supplier, partita IVA, invoice number and date, description, net, VAT, total
            "eligible",
            "basis",
        )
    )
    yes, no = str(_("yes")), str(_("no"))
    for *line, net, vat, total, eligible, basis in rows.iterator(chunk_size=CHUNK_SIZE):
        if eligible is None:
            flag, amount = "", None
        elif eligible:
            flag, amount = yes, (net if basis == EligibleBasis.NET else total)
        else:
            flag, amount = no, ZERO
        yield (*line, net, vat, total, flag, amount)


def expense_count(*, user, params) -> int:
    return _expense_lines(user=user, params=params).count()


def expense_subtitle(params) -> list[str]:
    return call_lines(params.get("call"))


EXPENSES = register(
    Report(
        key="funding.expenses",
        title=_("Expense reports: invoice lines"),
        description=_(
            "Every invoice line of the beneficiaries' expense reports, with supplier, amounts and whether "
            "the Region found it eligible."
        ),
        capability=EXPORT,
        filterset_class=ExpenseLineFilterSet,
        subtitle=expense_subtitle,
        columns=(
            Column("beneficiary", _("Beneficiary"), width=24),
            Column("call", _("Call"), width=24),
            Column("report", _("Report no."), ColumnType.INT, width=8),
            Column("supplier", _("Supplier"), width=22),
            Column("supplier_vat_number", _("Partita IVA"), width=12),
            Column("invoice_number", _("Invoice number"), width=12),
            Column("invoice_date", _("Invoice date"), ColumnType.DATE),
            Column("description", _("Description"), width=30),
            *_money_columns(("net", _("Net")), ("vat", _("VAT")), ("total", _("Total"))),
            Column("eligible", _("Eligible"), width=8),
            Column("eligible_amount", _("Eligible amount"), ColumnType.MONEY, total=True),
        ),
        rows=expense_rows,
        count=expense_count,
        dense=True,
    )
)


# --- Liquidations ----------------------------------------------------------------------------------
def _liquidations(*, user, params):
    return filter_queryset(LiquidationFilterSet, liquidation_list(user=user), params).order_by("date", "pk")


def liquidation_rows(*, user, params):
    rows = _liquidations(user=user, params=params).values_list(
        "date",
        "act_type",
        "act_number",
        "act_date",
        "reason",
        "commitment__beneficiary__name",
        "commitment__reservation__chapter__number",
        "commitment__reservation__chapter__article",
        "commitment__reservation__chapter__year",
        "commitment__act_type",
        "commitment__act_number",
        "commitment__act_date",
        "amount",
        "payment_date",
    )
    act = act_formatter()
    reasons = {value: str(label) for value, label in LiquidationReason.choices}
    for (
        date,
        act_type,
        act_number,
        act_date,
        reason,
        beneficiary,
        number,
        article,
        year,
        commitment_type,
        commitment_number,
        commitment_date,
        amount,
        payment_date,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        yield (
            date,
            act(act_type, act_number, act_date),
            reasons.get(reason, reason),
            beneficiary,
            chapter_text(number, article, year),
            act(commitment_type, commitment_number, commitment_date),
            amount,
            payment_date,
        )


def liquidation_count(*, user, params) -> int:
    return _liquidations(user=user, params=params).count()


LIQUIDATIONS = register(
    Report(
        key="funding.liquidations",
        title=_("Liquidations register"),
        description=_(
            "Every liquidation with its act, causale (advance or balance), beneficiary, the commitment it "
            "draws on and the amount."
        ),
        capability=EXPORT,
        filterset_class=LiquidationFilterSet,
        columns=(
            Column("date", _("Date"), ColumnType.DATE),
            Column("act", _("Liquidation act"), width=22),
            Column("reason", _("Causale"), width=14),
            Column("beneficiary", _("Beneficiary"), width=28),
            Column("chapter", _("Chapter"), width=12),
            Column("commitment", _("Commitment act"), width=22),
            Column("amount", _("Amount"), ColumnType.MONEY, total=True),
            Column("payment_date", _("Payment date"), ColumnType.DATE),
        ),
        rows=liquidation_rows,
        count=liquidation_count,
    )
)


# --- Beneficiary statement ---------------------------------------------------------------------------
def _statement(*, user, params):
    """commitment_status is scoped to the user: an applicant reads only their own organisations."""
    return commitment_status(user=user).filter(beneficiary=params["organisation"]).order_by("act_date", "pk")


def statement_rows(*, user, params):
    rows = (
        _statement(user=user, params=params)
        .annotate(call_title=_call_title())
        .values_list(
            "act_type",
            "act_number",
            "act_date",
            "reservation__chapter__number",
            "reservation__chapter__article",
            "reservation__chapter__year",
            "call_title",
            "reservation__action__axis__number",
            "reservation__action__number",
            "reservation__action__title",
            "cup",
            "status",
            "amount",
            "economies_sum",
            "liquidated_sum",
            "unliquidated",
        )
    )
    act = act_formatter()
    statuses = {value: str(label) for value, label in CommitmentStatus.choices}
    for (
        act_type,
        act_number,
        act_date,
        number,
        article,
        year,
        call_title,
        axis,
        action_number,
        action_title,
        cup,
        status,
        *money,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        yield (
            act(act_type, act_number, act_date),
            chapter_text(number, article, year),
            call_title or f"{axis}.{action_number} {action_title}",
            cup,
            statuses.get(status, status),
            *money,
        )


def statement_count(*, user, params) -> int:
    return _statement(user=user, params=params).count()


def statement_subtitle(params) -> list[str]:
    organisation = params["organisation"]
    lines = []
    if organisation.tax_code:
        lines.append(gettext("Tax code: %(code)s") % {"code": organisation.tax_code})
    programmes = Programme.objects.filter(
        axes__actions__reservations__commitments__beneficiary=organisation
    ).distinct()
    return lines + programme_lines(programmes.order_by("start_year", "title"))


BENEFICIARY_STATEMENT = register(
    Report(
        key="funding.beneficiary_statement",
        title=_("Beneficiary statement"),
        description=_(
            "Everything one organisation was granted and paid: per commitment, the act, the call or "
            "action, the amount committed, economies, what was liquidated and what is still to pay."
        ),
        capability=EXPORT_OWN,
        form_class=BeneficiaryStatementReportForm,
        subtitle=statement_subtitle,
        columns=(
            Column("act", _("Commitment act"), width=22),
            Column("chapter", _("Chapter"), width=12),
            Column("call", _("Call or action"), width=34),
            Column("cup", _("CUP"), width=16),
            Column("status", _("Status"), width=11),
            *_money_columns(
                ("committed", _("Committed")),
                ("economies", _("Economies")),
                ("liquidated", _("Liquidated")),
                ("to_pay", _("Still to pay")),
            ),
        ),
        rows=statement_rows,
        count=statement_count,
    )
)


# --- Transparency register (D.Lgs. 33/2013 art. 26-27) -----------------------------------------------------
def _transparency_filters(params) -> TransparencyFilters:
    return TransparencyFilters(
        year=params.get("year"),
        beneficiary=params.get("beneficiary") or "",
        method=params.get("method") or "",
    )


def transparency_report_rows(*, user, params):
    """Published data only, the same for everyone: the user changes nothing."""
    return transparency_rows(filters=_transparency_filters(params))


def transparency_report_count(*, user, params) -> int:
    return transparency_count(filters=_transparency_filters(params))


_TRANSPARENCY_TYPES = {
    "year": (ColumnType.INT, False),
    "amount": (ColumnType.MONEY, True),
    "published_at": (ColumnType.DATE, False),
}

# In the catalogue for officials and auditors, who check what was published; the public page
# (funding:transparency, no login) serves the same definition through transparency_public_document.
TRANSPARENCY = register(
    Report(
        key="funding.transparency",
        title=_("Published grants (D.Lgs. 33/2013, art. 26-27)"),
        description=_(
            "The public register of grants over 1,000 euros per beneficiary and year, with the fields of "
            "art. 27; for natural persons, no tax code."
        ),
        capability=EXPORT,
        form_class=TransparencyReportForm,
        references=(_("D.Lgs. 14 marzo 2013, n. 33, art. 26 and 27"),),
        columns=tuple(
            Column(key, label, *_TRANSPARENCY_TYPES.get(key, (ColumnType.TEXT, False)))
            for key, label in TRANSPARENCY_COLUMNS
        ),
        rows=transparency_report_rows,
        count=transparency_report_count,
        dense=True,
    )
)


def transparency_public_document(filters: TransparencyFilters) -> ReportDocument:
    """The public register as open data: the table alone (header on row 1), for anyone, no author."""
    return ReportDocument(
        report=TRANSPARENCY,
        rows=transparency_rows(filters=filters),
        title=str(TRANSPARENCY.title),
        heading=False,
    )
