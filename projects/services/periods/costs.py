"""A partner's actual costs and effort in a period: expenditure lines (invoice, supplier with partita IVA
or EU VAT id, amount, VAT, category) and actual person-months per work package."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import iva

from portal.audit import snapshot
from portal.formatting import format_date
from portal.models import User
from portal.money import clean_amount
from projects.choices import CostKind
from projects.models import (
    ActualEffort,
    CostCategory,
    ExpenditureLine,
    Partner,
    PeriodicReport,
    WorkPackage,
)
from projects.services.common import (
    ERROR_NOT_OF_PROGRAMME,
    ERROR_NOT_OF_PROJECT,
    audit,
    clean_decimal,
    clean_person_months,
)
from projects.services.periods.common import (
    ERROR_INVOICE_DATE,
    ERROR_VAT_ID,
    ERROR_VAT_REQUIRED,
    LINE_FIELDS,
    NO_SUPPLIER_KINDS,
    _lock_report,
    _require_draft,
    _require_partner,
)


def normalise_vat_id(value: str) -> str:
    """A partita IVA (11 digits, check digit) or an EU VAT id with its country prefix; '' stays ''."""
    compact = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    if not compact:
        return ""
    try:
        if compact.isdigit():
            return iva.validate(compact)
        if compact.startswith("IT"):
            return iva.validate(compact[2:])
        return eu_vat.validate(compact)
    except StdnumError as exc:
        raise ValidationError({"supplier_vat_id": ValidationError(ERROR_VAT_ID, code="invalid_vat")}) from exc


# --- Expenditure lines ----------------------------------------------------------------------------
def expenditure_line_add(
    *,
    actor: User | None,
    report: PeriodicReport,
    partner: Partner,
    category: CostCategory,
    invoice_number: str,
    invoice_date: datetime.date,
    supplier_name: str,
    amount,
    supplier_vat_id: str = "",
    vat="0",
    description: str = "",
    equipment_description: str = "",
) -> ExpenditureLine:
    _require_partner(actor, report, partner)
    project = report.period.project
    if category.programme_id != project.programme_id:
        raise ValidationError(
            {
                "category": ValidationError(
                    ERROR_NOT_OF_PROGRAMME, params={"programme": project.programme.name}
                )
            }
        )
    amount = clean_amount(amount)
    vat = clean_decimal(vat, field="vat")
    vat_id = normalise_vat_id(supplier_vat_id)
    if not vat_id and category.kind not in NO_SUPPLIER_KINDS:
        raise ValidationError({"supplier_vat_id": ValidationError(ERROR_VAT_REQUIRED, code="required")})
    period = report.period
    if not project.start_date <= invoice_date <= period.end_date:
        raise ValidationError(
            {
                "invoice_date": ValidationError(
                    ERROR_INVOICE_DATE,
                    code="invoice_date",
                    params={
                        "start": format_date(project.start_date),
                        "end": format_date(period.end_date),
                    },
                )
            }
        )
    line = ExpenditureLine(
        report=report,
        partner=partner,
        category=category,
        invoice_number=(invoice_number or "").strip(),
        invoice_date=invoice_date,
        supplier_name=(supplier_name or "").strip(),
        supplier_vat_id=vat_id,
        amount=amount,
        vat=vat,
        description=description,
        equipment_description=equipment_description if category.kind == CostKind.EQUIPMENT else "",
        created_by=actor,
    )
    line.full_clean(exclude=["report", "partner", "category", "created_by"])
    with transaction.atomic():
        locked = _lock_report(report)
        _require_draft(locked)
        try:
            with transaction.atomic():
                line.save()
        except IntegrityError as exc:
            raise ValidationError(
                {
                    "invoice_number": _(
                        "This invoice of this supplier is already declared by the partner in this category."
                    )
                }
            ) from exc
        audit(
            action="projects.expenditure.added",
            actor=actor,
            target=line,
            project=project,
            organisation=partner.organisation,
            after={**snapshot(line, LINE_FIELDS), "period": period.code},
        )
    return line


def expenditure_line_remove(*, actor: User | None, line: ExpenditureLine) -> None:
    report = line.report
    _require_partner(actor, report, line.partner)
    with transaction.atomic():
        locked = _lock_report(report)
        _require_draft(locked)
        audit(
            action="projects.expenditure.removed",
            actor=actor,
            target=line,
            project=locked.period.project,
            organisation=line.partner.organisation,
            before=snapshot(line, LINE_FIELDS),
        )
        line.delete()


# --- Effort, progress, justifications -------------------------------------------------------------
def actual_effort_set(
    *, actor: User | None, report: PeriodicReport, partner: Partner, work_package: WorkPackage, person_months
) -> ActualEffort:
    _require_partner(actor, report, partner)
    if work_package.project_id != report.period.project_id:
        raise ValidationError({"work_package": ERROR_NOT_OF_PROJECT})
    value = clean_person_months(person_months)
    with transaction.atomic():
        locked = _lock_report(report)
        _require_draft(locked)
        effort, created = ActualEffort.objects.get_or_create(
            report=locked, partner=partner, work_package=work_package, defaults={"person_months": value}
        )
        before = None if created else {"person_months": str(effort.person_months)}
        if not created:
            effort.person_months = value
            effort.save(update_fields=["person_months"])
        audit(
            action="projects.effort.actual",
            actor=actor,
            target=effort,
            project=locked.period.project,
            before=before,
            after={
                "period": locked.period.code,
                "work_package": work_package.code,
                "partner": partner.short_name,
                "person_months": str(value),
            },
        )
    return effort
