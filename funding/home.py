"""The work queues of the official's and the applicant's home pages: what needs them now, counted in a
fixed number of queries whatever the data (tests pin them), and registered with portal.home by
funding.apps."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funding.choices import (
    AllocationStatus,
    ApplicationStatus,
    CallStatus,
    DocumentStage,
    ExpenseReportStatus,
)
from funding.models import (
    Allocation,
    Application,
    BudgetChapter,
    Call,
    Document,
    ExpenseReport,
    RequiredDocument,
)
from funding.selectors import CHAPTER_FIGURES, OpenCall, calls_open_for, chapter_figures, reportable_grants
from funding.selectors.transparency import grants_pending_publication
from funding.services.applications import field_label, missing_fields
from funding.services.calls import local_time
from portal.choices import Role
from portal.money import quantize_money
from portal.permissions import LEDGER_WRITE, READ_ALL, REVIEW_APPLICATIONS, can, organisation_ids_with_role

CLOSING_WITHIN_DAYS = 14
# The figures of a chapter drawn on the official's home, in the order of the phases of spending.
# The same figures and words as the chapter status page (committed gross of economies).
CHART_FIGURES = (
    ("appropriation", _("Appropriation")),
    ("reserved", pgettext_lazy("ledger figure", "Reserved")),
    ("committed", pgettext_lazy("ledger figure", "Committed")),
    ("liquidated", pgettext_lazy("ledger figure", "Liquidated")),
)


def _days_left(closes_at: datetime.datetime, now: datetime.datetime) -> int:
    """Calendar days in Europe/Rome until the deadline; 0: it is today."""
    return (local_time(closes_at).date() - local_time(now).date()).days


# --- Official ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClosingCall:
    call: Call
    days_left: int
    submitted: int  # applications submitted so far
    drafts: int  # applications still in draft: their authors may be about to submit


@dataclass(frozen=True)
class ChapterUse:
    year: int | None
    is_current_year: bool
    chapters: list  # BudgetChapter rows with the figures of chapter_figures
    totals: dict[str, Decimal]


@dataclass(frozen=True)
class OfficialQueue:
    applications_to_review: int
    reports_to_verify: int
    allocations_proposed: int
    grants_to_publish: int
    grants_to_publish_amount: Decimal
    closing_calls: list[ClosingCall]
    chapter_use: ChapterUse


def chapter_use_year(*, today: datetime.date) -> int | None:
    """This year when it has chapters; otherwise the latest year before it that has, else the first
    one after it (a programme not started yet)."""
    years = list(BudgetChapter.objects.order_by("year").values_list("year", flat=True).distinct())
    if not years:
        return None
    past = [y for y in years if y <= today.year]
    return past[-1] if past else years[0]


def chapter_use(*, user, now: datetime.datetime | None = None) -> ChapterUse:
    """Each chapter's use in the year (appropriation, reserved, committed, liquidated: the figures of
    the chapter status page), with the totals: two queries."""
    today = local_time(now or timezone.now()).date()
    year = chapter_use_year(today=today) if can(user, READ_ALL) else None
    if year is not None:
        chapters, totals = chapter_figures(user=user, year=year)
    else:
        chapters, totals = [], {name: Decimal("0.00") for name in CHAPTER_FIGURES}
    return ChapterUse(year=year, is_current_year=year == today.year, chapters=chapters, totals=totals)


def closing_calls(*, now: datetime.datetime, within_days: int = CLOSING_WITHIN_DAYS) -> list[ClosingCall]:
    """Published calls whose deadline falls within the next `within_days` days, soonest first, with
    how many applications were submitted and are still drafts: one query."""
    calls = (
        Call.objects.filter(
            status=CallStatus.PUBLISHED,
            closes_at__gte=now,
            closes_at__lte=now + datetime.timedelta(days=within_days),
        )
        .annotate(
            n_submitted=Count("applications", filter=~Q(applications__status__in=_NOT_SUBMITTED)),
            n_drafts=Count("applications", filter=Q(applications__status=ApplicationStatus.DRAFT)),
        )
        .order_by("closes_at", "title")
    )
    return [
        ClosingCall(
            call=c, days_left=_days_left(c.closes_at, now), submitted=c.n_submitted, drafts=c.n_drafts
        )
        for c in calls
    ]


_NOT_SUBMITTED = (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN)


def official_queue(*, user, now: datetime.datetime | None = None) -> OfficialQueue | None:
    """What waits for a regional official: seven queries for any amount of data."""
    if not (can(user, REVIEW_APPLICATIONS) and can(user, LEDGER_WRITE)):
        return None
    now = now or timezone.now()
    grants = grants_pending_publication().order_by().aggregate(n=Count("pk"), total=Sum("amount"))
    return OfficialQueue(
        applications_to_review=Application.objects.filter(status=ApplicationStatus.SUBMITTED).count(),
        reports_to_verify=ExpenseReport.objects.filter(status=ExpenseReportStatus.SUBMITTED).count(),
        allocations_proposed=Allocation.objects.filter(status=AllocationStatus.PROPOSED).count(),
        grants_to_publish=grants["n"],
        grants_to_publish_amount=quantize_money(grants["total"] or Decimal("0.00")),
        closing_calls=closing_calls(now=now),
        chapter_use=chapter_use(user=user, now=now),
    )


def chart_data(use: ChapterUse) -> dict:
    """What the chart script draws (amounts as strings of euros: JSON has no decimals); the table
    beside it has the same figures."""
    return {
        "labels": [str(c) for c in use.chapters],
        "datasets": [
            {"key": key, "label": str(label), "data": [str(getattr(c, key)) for c in use.chapters]}
            for key, label in CHART_FIGURES
        ],
    }


# --- Applicant ---------------------------------------------------------------------------------------------
@dataclass
class Draft:
    application: Application
    fields: list[str] = field(default_factory=list)  # labels of the data still to fill in
    documents: list[RequiredDocument] = field(default_factory=list)
    days_left: int | None = None
    deadline_passed: bool = False


@dataclass(frozen=True)
class ApplicantQueue:
    open_calls: list[OpenCall]  # soonest deadline first
    drafts: list[Draft]
    missing_documents: int
    reports_to_start: list  # grants with money to liquidate and no report in progress
    reports_in_progress: list[ExpenseReport]  # drafts and those returned for corrections
    reports_waiting: int  # sent, waiting for the Region's verification

    @property
    def calls_to_apply(self) -> list[OpenCall]:
        """Open calls (or about to open) to which one of the user's organisations may still apply."""
        return [c for c in self.open_calls if c.organisations]

    @property
    def reports_due(self) -> int:
        return len(self.reports_to_start) + len(self.reports_in_progress)


