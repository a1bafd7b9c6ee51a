"""Demo data for EU projects: the projects of the seeds with the facts they state, built through the
services so that the audit trail tells the story.

- Digital Academy for Local Police (Torino with Nice, Madrid, Liège; 36 months, 2025-2027; VR training,
  data analysis and AI; large cross-border events), coordinated by Torino;
- PreCrisis (2 years; coordinator Saher Europe, Estonia; Comune di Trento a partner; FBK's video
  analytics);
- PACTESUR (ISF-Police; Nice, Liège, Torino, ANCI Piemonte, Efus; WP1 management, WP2 communication,
  WP3 legal frame, WP4 training of local police, WP5 security equipment for three demonstrator public
  spaces), with WP5's equipment among its expenditure lines (the inventory links devices to them);
- MARVEL (H2020, 2021-2023), PROTECTOR (ISF-P, 2021-2023) and e-Security (ISEC, 2013-2016), closed.

Where the seeds give no figures (programme of Digital Academy, budgets, work plans, PICs), the figures
are illustrative and each project's description says so. Deliverables are placed around today so that
the screens tell something at once: accepted, submitted, late, due within 30 days, in preparation.
Idempotent: an existing project is left as it is. Demo accounts: Torino's project manager (portal's
demo) and a project manager for Comune di Trento.
"""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal import services as portal_services
from portal.choices import OrganisationKind, Role
from portal.demo import DEMO_DOMAIN, DemoAccount, _user
from portal.models import Organisation, User
from projects.choices import PartnerRole, ProjectStatus
from projects.models import (
    CostCategory,
    Deliverable,
    DeliverableType,
    DisseminationLevel,
    FundingProgramme,
    Project,
)
from projects.months import month_of
from projects.services import deliverables as deliverable_services
from projects.services import periods as period_services
from projects.services.budget import BudgetEntry, budget_set
from projects.services.programmes import code_lists_load
from projects.services.projects import partner_add, period_create, project_create, project_update
from projects.services.workplan import (
    deliverable_create,
    milestone_achieve,
    milestone_create,
    planned_effort_set,
    task_create,
    work_package_create,
)

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
    user = _user(TRENTO_PM, "Tiziana", "Trentina")
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


