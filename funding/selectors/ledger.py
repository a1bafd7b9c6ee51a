"""Reads of the programme and its budget ledger (chapters, reservations, commitments, liquidations,
economies), scoped to the user; figures are summed from the entries and carry the model's names."""

import functools
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    CharField,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast

from funding.models import (
    Action,
    Axis,
    BudgetChapter,
    Commitment,
    Economy,
    Liquidation,
    Programme,
    Reservation,
)
from funding.selectors.common import (
    Derived,
    annotate_derived,
    funding_scoped,
    is_reader,
    money_sum,
    with_derived,
)
from portal.money import quantize_money
from portal.selectors import audit_event_list

# What a reservation's figures derive from its amount and the sums of its entries.
RESERVATION_DERIVED: Derived = {
    "committed_net": lambda f: f["committed"] - f["economies"],
    "available": lambda f: f["amount"] - f["committed"] + f["economies"],
    "to_liquidate": lambda f: f["committed"] - f["economies"] - f["liquidated"],
}


def _reservation_sums(qs: QuerySet[Reservation]) -> QuerySet[Reservation]:
    return qs.annotate(
        committed=money_sum(Commitment.objects, "reservation"),
        economies=money_sum(Economy.objects, "commitment__reservation"),
        liquidated=money_sum(Liquidation.objects, "commitment__reservation"),
    )


def _reservation_figures(qs: QuerySet[Reservation]) -> QuerySet[Reservation]:
    """Committed, economies and liquidated summed from the entries; then what is committed net of
    economies, still available for commitments and committed but not yet liquidated: under the names
    of the model's figures, which read the running totals instead."""
    return annotate_derived(_reservation_sums(qs), RESERVATION_DERIVED)


def programme_list(*, user) -> QuerySet[Programme]:
    if not user.is_authenticated:
        return Programme.objects.none()
    return Programme.objects.all()


def programme_tree(*, user, programme: Programme) -> QuerySet[Axis]:
    """Axes → actions → reservations (with chapter), in three prefetch queries plus the axes."""
    reservations = _reservation_figures(Reservation.objects.select_related("chapter"))
    if not is_reader(user):
        reservations = reservations.none()
    return (
        Axis.objects.filter(programme=programme)
        .order_by("number")
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.order_by("number")),
            Prefetch("actions__reservations", queryset=reservations.order_by("chapter__year", "pk")),
        )
    )


# What a chapter's figures derive from its appropriation and the four sums of its entries.
CHAPTER_DERIVED: Derived = {
    "available": lambda f: f["appropriation"] - f["reserved"],
    "committed_net": lambda f: f["committed"] - f["economies"],
    "reserved_uncommitted": lambda f: f["reserved"] - f["committed"] + f["economies"],
    "to_liquidate": lambda f: f["committed"] - f["economies"] - f["liquidated"],
}


def _chapter_sums(*, user, year: int | None) -> QuerySet[BudgetChapter]:
    if not is_reader(user):
        return BudgetChapter.objects.none()
    return _chapter_sums_of_year(year).all()


@functools.lru_cache(maxsize=16)
def _chapter_sums_of_year(year: int | None) -> QuerySet[BudgetChapter]:
    """Built once per process and year, never evaluated: its callers get a copy. Building the four
    correlated sums cost half the Python work of the chapter figures (the official's home)."""
    qs = BudgetChapter.objects.annotate(
        reserved=money_sum(Reservation.objects, "chapter"),
        committed=money_sum(Commitment.objects, "reservation__chapter"),
        economies=money_sum(Economy.objects, "commitment__reservation__chapter"),
        liquidated=money_sum(Liquidation.objects, "commitment__reservation__chapter"),
    )
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("year", "number", "article")


def chapter_status(*, user, year: int | None = None) -> QuerySet[BudgetChapter]:
    """Per chapter: appropriation, reserved, committed, economies, liquidated, and what is available."""
    if not is_reader(user):
        return BudgetChapter.objects.none()
    return annotate_derived(_chapter_sums(user=user, year=year), CHAPTER_DERIVED)


def chapter_figures(*, user, year: int | None = None) -> tuple[list[BudgetChapter], dict[str, Decimal]]:
    """chapter_status's rows and their totals row, in one query: the four sums in SQL, the figures
    derived from them by the same rules in Python (a page shows every chapter of a year: a few dozen)."""
    chapters = list(chapter_rows(user=user, year=year))
    totals = {
        name: quantize_money(sum((getattr(c, name) for c in chapters), Decimal("0.00")))
        for name in CHAPTER_FIGURES
    }
    return chapters, totals


def chapter_years() -> list[int]:
    return list(BudgetChapter.objects.order_by("year").values_list("year", flat=True).distinct())


def reservation_list(*, user) -> QuerySet[Reservation]:
    if not is_reader(user):
        return Reservation.objects.none()
    return Reservation.objects.select_related("chapter", "action", "action__axis", "created_by")


def commitment_list(*, user) -> QuerySet[Commitment]:
    """Officials and auditors see all; applicants only their own organisations' commitments."""
    qs = Commitment.objects.select_related(
        "beneficiary",
        "reservation",
        "reservation__chapter",
        "reservation__action",
        "reservation__action__axis",
        "created_by",
    )
    return funding_scoped(qs, user=user, beneficiary="beneficiary_id")


def liquidation_list(*, user) -> QuerySet[Liquidation]:
    qs = Liquidation.objects.select_related(
        "commitment", "commitment__beneficiary", "commitment__reservation__chapter", "created_by"
    )
    return funding_scoped(qs, user=user, beneficiary="commitment__beneficiary_id")


