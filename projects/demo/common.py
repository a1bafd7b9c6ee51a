"""What the demo modules share: organisations, accounts, and helpers that build through the services."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from portal import services as portal_services
from portal.choices import OrganisationKind, Role
from portal.demo import DEMO_DOMAIN, DemoAccount, demo_user
from portal.models import Organisation, User
from projects.choices import PartnerRole, ProjectStatus
from projects.models import (
    CostCategory,
    Deliverable,
    FundingProgramme,
    Project,
)
from projects.services import deliverables as deliverable_services
from projects.services.budget import BudgetEntry, budget_set
from projects.services.projects import partner_add, project_create

ILLUSTRATIVE = (
    "Dati illustrativi: le fonti indicano partner, durata e temi; programma, budget, piano di lavoro e PIC "
    "sono esempi plausibili per la dimostrazione."
)
# Foreign and other bodies: (key, name, country, PIC (illustrative), codice fiscale)
BODIES = [
    ("nice", "Ville de Nice", "FR", "999100001", ""),
    ("madrid", "Ayuntamiento de Madrid", "ES", "999100002", ""),
    ("liege", "Ville de Liège", "BE", "999100003", ""),
    ("saher", "Saher (Europe) OÜ", "EE", "999100004", ""),
    ("efus", "European Forum for Urban Security (Efus)", "FR", "999100005", ""),
    ("trento", "Comune di Trento", "IT", "999100006", "00355870221"),
    ("fbk", "Fondazione Bruno Kessler", "IT", "999100007", ""),
    ("anci", "ANCI Piemonte", "IT", "999100008", ""),
]
TRENTO_PM = f"progetti.trento@{DEMO_DOMAIN}"
# Printed by portal.demo.print_logins with the other demo accounts.
EXTRA_ACCOUNTS = [
    DemoAccount(email=TRENTO_PM, role=str(Role.EU_PROJECT_MANAGER.label), organisation="Comune di Trento")
]


def _organisations() -> dict[str, Organisation]:
    from portal.demo import seed_organisations

    orgs = {"torino": seed_organisations()["comune:001272"]}
    for key, name, country, pic, tax_code in BODIES:
        existing = (
            Organisation.objects.filter(pic=pic).first() or Organisation.objects.filter(name=name).first()
        )
        orgs[key] = existing or portal_services.organisation_create(
            actor=None, kind=OrganisationKind.OTHER, name=name, country=country, pic=pic, tax_code=tax_code
        )
    return orgs


def _trento_manager(orgs) -> User:
    user = demo_user(TRENTO_PM, "Tiziana", "Trentina")
    portal_services.membership_set_role(
        actor=None, user=user, organisation=orgs["trento"], role=Role.EU_PROJECT_MANAGER
    )
    return user


def _code(model, project, code):
    return model.objects.get(programme=project.programme, code=code)


def _project(
    orgs, *, acronym, title, programme, start, months, coordinator, partners, total, rate, **fields
) -> Project:
    existing = Project.objects.filter(acronym=acronym).first()
    if existing is not None:
        return existing
    project = project_create(
        actor=None,
        acronym=acronym,
        title=title,
        programme=FundingProgramme.objects.get(code=programme),
        start_date=start,
        duration_months=months,
        organisation=orgs[coordinator[0]],
        role=PartnerRole.COORDINATOR,
        short_name=coordinator[1],
        total_eligible_cost=Decimal(total),
        eu_contribution=(Decimal(total) * Decimal(rate) / 100).quantize(Decimal("0.01")),
        funding_rate=Decimal(rate),
        status=ProjectStatus.RUNNING,
        **fields,
    )
    for key, short, role in partners:
        partner_add(actor=None, project=project, organisation=orgs[key], role=role, short_name=short)
    return project


def _budget(project, shares: dict[str, dict[str, str]]) -> None:
    """shares: partner short name -> {category code: amount}, split evenly over the periods."""
    periods = list(project.periods.order_by("number"))
    entries = []
    for partner in project.partners.all():
        for code, amount in shares.get(partner.short_name, {}).items():
            amount = Decimal(amount)
            each = (amount / len(periods)).quantize(Decimal("0.01"))
            for i, period in enumerate(periods):
                value = amount - each * (len(periods) - 1) if i == len(periods) - 1 else each
                entries.append(BudgetEntry(partner, _code(CostCategory, project, code), period, value))
    budget_set(actor=None, project=project, entries=entries)


def _upload(deliverable, name):
    from funding.demo import pdf_document

    return deliverable_services.deliverable_upload(
        actor=None,
        deliverable=deliverable,
        uploaded_file=SimpleUploadedFile(
            name, pdf_document(deliverable.title), content_type="application/pdf"
        ),
    )


def _advance(
    deliverable, state: str, *, reviewer: User | None = None, day: datetime.date | None = None
) -> None:
    """Take a deliverable to `state`: review, pending, draft, submitted or accepted."""
    if state == "preparation":
        return
    deliverable = deliverable_services.deliverable_request_review(
        actor=None, deliverable=deliverable, reviewer=reviewer, text="Bozza pronta per la revisione interna."
    )
    if state == "review":
        return
    deliverable = deliverable_services.deliverable_review_decide(
        actor=reviewer, deliverable=deliverable, approve=True
    )
    if state == "pending":
        return
    _upload(deliverable, f"{deliverable.code.replace('.', '_')}.pdf")
    if state == "draft":
        return
    deliverable = deliverable_services.deliverable_submit(
        actor=None, deliverable=Deliverable.objects.get(pk=deliverable.pk), submitted_on=day
    )
    if state == "accepted":
        deliverable_services.deliverable_accept(actor=None, deliverable=deliverable, accepted_on=day)