def seed_digital_academy(orgs, reviewer) -> Project:
    start = datetime.date(2025, 1, 1)
    project = _project(
        orgs,
        acronym="DigitalAcademy",
        title="Digital Academy for Local Police",
        programme="isf-police",
        start=start,
        months=36,
        coordinator=("torino", "TO"),
        partners=[
            ("nice", "NCE", PartnerRole.BENEFICIARY),
            ("madrid", "MAD", PartnerRole.BENEFICIARY),
            ("liege", "LGE", PartnerRole.BENEFICIARY),
        ],
        total="1200000.00",
        rate="90",
        description=(
            "Rete europea per la formazione della Polizia Locale (Torino con Nizza, Madrid e Liegi): realtà "
            "virtuale, analisi dei dati e intelligenza artificiale per la sicurezza urbana, gestione dei "
            "grandi "
            "eventi nell'area transfrontaliera Italia-Francia, protocolli di condivisione dei dati. "
            + ILLUSTRATIVE
        ),
    )
    if project.work_packages.exists():
        return project
    for first, last in ((1, 18), (19, 36)):
        period_create(actor=None, project=project, start_month=first, end_month=last)
    _budget(
        project,
        {
            "TO": {
                "A": "220000.00",
                "C.1": "30000.00",
                "C.2": "110000.00",
                "C.3": "40000.00",
                "E": "29000.00",
            },
            "NCE": {"A": "180000.00", "C.1": "25000.00", "C.2": "90000.00", "E": "20650.00"},
            "MAD": {"A": "160000.00", "C.1": "20000.00", "C.3": "60000.00", "E": "16800.00"},
            "LGE": {"A": "150000.00", "C.1": "18000.00", "C.3": "22000.00", "E": "8550.00"},
        },
    )
    p = {x.short_name: x for x in project.partners.all()}
    wps = [
        ("Gestione e coordinamento", "TO", 1, 36),
        ("Formazione in realtà virtuale", "NCE", 3, 30),
        ("Analisi dei dati e intelligenza artificiale", "MAD", 4, 33),
        ("Grandi eventi transfrontalieri", "LGE", 6, 36),
        ("Comunicazione e sostenibilità", "TO", 1, 36),
    ]
    created = []
    for title, lead, first, last in wps:
        wp = work_package_create(
            actor=None, project=project, title=title, lead=p[lead], start_month=first, end_month=last
        )
        task_create(
            actor=None,
            work_package=wp,
            title=f"{title}: attività principali",
            leader=p[lead],
            start_month=first,
            end_month=last,
            participants=list(p.values()),
        )
        for partner in p.values():
            planned_effort_set(
                actor=None,
                work_package=wp,
                partner=partner,
                person_months=Decimal("6.00") if partner == p[lead] else Decimal("2.50"),
            )
        created.append(wp)
    now = month_of(start, timezone.localdate())
    R, DEM, DEC = (_code(DeliverableType, project, c) for c in ("R", "DEM", "DEC"))
    PU, SEN, EUR = (_code(DisseminationLevel, project, c) for c in ("PU", "SEN", "R-UE/EU-R"))
    plan = [
        # (wp, title, lead, type, level, due month, state)
        (1, "Manuale di progetto e piano di qualità", "TO", R, SEN, 3, "accepted"),
        (1, "Piano di gestione dei dati", "TO", R, PU, 6, "accepted"),
        (2, "Curriculum della formazione VR", "NCE", R, PU, now - 4, "submitted"),
        (3, "Analisi dei requisiti dei dati della Polizia Locale", "MAD", R, SEN, now - 2, "pending"),
        (4, "Protocollo operativo per i grandi eventi transfrontalieri", "LGE", R, SEN, now - 1, "review"),
        (2, "Prototipo dell'ambiente di addestramento VR", "NCE", DEM, SEN, now, "preparation"),
        (5, "Sito web e identità visiva", "TO", DEC, PU, now + 1, "preparation"),
        (
            4,
            "Valutazione della minaccia per l'evento pilota",
            "LGE",
            _code(DeliverableType, project, "SECURITY"),
            EUR,
            now + 3,
            "preparation",
        ),
        (3, "Modello di IA per l'analisi degli eventi", "MAD", DEM, SEN, now + 6, "preparation"),
    ]
    for wp_number, title, lead, dtype, level, due, state in plan:
        wp = created[wp_number - 1]
        due = max(wp.start_month, min(wp.end_month, due))
        d = deliverable_create(
            actor=None,
            work_package=wp,
            title=title,
            lead=p[lead],
            type=dtype,
            dissemination=level,
            due_month=due,
        )
        day = min(d.due_date, timezone.localdate())
        _advance(d, state, reviewer=reviewer, day=day)
    milestone_create(
        actor=None,
        project=project,
        title="Riunione di avvio",
        due_month=2,
        work_packages=[created[0]],
        means_of_verification="Verbale della riunione",
    )
    milestone_achieve(
        actor=None, milestone=project.milestones.get(number=1), achieved_on=project.month_end(2)
    )
    milestone_create(
        actor=None,
        project=project,
        title="Prima sessione di formazione VR",
        due_month=12,
        work_packages=[created[1]],
        means_of_verification="Registro presenze",
    )
    milestone_create(
        actor=None,
        project=project,
        title="Evento pilota transfrontaliero",
        due_month=30,
        work_packages=[created[3]],
        means_of_verification="Rapporto dell'evento",
    )
    _rp1_costs(project, p)
    return project


