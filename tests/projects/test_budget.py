"""The planned budget adds up to the project's total, or is refused with the difference."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Sum

from portal.choices import Role
from portal.models import AuditEvent
from projects.models import BudgetLine, Project
from projects.services.budget import BudgetEntry, budget_preview, budget_set
from projects.services.projects import project_update
from tests.factories import make_user
from tests.projects.factories import category, make_project, manager_of
from tests.utils import requires_postgres

pytestmark = pytest.mark.django_db


def entries(project, cells):
    partners = {p.short_name: p for p in project.partners.all()}
    periods = {p.code: p for p in project.periods.all()}
    return [
        BudgetEntry(partners[p], category(project, c), periods[rp], Decimal(amount))
        for p, c, rp, amount in cells
    ]


BALANCED = [
    ("COORD", "A", "RP1", "300000.00"),
    ("COORD", "C.2", "RP1", "100000.00"),
    ("COORD", "A", "RP2", "200000.00"),
    ("P2", "A", "RP1", "250000.00"),
    ("P2", "E", "RP2", "150000.00"),
]


def test_a_balanced_budget_is_stored_and_audited():
    project = make_project(partners=1)
    check = budget_set(actor=None, project=project, entries=entries(project, BALANCED))
    assert check.balanced
    assert check.planned == Decimal("1000000.00")
    assert BudgetLine.objects.filter(partner__project=project).count() == 5
    event = AuditEvent.objects.get(action="projects.budget.set")
    assert event.after["planned"] == "1000000.00"


def test_a_budget_that_does_not_add_up_is_refused_with_the_difference_and_changes_nothing():
    project = make_project(partners=1)
    budget_set(actor=None, project=project, entries=entries(project, BALANCED))
    short = [*BALANCED[:-1], ("P2", "E", "RP2", "149999.99")]
    with pytest.raises(ValidationError) as excinfo:
        budget_set(actor=None, project=project, entries=entries(project, short))
    message = excinfo.value.message_dict["budget"][0]
    assert "999.999,99" in message
    assert "0,01" in message
    assert "1.000.000,00" in message
    over = [*BALANCED, ("P2", "C.1", "RP1", "10.00")]
    with pytest.raises(ValidationError) as excinfo:
        budget_set(actor=None, project=project, entries=entries(project, over))
    assert "10,00" in excinfo.value.message_dict["budget"][0]
    total = BudgetLine.objects.filter(partner__project=project).aggregate(t=Sum("amount"))["t"]
    assert total == Decimal("1000000.00")
    preview = budget_preview(actor=None, project=project, entries=entries(project, short))
    assert preview.difference == Decimal("0.01")


def test_cells_are_checked_category_of_the_programme_no_duplicates_no_negative():
    project = make_project(partners=1)
    with pytest.raises(ValidationError) as excinfo:
        budget_set(actor=None, project=project, entries=entries(project, [*BALANCED, BALANCED[0]]))
    assert "lines[5].category" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        budget_set(actor=None, project=project, entries=entries(project, [("COORD", "A", "RP1", "-1.00")]))
    assert "lines[0].amount" in excinfo.value.message_dict
    other = make_project(partners=0)
    foreign = entries(other, [("COORD", "A", "RP1", "1000000.00")])
    with pytest.raises(ValidationError) as excinfo:
        budget_set(actor=None, project=project, entries=foreign)
    assert "lines[0].partner" in excinfo.value.message_dict
    assert not BudgetLine.objects.exists()


def test_a_partner_manager_reallocates_within_their_own_partner_only():
    project = make_project(partners=1)
    budget_set(actor=None, project=project, entries=entries(project, BALANCED))
    p2 = project.partners.get(short_name="P2")
    manager = manager_of(p2.organisation)
    moved = [
        ("P2", "A", "RP1", "200000.00"),
        ("P2", "C.1", "RP1", "50000.00"),
        ("P2", "E", "RP2", "150000.00"),
    ]
    budget_set(actor=manager, project=project, entries=entries(project, moved), partner=p2)
    assert BudgetLine.objects.filter(partner=p2).count() == 3
    with pytest.raises(
        ValidationError
    ) as excinfo:  # the partner's total changed: the project's no longer adds up
        budget_set(actor=manager, project=project, entries=entries(project, moved[:2]), partner=p2)
    assert "150.000,00" in excinfo.value.message_dict["budget"][0]
    coord = project.partners.get(short_name="COORD")
    with pytest.raises(PermissionDenied):
        budget_set(actor=manager, project=project, entries=entries(project, BALANCED[:3]), partner=coord)
    with pytest.raises(PermissionDenied):
        budget_set(actor=manager, project=project, entries=entries(project, BALANCED))
    for user in (make_user(Role.AUDITOR), make_user(Role.REGIONAL_OFFICIAL)):
        with pytest.raises(PermissionDenied):
            budget_set(actor=user, project=project, entries=entries(project, BALANCED))


def test_the_total_cannot_drift_away_from_the_budget():
    project = make_project(partners=1)
    budget_set(actor=None, project=project, entries=entries(project, BALANCED))
    with pytest.raises(ValidationError) as excinfo:
        project_update(actor=None, project=project, total_eligible_cost=Decimal("1200000.00"))
    assert "1.000.000,00" in excinfo.value.message_dict["total_eligible_cost"][0]
    assert Project.objects.get(pk=project.pk).total_eligible_cost == Decimal("1000000.00")


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_partner_budgets_never_break_the_total(comuni):
    """Two partners' managers reallocate at once while the coordinator sets the whole budget: every
    write either succeeds or is refused with the difference, and the total always adds up."""
    project = make_project(partners=2)
    cells = [*BALANCED[:3], ("P2", "A", "RP1", "250000.00"), ("P3", "A", "RP1", "150000.00")]
    budget_set(actor=None, project=project, entries=entries(project, cells))
    p2, p3 = project.partners.get(short_name="P2"), project.partners.get(short_name="P3")
    barrier = threading.Barrier(12)
    results = []

    def work(i):
        try:
            barrier.wait()
            partner = (p2, p3)[i % 2]
            amount = "250000.00" if partner == p2 else "150000.00"
            if i % 3 == 0:  # a change that would unbalance the total
                amount = "1.00"
            results.append(
                budget_set(
                    actor=None,
                    project=project,
                    entries=entries(project, [(partner.short_name, "C.1", "RP2", amount)]),
                    partner=partner,
                )
            )
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(not isinstance(r, Exception) or isinstance(r, ValidationError) for r in results)
    assert sum(isinstance(r, ValidationError) for r in results) == 4
    total = BudgetLine.objects.filter(partner__project=project).aggregate(t=Sum("amount"))["t"]
    assert total == Decimal("1000000.00")
