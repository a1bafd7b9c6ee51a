import datetime
from decimal import Decimal

import factory

from funding.choices import ActType
from funding.models import Action, Axis, BudgetChapter, Programme
from funding.selectors.transparency import awaits_publication, grants_pending_publication
from funding.services.ledger import Act, commitment_create, reservation_create
from funding.services.transparency import grants_publish
from portal.choices import Role
from tests.factories import OrganisationFactory, make_user

ACT = Act(number="1/2020", date=datetime.date(2020, 5, 1), type=ActType.DD)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    title = "Programma di prova"
    legal_basis = "L.R. 23/2007"
    act_label = factory.Sequence(lambda n: f"DCR n. {n}")
    act_number = factory.Sequence(lambda n: f"{n}-2020")
    act_date = datetime.date(2020, 12, 15)
    start_year = 2020
    end_year = 2022


class AxisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Axis

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Asse {n}")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    axis = factory.SubFactory(AxisFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Azione {n}")
    start_year = 2020
    end_year = 2022


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetChapter

    number = factory.Sequence(lambda n: f"{100000 + n}")
    year = 2020
    missione = "03"
    programma = "03.02"
    appropriation = Decimal("1000000.00")


def make_reservation(amount="1000.00", *, chapter=None, action=None, appropriation=None):
    chapter = chapter or ChapterFactory(appropriation=Decimal(appropriation or "1000000.00"))
    action = action or ActionFactory()
    return reservation_create(actor=None, action=action, chapter=chapter, amount=Decimal(amount), act=ACT)


def make_commitment(amount="1000.00", *, reservation=None, beneficiary=None, published=True):
    """A commitment; by default also published when the law requires it, so that it can be paid."""
    reservation = reservation or make_reservation(amount)
    beneficiary = beneficiary or OrganisationFactory()
    commitment = commitment_create(
        actor=None, reservation=reservation, beneficiary=beneficiary, amount=Decimal(amount), act=ACT
    )
    if published and awaits_publication(commitment):
        grants_publish(actor=make_user(Role.REGIONAL_OFFICIAL), commitments=[commitment])
    return commitment


def publish_pending_grants() -> int:
    """Publish every grant that awaits publication (what an official does on the transparency page)."""
    pending = list(grants_pending_publication())
    if not pending:
        return 0
    return len(grants_publish(actor=make_user(Role.REGIONAL_OFFICIAL), commitments=pending))


# --- Calls and applications for the allocation and expense tests (straight to the models: these
# tests are about what happens after the calls engineer's submission and review) -------------------
_call_numbers = iter(range(1, 10**6))


def make_allocation_call(
    *,
    method: str,
    amount: str = "10000.00",
    params: dict | None = None,
    reservation=None,
    status: str = "closed",
    requires_application: bool = True,
    reference_date: datetime.date | None = None,
    eligible_basis: str = "gross",
    title: str = "",
):
    from funding.models import Call

    reservation = reservation or make_reservation(amount)
    number = next(_call_numbers)
    return Call.objects.create(
        code=f"riparto-{number}",
        action=reservation.action,
        reservation=reservation,
        title=title or f"Avviso di prova {number}",
        allocation_method=method,
        allocation_params=params or {},
        requires_application=requires_application,
        reference_date=reference_date,
        eligible_basis=eligible_basis,
        status=status,
    )


def make_admitted(call, applicant=None, *, submitted_at=None, **fields):
    """An application already submitted and found admissible."""
    from django.utils import timezone

    from funding.choices import ApplicationStatus
    from funding.models import Application

    applicant = applicant or OrganisationFactory()
    number = next(_call_numbers)
    return Application.objects.create(
        call=call,
        applicant=applicant,
        status=ApplicationStatus.ADMISSIBLE,
        protocol_number=f"2020/{number:05d}",
        submitted_at=submitted_at or timezone.now(),
        **fields,
    )


def bulk_ledger(rows: int, *, year: int = 2030, action=None, beneficiary=None) -> dict:
    """`rows` chapters of `year`, each with one reservation, commitment, liquidation and economy, made
    with bulk_create for volume checks. The running totals are set to match the entries, as the
    services would leave them (reserved 1,000.00; committed 600.00; liquidated 200.00; economy 100.00)."""
    from funding.models import Commitment, Economy, Liquidation, Reservation

    action = action or ActionFactory(start_year=year, end_year=year)
    beneficiary = beneficiary or OrganisationFactory()
    act = {"act_type": ACT.type, "act_number": ACT.number, "act_date": ACT.date}
    day = datetime.date(year, 6, 30)
    chapters = BudgetChapter.objects.bulk_create(
        BudgetChapter(
            number=f"{900000 + n}",
            year=year,
            missione="03",
            programma="03.02",
            appropriation=Decimal("5000.00"),
            reserved_total=Decimal("1000.00"),
        )
        for n in range(rows)
    )
    reservations = Reservation.objects.bulk_create(
        Reservation(
            action=action,
            chapter=chapter,
            amount=Decimal("1000.00"),
            committed_total=Decimal("600.00"),
            economies_total=Decimal("100.00"),
            **act,
        )
        for chapter in chapters
    )
    commitments = Commitment.objects.bulk_create(
        Commitment(
            reservation=reservation,
            beneficiary=beneficiary,
            amount=Decimal("600.00"),
            liquidated_total=Decimal("200.00"),
            economies_total=Decimal("100.00"),
            **act,
        )
        for reservation in reservations
    )
    liquidations = Liquidation.objects.bulk_create(
        Liquidation(commitment=c, amount=Decimal("200.00"), date=day, reason="acconto", **act)
        for c in commitments
    )
    economies = Economy.objects.bulk_create(
        Economy(commitment=c, amount=Decimal("100.00"), date=day, **act) for c in commitments
    )
    return {
        "action": action,
        "beneficiary": beneficiary,
        "chapters": chapters,
        "reservations": reservations,
        "commitments": commitments,
        "liquidations": liquidations,
        "economies": economies,
    }