def _rp1_costs(project, p) -> None:
    report = project.periods.get(number=1).report
    cat = {c.code: c for c in CostCategory.objects.filter(programme=project.programme)}
    lines = [
        (
            "TO",
            "A",
            "TS-2025-01",
            datetime.date(2025, 12, 31),
            "Comune di Torino (personale)",
            "",
            "61250.00",
            "0.00",
            "",
        ),
        (
            "TO",
            "C.2",
            "FT/2025/118",
            datetime.date(2025, 10, 14),
            "Visori Italia S.r.l.",
            "00514490010",
            "38400.00",
            "8448.00",
            "16 visori VR per l'aula di formazione",
        ),
        (
            "TO",
            "C.1",
            "FT/2025/77",
            datetime.date(2025, 5, 20),
            "Viaggi Sicuri S.r.l.",
            "00514490010",
            "2380.00",
            "0.00",
            "",
        ),
        (
            "NCE",
            "C.2",
            "F-2025-0456",
            datetime.date(2025, 11, 3),
            "Immersive Lab SAS",
            "FR40303265045",
            "45500.00",
            "9100.00",
            "Piattaforma di simulazione VR",
        ),
        (
            "MAD",
            "A",
            "TS-2025-MAD",
            datetime.date(2025, 12, 31),
            "Ayuntamiento de Madrid (personal)",
            "",
            "52000.00",
            "0.00",
            "",
        ),
    ]
    for short, code, number, day, supplier, vat_id, amount, vat, equipment in lines:
        period_services.expenditure_line_add(
            actor=None,
            report=report,
            partner=p[short],
            category=cat[code],
            invoice_number=number,
            invoice_date=day,
            supplier_name=supplier,
            supplier_vat_id=vat_id,
            amount=amount,
            vat=vat,
            equipment_description=equipment,
        )
    for wp in project.work_packages.filter(start_month__lte=18):
        period_services.actual_effort_set(
            actor=None, report=report, partner=wp.lead, work_package=wp, person_months="3.50"
        )
    period_services.wp_progress_set(
        actor=None,
        report=report,
        work_package=project.work_packages.get(number=1),
        achievement="fully",
        text="Consorzio avviato, manuale di progetto e piano di gestione dei dati approvati.",
    )


def seed_precrisis(orgs, reviewer) -> Project:
    project = _project(
        orgs,
        acronym="PreCrisis",
        title="PreCrisis: protezione degli spazi pubblici urbani con allerte basate sull'IA",
        programme="isf-police",
        start=datetime.date(2025, 1, 1),
        months=24,
        coordinator=("saher", "SAHER"),
        partners=[("trento", "TN", PartnerRole.BENEFICIARY), ("fbk", "FBK", PartnerRole.BENEFICIARY)],
        total="800000.00",
        rate="90",
        description=(
            "Protezione degli spazi pubblici urbani dalla minaccia di attacchi terroristici e crimini "
            "violenti: "
            "una piattaforma che combina telecamere, social network e mappe della città per fornire allerte "
            "sull'aumento del rischio; analisi video di FBK per la Smart city control room di Trento. "
            + ILLUSTRATIVE
        ),
    )
    if project.work_packages.exists():
        return project
    period_create(actor=None, project=project, start_month=1, end_month=12)
    period_create(actor=None, project=project, start_month=13, end_month=24)
    _budget(
        project,
        {
            "SAHER": {"A": "300000.00", "E": "21000.00"},
            "TN": {"A": "120000.00", "C.2": "80000.00", "E": "14000.00"},
            "FBK": {"A": "250000.00", "E": "15000.00"},
        },
    )
    p = {x.short_name: x for x in project.partners.all()}
    wp1 = work_package_create(
        actor=None, project=project, title="Coordinamento", lead=p["SAHER"], start_month=1, end_month=24
    )
    wp2 = work_package_create(
        actor=None,
        project=project,
        title="Analisi video e allerte",
        lead=p["FBK"],
        start_month=3,
        end_month=22,
    )
    wp3 = work_package_create(
        actor=None,
        project=project,
        title="Pilota nella Smart city control room di Trento",
        lead=p["TN"],
        start_month=9,
        end_month=24,
    )
    R, DEM = (_code(DeliverableType, project, c) for c in ("R", "DEM"))
    PU, SEN = (_code(DisseminationLevel, project, c) for c in ("PU", "SEN"))
    now = month_of(project.start_date, timezone.localdate())
    deliverable_create(
        actor=None,
        work_package=wp1,
        title="Piano di progetto",
        lead=p["SAHER"],
        type=R,
        dissemination=PU,
        due_month=3,
    )
    deliverable_create(
        actor=None,
        work_package=wp2,
        title="Algoritmi di analisi video in tempo quasi reale",
        lead=p["FBK"],
        type=DEM,
        dissemination=SEN,
        due_month=min(22, now + 1),
    )
    deliverable_create(
        actor=None,
        work_package=wp3,
        title="Valutazione d'impatto privacy dell'IA su immagini e video",
        lead=p["TN"],
        type=R,
        dissemination=SEN,
        due_month=min(24, max(9, now - 1)),
    )
    deliverable_create(
        actor=None,
        work_package=wp3,
        title="Rapporto sul pilota di Trento",
        lead=p["TN"],
        type=R,
        dissemination=PU,
        due_month=24,
    )
    return project


