"""PreCrisis (seed 002), PACTESUR (seed 004) and the closed projects MARVEL, PROTECTOR, e-Security."""

import datetime

from django.utils import timezone

from projects.choices import PartnerRole, ProjectStatus
from projects.demo.common import ILLUSTRATIVE, _budget, _code, _project, _upload
from projects.models import (
    CostCategory,
    Deliverable,
    DeliverableType,
    DisseminationLevel,
    Project,
)
from projects.months import month_of
from projects.services import deliverables as deliverable_services
from projects.services import periods as period_services
from projects.services.projects import period_create, project_update
from projects.services.workplan import (
    deliverable_create,
    work_package_create,
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