DRAFT_LIMIT = 50


def _drafts(*, org_ids: set[int], now: datetime.datetime) -> list[Draft]:
    """The organisations' draft applications with what each still lacks: three queries for any number."""
    applications = list(
        Application.objects.filter(applicant_id__in=org_ids, status=ApplicationStatus.DRAFT)
        .select_related("call", "applicant")
        .order_by("call__closes_at", "pk")[:DRAFT_LIMIT]
    )
    if not applications:
        return []
    required: dict[int, list[RequiredDocument]] = {}
    for doc in RequiredDocument.objects.filter(
        call_id__in={a.call_id for a in applications}, stage=DocumentStage.APPLICATION, mandatory=True
    ).order_by("pk"):
        required.setdefault(doc.call_id, []).append(doc)
    present = set(
        Document.objects.filter(
            application__in=applications, is_current=True, required_document__isnull=False
        ).values_list("application_id", "required_document_id")
    )
    drafts = []
    for a in applications:
        closes_at = a.call.closes_at
        drafts.append(
            Draft(
                application=a,
                fields=[str(field_label(name)) for name in missing_fields(a)],
                documents=[d for d in required.get(a.call_id, []) if (a.pk, d.pk) not in present],
                days_left=_days_left(closes_at, now) if closes_at else None,
                deadline_passed=closes_at is not None and now > closes_at,
            )
        )
    return drafts


REPORT_LIMIT = 50


def _grant_shown(prefix: str = "") -> dict:
    """What the queue shows of a grant: its beneficiary's name and the title of its call (through its
    application or its allocation), else its description. Two annotations, not the rows of the five
    related tables (select_related's joins cost the ORM twice the work of the query itself)."""
    return {
        "grant_beneficiary": F(f"{prefix}beneficiary__name"),
        "grant_title": Coalesce(
            f"{prefix}application__call__title",
            f"{prefix}allocation_row__allocation__call__title",
            f"{prefix}description",
            output_field=CharField(),
        ),
    }


def applicant_queue(*, user, now: datetime.datetime | None = None) -> ApplicantQueue:
    """What waits for an applicant, across the organisations they apply for and no other."""
    now = now or timezone.now()
    org_ids = organisation_ids_with_role(user, Role.APPLICANT)
    reports = ExpenseReport.objects.filter(commitment__beneficiary_id__in=org_ids)
    in_progress = list(
        reports.filter(status__in=(ExpenseReportStatus.DRAFT, ExpenseReportStatus.RETURNED))
        .only("status", "updated_at", "commitment")
        .annotate(**_grant_shown("commitment__"))
        .order_by("-updated_at", "-pk")[:REPORT_LIMIT]
    )
    open_report = ExpenseReport.objects.filter(
        commitment=OuterRef("pk"),
        status__in=(ExpenseReportStatus.DRAFT, ExpenseReportStatus.RETURNED, ExpenseReportStatus.SUBMITTED),
    )
    to_start = list(
        reportable_grants(user=user)
        .select_related(None)
        .filter(~Exists(open_report))
        .only("amount", "economies_total", "liquidated_total", "act_date")
        .annotate(**_grant_shown())[:REPORT_LIMIT]
    )
    drafts = _drafts(org_ids=org_ids, now=now)
    return ApplicantQueue(
        open_calls=calls_open_for(user=user, now=now),
        drafts=drafts,
        missing_documents=sum(len(d.documents) for d in drafts),
        reports_to_start=to_start,
        reports_in_progress=in_progress,
        reports_waiting=reports.filter(status=ExpenseReportStatus.SUBMITTED).count(),
    )


# --- Registered with portal.home (funding.apps) --------------------------------------------------------
def official_home(request) -> dict:
    queue = official_queue(user=request.user)
    if queue is None:
        return {}
    return {"queue": queue, "chart": chart_data(queue.chapter_use), "chart_figures": CHART_FIGURES}


def applicant_home(request) -> dict:
    return {"queue": applicant_queue(user=request.user)}
