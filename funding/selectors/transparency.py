"""Transparency (D.Lgs. 33/2013 art. 26-27): which grants must be published, and the public rows.

A grant is a commitment to a beneficiary. Art. 26 c. 2 requires publication when the grants to the
same beneficiary in the solar year exceed €1,000. Art. 27 fixes the fields. For natural persons
(taxi licensees) only the name is published: no tax code, nothing about health or hardship.
The publication itself is funding.services.transparency.
"""

import functools
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funding.acts import act_text
from funding.choices import AllocationMethod, CommitmentStatus
from funding.models import Commitment, GrantPublication
from portal.choices import OrganisationKind
from portal.permissions import LEDGER_WRITE, require

THRESHOLD = Decimal("1000.00")
PERSON_KINDS = {OrganisationKind.TAXI_LICENSEE}
DIRECT_ASSIGNMENT = _("Direct assignment by the programme")

COLUMNS = [
    ("year", _("Year")),
    ("beneficiary", _("Beneficiary")),
    ("tax_code", _("Tax code")),
    ("amount", _("Amount (€)")),
    ("legal_basis", _("Legal basis")),
    ("office", _("Responsible office")),
    ("official", _("Responsible official")),
    ("selection_method", _("Selection method")),
    ("act", _("Grant act")),
    ("project_url", _("Link to the project")),
    ("published_at", _("Published on")),
]


def grants_over_threshold(year: int | None = None) -> QuerySet[Commitment]:
    """Non-cancelled commitments whose beneficiary's grants in the same solar year total more than
    THRESHOLD (art. 26 c. 2): the rule alone, for counting and checking; transparency_grants adds
    what the pages show of each."""
    yearly_total = (
        Commitment.objects.filter(
            beneficiary=OuterRef("beneficiary"),
            act_date__year=OuterRef("year"),
        )
        .exclude(status=CommitmentStatus.CANCELLED)
        .order_by()
        .values("beneficiary")
        .annotate(t=Sum("amount"))
        .values("t")
    )
    qs = (
        Commitment.objects.exclude(status=CommitmentStatus.CANCELLED)
        .annotate(year=ExtractYear("act_date"))
        .annotate(beneficiary_year_total=Subquery(yearly_total, output_field=DecimalField()))
        .filter(beneficiary_year_total__gt=THRESHOLD)
    )
    if year is not None:
        qs = qs.filter(act_date__year=year)
    return qs