def seed_pactesur(orgs) -> Project:
    project = _project(
        orgs,
        acronym="PACTESUR",
        title="Protect Allied Cities against TErrorism in Securing Urban aReas",
        programme="isf-police",
        start=datetime.date(2018, 11, 1),
        months=36,
        coordinator=("nice", "NCE"),
        partners=[
            ("liege", "LGE", PartnerRole.BENEFICIARY),
            ("torino", "TO", PartnerRole.BENEFICIARY),
            ("anci", "ANCI", PartnerRole.BENEFICIARY),
            ("efus", "EFUS", PartnerRole.BENEFICIARY),
        ],
        total="1000000.00",
        rate="90",
        description=(
            "Rafforzare le capacità delle città e degli attori locali nella protezione degli spazi pubblici "
            "urbani: formazione specializzata della Polizia Locale, investimenti in attrezzature, arredo "
            "urbano e tecnologie, cooperazione e protocolli, comunicazione sulla sicurezza. Workshop a "
            "Torino con ANCI "
            "Piemonte. " + ILLUSTRATIVE
        ),
    )
    if project.work_packages.exists():
        return project
    period_create(actor=None, project=project, start_month=1, end_month=18)
    period_create(actor=None, project=project, start_month=19, end_month=36)
    _budget(
        project,
        {
            "NCE": {"A": "150000.00", "C.2": "120000.00", "E": "18900.00"},
            "LGE": {"A": "100000.00", "C.2": "100000.00", "E": "14000.00"},
            "TO": {"A": "110000.00", "C.2": "150000.00", "C.3": "40000.00", "E": "21000.00"},
            "ANCI": {"A": "60000.00", "C.3": "25000.00", "E": "5950.00"},
            "EFUS": {"A": "70000.00", "C.1": "10000.00", "E": "5150.00"},
        },
    )
    p = {x.short_name: x for x in project.partners.all()}
    titles = [
        ("Gestione del progetto", "NCE", 1, 36),
        ("Comunicazione", "EFUS", 1, 36),
        ("Quadro giuridico", "ANCI", 1, 12),
        ("Formazione della Polizia Locale", "LGE", 6, 30),
        ("Attrezzature di sicurezza per tre spazi pubblici dimostrativi", "TO", 10, 36),
    ]
    wps = [
        work_package_create(actor=None, project=project, title=t, lead=p[lead], start_month=a, end_month=b)
        for t, lead, a, b in titles
    ]
    R, DEM = (_code(DeliverableType, project, c) for c in ("R", "DEM"))
    PU = _code(DisseminationLevel, project, "PU")
    for wp, title, due in (
        (wps[2], "Rapporto sul quadro giuridico della protezione degli spazi pubblici", 12),
        (wps[3], "Moduli formativi per la Polizia Locale", 24),
        (wps[4], "Spazi pubblici dimostrativi attrezzati", 34),
    ):
        d = deliverable_create(
            actor=None,
            work_package=wp,
            title=title,
            lead=wp.lead,
            type=R if due < 30 else DEM,
            dissemination=PU,
            due_month=due,
        )
        Deliverable.objects.filter(pk=d.pk).update(status="pending")
        _upload(Deliverable.objects.get(pk=d.pk), f"{d.code.replace('.', '_')}.pdf")
        d = deliverable_services.deliverable_submit(
            actor=None, deliverable=Deliverable.objects.get(pk=d.pk), submitted_on=d.due_date
        )
        deliverable_services.deliverable_accept(
            actor=None, deliverable=d, accepted_on=d.due_date + datetime.timedelta(days=40)
        )
    report = project.periods.get(number=2).report
    cat = {c.code: c for c in CostCategory.objects.filter(programme=project.programme)}
    for number, day, supplier, vat_id, amount, vat, what in (
        (
            "FT/2020/211",
            datetime.date(2020, 9, 15),
            "Arredo Urbano Sicuro S.r.l.",
            "00514490010",
            "68000.00",
            "14960.00",
            "Dissuasori stradali e fioriere anti-sfondamento (3 spazi dimostrativi)",
        ),
        (
            "FT/2020/245",
            datetime.date(2020, 10, 30),
            "Videosorveglianza Torino S.p.A.",
            "00514490010",
            "52000.00",
            "11440.00",
            "Telecamere di videosorveglianza per piazza e aree pedonali",
        ),
        (
            "FT/2021/018",
            datetime.date(2021, 2, 11),
            "Segnaletica Piemonte S.r.l.",
            "00514490010",
            "21500.00",
            "4730.00",
            "Totem informativi e segnaletica di emergenza",
        ),
    ):
        period_services.expenditure_line_add(
            actor=None,
            report=report,
            partner=p["TO"],
            category=cat["C.2"],
            invoice_number=number,
            invoice_date=day,
            supplier_name=supplier,
            supplier_vat_id=vat_id,
            amount=amount,
            vat=vat,
            equipment_description=what,
        )
    for period in project.periods.all():
        for item in period_services.late_items(period.report):
            period_services.late_justification_set(
                actor=None,
                report=period.report,
                deliverable=item.deliverable,
                milestone=item.milestone,
                text="Ritardo dovuto alla pandemia di COVID-19.",
            )
        r = period_services.report_lock(actor=None, report=period.report)
        r = period_services.report_submit(actor=None, report=r)
        period_services.report_accept(actor=None, report=r)
    project_update(actor=None, project=project, status=ProjectStatus.CLOSED)
    return project


