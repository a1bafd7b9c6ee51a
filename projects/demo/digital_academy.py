"""Digital Academy for Local Police: Torino with Nice, Madrid and Liège (seed 000)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from projects.choices import PartnerRole
from projects.demo.common import ILLUSTRATIVE, _advance, _budget, _code, _project
from projects.models import (
    CostCategory,
    DeliverableType,
    DisseminationLevel,
    Project,
)
from projects.months import month_of
from projects.services import periods as period_services
from projects.services.projects import period_create
from projects.services.workplan import (
    deliverable_create,
    milestone_achieve,
    milestone_create,
    planned_effort_set,
    task_create,
    work_package_create,
)


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