def with_grant_details(qs: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """`qs` with what the transparency pages show of each grant: beneficiary, publication, the
    programme's act, the application's or the allocation's call."""
    return qs.select_related(
        "beneficiary",
        "publication",
        "reservation__action__axis__programme",
        "application__call",
        "allocation_row__allocation__call",
    ).defer(
        # The allocation's inputs (every comune's weight: 168 KB for the COVID split) are never
        # shown here; loading them decoded the blob once per row (issue 14).
        "allocation_row__allocation__inputs"
    )


def transparency_grants(year: int | None = None) -> QuerySet[Commitment]:
    """Non-cancelled commitments with the beneficiary's total for the same solar year."""
    return with_grant_details(grants_over_threshold(year))


def awaits_publication(commitment: Commitment) -> bool:
    """True while a grant that must be published (art. 26 c. 2) is not: until then it has no effect
    (art. 26 c. 3), so nothing may be paid on it."""
    return grants_pending_publication().filter(pk=commitment.pk).exists()


def grants_pending_publication(year: int | None = None) -> QuerySet[Commitment]:
    """Grants the law requires to publish that are not published yet (no effect until they are). The
    rows alone: counting them (the official's home) or checking one (a liquidation) joins nothing
    else; compiling the five joins of the pages' rows cost as much as running the count (issue 14)."""
    return _grants_pending_publication(year).all()


@functools.lru_cache(maxsize=16)
def _grants_pending_publication(year: int | None) -> QuerySet[Commitment]:
    """Built once per process and year, never evaluated: its callers get a copy. Building the rule's
    two subqueries cost half the Python work of counting the grants on the official's home."""
    return (
        grants_over_threshold(year)
        .filter(publication__isnull=True, beneficiary__in=_beneficiaries_over_threshold())
        .order_by("act_date", "pk")
    )


def _beneficiaries_over_threshold() -> QuerySet[Commitment]:
    """The beneficiaries that have a solar year over the threshold, in one grouped pass over the
    ledger: a necessary condition of the rule, which the database tests first when it looks for the
    grants still to publish among all commitments (most are under the threshold and never published),
    so the yearly total runs for their commitments only (counting them on the official's home: 2.8 ->
    0.9 ms of PostgreSQL for 1,197 commitments; issue 14). The published grants' pages start from the
    publications and need no such filter."""
    return (
        Commitment.objects.exclude(status=CommitmentStatus.CANCELLED)
        .order_by()
        .values("beneficiary", solar_year=ExtractYear("act_date"))
        .annotate(total=Sum("amount"))
        .filter(total__gt=THRESHOLD)
        .values("beneficiary")
    )


def grants_to_publish(*, user, year: int | None = None) -> QuerySet[Commitment]:
    require(user, LEDGER_WRITE)
    return with_grant_details(grants_pending_publication(year))


@dataclass(frozen=True)
class PublicationSummary:
    """What a publication would do, said before it is done: how many grants, to whom, for how much."""

    grants: list[Commitment]
    beneficiaries: list[tuple[str, int, Decimal]]  # name, number of grants, their total
    total: Decimal

    @property
    def count(self) -> int:
        return len(self.grants)


def publication_summary(commitments: list[Commitment]) -> PublicationSummary:
    by_beneficiary: dict[str, tuple[int, Decimal]] = {}
    for commitment in commitments:
        name = commitment.beneficiary.name
        count, total = by_beneficiary.get(name, (0, Decimal("0.00")))
        by_beneficiary[name] = (count + 1, total + commitment.amount)
    return PublicationSummary(
        grants=list(commitments),
        beneficiaries=[(name, n, total) for name, (n, total) in sorted(by_beneficiary.items())],
        total=sum((c.amount for c in commitments), Decimal("0.00")),
    )


def published_years() -> list[int]:
    """The years with published grants, the latest first: a few rows from the database, not the act
    date of every publication (1,181 for the COVID split alone)."""
    return list(
        GrantPublication.objects.annotate(year=ExtractYear("commitment__act_date"))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


@dataclass
class TransparencyFilters:
    year: int | None = None
    beneficiary: str = ""
    method: str = ""


def _published(filters: TransparencyFilters) -> QuerySet[Commitment]:
    qs = (
        transparency_grants(filters.year)
        .filter(publication__isnull=False)
        .order_by("act_date", "beneficiary__name", "pk")
    )
    if filters.beneficiary:
        qs = qs.filter(beneficiary__name__icontains=filters.beneficiary)
    if filters.method:
        qs = qs.filter(
            Q(application__call__allocation_method=filters.method)
            | Q(allocation_row__allocation__call__allocation_method=filters.method)
        )
    return qs


def project_url(code: str) -> str:
    """The art. 27 link to the project: the public page of the call `code`, absolute."""
    return settings.SITE_URL.rstrip("/") + reverse("funding:call_detail", args=[code])


def transparency_count(*, filters: TransparencyFilters) -> int:
    return _published(filters).count()


# What a row of the register reads: values, not model instances (a page of 50 grants built 550 of
# them, the commitment and ten related rows each, for eleven columns: issue 14).
_CALL_FIELDS = ("code", "legal_references", "responsible_office", "responsible_official", "allocation_method")
_APPLICATION_CALL = "application__call__"
_ALLOCATION_CALL = "allocation_row__allocation__call__"
ROW_VALUES = (
    "act_date",
    "act_type",
    "act_number",
    "amount",
    "beneficiary__name",
    "beneficiary__kind",
    "beneficiary__tax_code",
    "publication__published_at",
    "reservation__action__axis__programme__legal_basis",
    *(_APPLICATION_CALL + f for f in _CALL_FIELDS),
    *(_ALLOCATION_CALL + f for f in _CALL_FIELDS),
)


def transparency_queryset(*, filters: TransparencyFilters) -> QuerySet:
    """The published grants in the order of the register, as the values transparency_row reads, for a
    paginator (one page in SQL)."""
    return _published(filters).values(*ROW_VALUES)


def _call(values: dict) -> dict | None:
    """The call of the grant: its application's, else its allocation's; None for a direct grant."""
    for prefix in (_APPLICATION_CALL, _ALLOCATION_CALL):
        if values[prefix + "code"] is not None:
            return {f: values[prefix + f] for f in _CALL_FIELDS}
    return None


def transparency_row(values: dict) -> dict:
    """The art. 27 fields of one published grant (no tax code for natural persons), from a row of
    transparency_queryset."""
    call = _call(values)
    return {
        "year": values["act_date"].year,
        "beneficiary": values["beneficiary__name"],
        "tax_code": "" if values["beneficiary__kind"] in PERSON_KINDS else values["beneficiary__tax_code"],
        "amount": values["amount"],
        "legal_basis": (
            call["legal_references"]
            if call and call["legal_references"]
            else values["reservation__action__axis__programme__legal_basis"]
        ),
        "office": (call["responsible_office"] if call else "") or settings.TRANSPARENCY_OFFICE,
        "official": (call["responsible_official"] if call else "") or settings.TRANSPARENCY_OFFICIAL,
        "selection_method": str(AllocationMethod(call["allocation_method"]).label)
        if call
        else str(DIRECT_ASSIGNMENT),
        "act": act_text(values["act_type"], values["act_number"], values["act_date"]),
        "project_url": project_url(call["code"]) if call else "",
        "published_at": values["publication__published_at"].date(),
    }


def transparency_rows(*, filters: TransparencyFilters):
    """Public rows of published grants, one per grant act, lazily (500 from the database at a time)."""
    for values in transparency_queryset(filters=filters).iterator(chunk_size=500):
        yield transparency_row(values)


def default_year(years: list[int] | None = None) -> int:
    """The latest year with published grants (of `years` when the caller has read them already)."""
    years = published_years() if years is None else years
    return years[0] if years else timezone.localdate().year