def seed_closed(orgs) -> None:
    for acronym, title, programme, start, months, coordinator in (
        (
            "MARVEL",
            "MARVEL: Multimodal Extreme Scale Data Analytics for Smart Cities Environments",
            "h2020",
            datetime.date(2021, 1, 1),
            36,
            ("fbk", "FBK"),
        ),
        (
            "PROTECTOR",
            "PROTECTOR: Protecting places of worship",
            "isf-police",
            datetime.date(2021, 1, 1),
            36,
            ("efus", "EFUS"),
        ),
        (
            "e-Security",
            "e-Security: ICT per la sicurezza urbana",
            "isec",
            datetime.date(2013, 1, 1),
            48,
            ("trento", "TN"),
        ),
    ):
        partners = [] if coordinator[0] == "trento" else [("trento", "TN", PartnerRole.BENEFICIARY)]
        project = _project(
            orgs,
            acronym=acronym,
            title=title,
            programme=programme,
            start=start,
            months=months,
            coordinator=coordinator,
            partners=partners,
            total="0",
            rate="100",
            description="Progetto concluso, a cui il Comune di Trento ha partecipato. " + ILLUSTRATIVE,
        )
        if project.status != ProjectStatus.CLOSED:
            project_update(actor=None, project=project, status=ProjectStatus.CLOSED)


def seed(stdout) -> None:
    code_lists_load()
    orgs = _organisations()
    _trento_manager(orgs)
    reviewer = User.objects.get(email=f"comune.torino@{DEMO_DOMAIN}")  # a colleague at Comune di Torino
    trento_reviewer = User.objects.get(email=TRENTO_PM)
    seed_digital_academy(orgs, reviewer)
    seed_precrisis(orgs, trento_reviewer)
    seed_pactesur(orgs)
    seed_closed(orgs)
    stdout.write(
        f"EU projects: {Project.objects.count()} "
        f"({', '.join(Project.objects.values_list('acronym', flat=True))})."
    )