def economy_list(*, user) -> QuerySet[Economy]:
    qs = Economy.objects.select_related(
        "commitment", "commitment__beneficiary", "commitment__reservation__chapter", "created_by"
    )
    return funding_scoped(qs, user=user, beneficiary="commitment__beneficiary_id")


# --- Ledger pages: figures, drill-down and audit trail --------------------------------------------
CHAPTER_FIGURES = (
    "appropriation",
    "reserved",
    "committed",
    "economies",
    "committed_net",
    "liquidated",
    "to_liquidate",
    "available",
)


def reservation_status(*, user) -> QuerySet[Reservation]:
    """reservation_list with the figures of _reservation_figures."""
    return _reservation_figures(reservation_list(user=user))


def reservation_rows(*, user) -> QuerySet[Reservation]:
    """reservation_status with its derived figures computed as the rows are read (with_derived): for
    lists and pages that neither filter nor order on them (the API)."""
    return with_derived(_reservation_sums(reservation_list(user=user)), RESERVATION_DERIVED)


# What a commitment's figures derive from its amount and the sums of its entries.
COMMITMENT_DERIVED: Derived = {
    "net": lambda f: f["amount"] - f["economies_sum"],
    "to_liquidate": lambda f: f["amount"] - f["economies_sum"] - f["liquidated_sum"],
}


def _commitment_sums(qs: QuerySet[Commitment]) -> QuerySet[Commitment]:
    return qs.annotate(
        liquidated_sum=money_sum(Liquidation.objects, "commitment"),
        economies_sum=money_sum(Economy.objects, "commitment"),
    )


def commitment_status(*, user) -> QuerySet[Commitment]:
    """commitment_list with liquidated_sum and economies_sum from the entries (the model's
    `liquidations`/`economies` are the relations), the amount net of economies and what is still to be
    liquidated."""
    return annotate_derived(_commitment_sums(commitment_list(user=user)), COMMITMENT_DERIVED)


# Of the rows commitment_list joins, what the lists show: the chapter's label and year, the action's
# code, the beneficiary's name and tax code, who recorded it. Their other columns (timestamps, the
# chapter's classification, the organisation's addresses...) cost more to read and convert than the
# query costs to run (issue 14: 50 commitments of the API, 11 -> 7 ms).
_COMMITMENT_ROW_RELATED = (
    "created_by__email",
    "reservation__chapter__number",
    "reservation__chapter__article",
    "reservation__chapter__year",
    "reservation__action__number",
    "reservation__action__axis__number",
    "beneficiary__name",
    "beneficiary__tax_code",
)


def commitment_rows(*, user) -> QuerySet[Commitment]:
    """commitment_status with its derived figures computed as the rows are read (with_derived): for
    lists and pages that neither filter nor order on them (the register, the API). Every column of
    the commitment (the services read them), of the rows it joins only what the lists show."""
    own = [field.name for field in Commitment._meta.concrete_fields]
    qs = commitment_list(user=user).only(*own, *_COMMITMENT_ROW_RELATED)
    return with_derived(_commitment_sums(qs), COMMITMENT_DERIVED)


def chapter_rows(*, user, year: int | None = None) -> QuerySet[BudgetChapter]:
    """chapter_status with its derived figures computed as the rows are read (with_derived): the API's
    list and the pages' chapter_figures."""
    return with_derived(_chapter_sums(user=user, year=year), CHAPTER_DERIVED)


def commitment_register(*, user) -> QuerySet[Commitment]:
    """commitment_status for the register page: the columns it shows and the beneficiary's name and the
    chapter, not the wide rows of the reservation's action and axis, the organisation and the recorder."""
    return (
        commitment_rows(user=user)
        .select_related(None)
        .select_related("beneficiary", "reservation__chapter")
        .only(
            "amount",
            "act_type",
            "act_number",
            "act_date",
            "status",
            "beneficiary__name",
            "reservation__chapter__number",
            "reservation__chapter__article",
            "reservation__chapter__year",
        )
    )


def programme_structure(*, user) -> QuerySet[Programme]:
    """Programmes with their axes and actions (no money), in three queries for any number of them."""
    return programme_list(user=user).prefetch_related(
        Prefetch("axes", queryset=Axis.objects.order_by("number")),
        Prefetch("axes__actions", queryset=Action.objects.order_by("number")),
    )


def action_list(*, user, year: int | None = None) -> QuerySet[Action]:
    """Actions of every programme (those running in `year` when given), for choosing where to reserve."""
    qs = Action.objects.select_related("axis", "axis__programme").order_by(
        "-axis__programme__start_year", "axis__number", "number"
    )
    if not user.is_authenticated:
        return qs.none()
    if year is not None:
        qs = qs.filter(start_year__lte=year, end_year__gte=year)
    return qs


def commitment_audit_trail(*, user, commitment: Commitment):
    """Audit events of a commitment and of its liquidations and economies, oldest first."""

    def keys(model):
        return (
            model.objects.filter(commitment=commitment)
            .annotate(key=Cast("pk", output_field=CharField()))
            .values("key")
        )

    types = ContentType.objects.get_for_models(Commitment, Liquidation, Economy)
    return (
        audit_event_list(user=user)
        .filter(
            Q(target_type=types[Commitment], target_id=str(commitment.pk))
            | Q(target_type=types[Liquidation], target_id__in=keys(Liquidation))
            | Q(target_type=types[Economy], target_id__in=keys(Economy))
        )
        .order_by("seq")
    )
