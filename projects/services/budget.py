"""The planned budget: per partner, cost category and reporting period, adding up to the project's
total eligible cost, or refused with the difference. Set whole (the coordinator's project manager)
or one partner at a time (that partner's project manager, within the same total)."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.constants import ZERO
from portal.formatting import format_money
from portal.models import User
from projects.models import BudgetLine, CostCategory, Partner, Project, ReportingPeriod
from projects.services.common import (
    ERROR_NOT_OF_PROGRAMME,
    ERROR_NOT_OF_PROJECT,
    audit,
    clean_decimal,
    require_partner,
    require_work_plan,
)

ERROR_BUDGET_SHORT = _(
    "The partners' budgets add up to %(budget)s: %(difference)s less than the project's total eligible "
    "cost (%(total)s)."
)
ERROR_BUDGET_OVER = _(
    "The partners' budgets add up to %(budget)s: %(difference)s more than the project's total eligible "
    "cost (%(total)s)."
)
ERROR_DUPLICATE_CELL = _("%(partner)s has two amounts for %(category)s in %(period)s.")


@dataclass(frozen=True)
class BudgetEntry:
    partner: Partner
    category: CostCategory
    period: ReportingPeriod
    amount: Decimal


@dataclass(frozen=True)
class BudgetCheck:
    total: Decimal  # the project's total eligible cost
    planned: Decimal  # what the budget would add up to
    by_partner: dict[int, Decimal]

    @property
    def difference(self) -> Decimal:
        return self.total - self.planned

    @property
    def balanced(self) -> bool:
        return self.difference == ZERO


def _scope(partner: Partner | None, partners) -> set[int] | None:
    """The partners whose budget is replaced: None for the whole project."""
    if partner is None and partners is None:
        return None
    return {p.pk for p in ([partner] if partner is not None else [])} | {p.pk for p in partners or ()}


def _clean(project: Project, entries: list[BudgetEntry], scope: set[int] | None) -> list[BudgetEntry]:
    cleaned, seen = [], set()
    for index, entry in enumerate(entries):
        prefix = f"lines[{index}]"
        amount = clean_decimal(entry.amount, field=f"{prefix}.amount")
        if entry.partner.project_id != project.pk or (scope is not None and entry.partner.pk not in scope):
            raise ValidationError({f"{prefix}.partner": ERROR_NOT_OF_PROJECT})
        if entry.period.project_id != project.pk:
            raise ValidationError({f"{prefix}.period": ERROR_NOT_OF_PROJECT})
        if entry.category.programme_id != project.programme_id:
            raise ValidationError(
                {
                    f"{prefix}.category": ValidationError(
                        ERROR_NOT_OF_PROGRAMME, params={"programme": project.programme.name}
                    )
                }
            )
        key = (entry.partner.pk, entry.category.pk, entry.period.pk)
        if key in seen:
            raise ValidationError(
                {
                    f"{prefix}.category": ValidationError(
                        ERROR_DUPLICATE_CELL,
                        params={
                            "partner": str(entry.partner),
                            "category": entry.category.code,
                            "period": entry.period.code,
                        },
                    )
                }
            )
        seen.add(key)
        cleaned.append(BudgetEntry(entry.partner, entry.category, entry.period, amount))
    return cleaned


def _check(project: Project, entries: list[BudgetEntry], scope: set[int] | None) -> BudgetCheck:
    by_partner: dict[int, Decimal] = defaultdict(lambda: ZERO)
    kept = BudgetLine.objects.filter(partner__project=project)
    kept = kept.exclude(partner__in=scope) if scope is not None else kept.none()
    for partner_id, amount in kept.values_list("partner_id", "amount"):
        by_partner[partner_id] += amount
    for entry in entries:
        by_partner[entry.partner.pk] += entry.amount
    planned = sum(by_partner.values(), ZERO)
    return BudgetCheck(total=project.total_eligible_cost, planned=planned, by_partner=dict(by_partner))


def _refuse_unbalanced(check: BudgetCheck) -> None:
    if check.balanced:
        return
    message = ERROR_BUDGET_SHORT if check.difference > 0 else ERROR_BUDGET_OVER
    raise ValidationError(
        {
            "budget": ValidationError(
                message,
                code="budget_mismatch",
                params={
                    "budget": format_money(check.planned),
                    "difference": format_money(abs(check.difference)),
                    "total": format_money(check.total),
                },
            )
        }
    )


def _require(actor: User | None, project: Project, partner: Partner | None, partners) -> None:
    if partner is None and partners is None:
        require_work_plan(actor, project)
        return
    for one in [partner] if partner is not None else []:
        require_partner(actor, project, one)
    for one in partners or ():
        require_partner(actor, project, one)


def budget_preview(
    *,
    actor: User | None,
    project: Project,
    entries: list[BudgetEntry],
    partner: Partner | None = None,
    partners: list[Partner] | None = None,
) -> BudgetCheck:
    """What the budget would add up to, per partner and in all; writes nothing, refuses nothing on the sum."""
    _require(actor, project, partner, partners)
    current = Project.objects.select_related("programme").get(pk=project.pk)
    scope = _scope(partner, partners)
    return _check(current, _clean(current, entries, scope), scope)


def budget_set(
    *,
    actor: User | None,
    project: Project,
    entries: list[BudgetEntry],
    partner: Partner | None = None,
    partners: list[Partner] | None = None,
) -> BudgetCheck:
    """Replace the planned budget: of the whole project, or of `partner` / `partners` only (a project
    manager whose organisations are several partners of the project edits them all at once). Refused,
    with the difference, unless the whole budget then adds up to the total eligible cost. Zero cells
    are not stored."""
    _require(actor, project, partner, partners)
    scope = _scope(partner, partners)
    with transaction.atomic():
        locked = Project.objects.select_for_update().select_related("programme").get(pk=project.pk)
        entries = _clean(locked, entries, scope)
        check = _check(locked, entries, scope)
        _refuse_unbalanced(check)
        old = BudgetLine.objects.filter(partner__project=locked)
        if scope is not None:
            old = old.filter(partner__in=scope)
        before = {str(k): str(v) for k, v in _totals(old).items()}
        old.delete()
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(
                    partner=e.partner, category=e.category, period=e.period, amount=e.amount, updated_by=actor
                )
                for e in entries
                if e.amount
            ]
        )
        audit(
            action="projects.budget.set",
            actor=actor,
            target=partner if partner is not None and not partners else locked,
            project=locked,
            before={"by_partner": before},
            after={
                "by_partner": {str(k): str(v) for k, v in check.by_partner.items()},
                "planned": str(check.planned),
                "lines": len([e for e in entries if e.amount]),
            },
        )
    return check


def _totals(lines) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for partner_id, amount in lines.values_list("partner_id", "amount"):
        totals[partner_id] += amount
    return dict(totals)
