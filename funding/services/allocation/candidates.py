"""Who a call's allocation splits among, and by what: the comuni by population, the applications
by declared weight or in ranking order (with the grants of earlier rounds)."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from funding.allocation.base import AllocationInput, Candidate
from funding.choices import (
    AllocationMethod,
    ApplicationStatus,
    EligibleBasis,
)
from funding.models import Application, Call
from portal.constants import ZERO
from portal.models import Comune, ComunePopulation, User
from portal.services import municipalities_ensure

ERROR_REFERENCE_DATE = _("A population split needs the call's population reference date.")
ERROR_NO_POPULATION = _("No population figures at %(date)s: load the ISTAT data for that date.")
ERROR_COMUNI_UNKNOWN = _("No population at %(date)s for these ISTAT codes: %(codes)s.")
ERROR_NO_CANDIDATES = _("No admitted application to allocate.")
ERROR_WEIGHT_MISSING = _("Application %(application)s has no declared weight.")
ERROR_QUOTE_MISSING = _("Application %(application)s has no quote net of VAT.")


# Keys of Call.allocation_params read by this service (the rest goes to the strategy).
SERVICE_PARAMS = frozenset({"comuni", "total"})


def strategy_params(call: Call) -> dict:
    return {k: v for k, v in (call.allocation_params or {}).items() if k not in SERVICE_PARAMS}


@dataclass(frozen=True)
class Beneficiaries:
    """Candidate key → (organisation id, application id or None, already granted)."""

    organisation: dict[str, int]
    application: dict[str, int | None]
    granted: dict[str, Decimal]


def _population(*, actor: User | None, call: Call, total: Decimal) -> tuple[AllocationInput, Beneficiaries]:
    if call.reference_date is None:
        raise ValidationError({"reference_date": ValidationError(ERROR_REFERENCE_DATE, code="required")})
    figures = ComunePopulation.objects.filter(reference_date=call.reference_date).values_list(
        "comune_id", "comune__istat_code", "comune__name", "comune__province__sigla", "population"
    )
    chosen = (call.allocation_params or {}).get("comuni")
    if chosen:
        figures = figures.filter(comune__istat_code__in=chosen)
    figures = sorted(figures, key=lambda f: f[1])
    if not figures:
        raise ValidationError(
            {"reference_date": ValidationError(ERROR_NO_POPULATION, params={"date": call.reference_date})}
        )
    if chosen:
        missing = sorted(set(chosen) - {f[1] for f in figures})
        if missing:
            raise ValidationError(
                {
                    "allocation_params": ValidationError(
                        ERROR_COMUNI_UNKNOWN,
                        params={"date": call.reference_date, "codes": ", ".join(missing)},
                    )
                }
            )
    comuni = [Comune(pk=cid, istat_code=code, name=name) for cid, code, name, _sigla, _pop in figures]
    municipalities = municipalities_ensure(actor=actor, comuni=comuni)
    candidates = tuple(
        Candidate(key=code, code=code, weight=population, data={"name": name, "province": sigla})
        for _cid, code, name, sigla, population in figures
    )
    allocation_input = AllocationInput(
        method=AllocationMethod.POPULATION,
        total=total,
        candidates=candidates,
        params=strategy_params(call),
        reference_date=call.reference_date,
    )
    organisation = {code: municipalities[cid].pk for cid, code, *_rest in figures}
    return allocation_input, Beneficiaries(
        organisation=organisation, application=dict.fromkeys(organisation), granted={}
    )


def call_applications(call: Call, statuses) -> list[Application]:
    return list(
        Application.objects.filter(call=call, status__in=statuses)
        .select_related("applicant", "commitment")
        .order_by("submitted_at", "pk")
    )


def _application_candidate(app: Application, weight) -> Candidate:
    return Candidate(
        key=str(app.pk),
        code=app.protocol_number or f"{app.pk:09d}",
        weight=weight,
        submitted_at=app.submitted_at,
        score=app.score,
        data={"name": app.applicant.name, "protocol": app.protocol_number},
    )


def _declared_weight(*, call: Call, total: Decimal, applications) -> tuple[AllocationInput, Beneficiaries]:
    candidates = []
    for app in applications:
        if not app.declared_weight:
            raise ValidationError(
                {
                    "declared_weight": ValidationError(
                        ERROR_WEIGHT_MISSING, params={"application": app.protocol_number or app.pk}
                    )
                }
            )
        candidates.append(_application_candidate(app, app.declared_weight))
    params = strategy_params(call)
    if call.weight_label and "weight_label" not in params:
        params["weight_label"] = call.weight_label
    allocation_input = AllocationInput(
        method=AllocationMethod.DECLARED_WEIGHT,
        total=total,
        candidates=tuple(candidates),
        params=params,
        reference_date=call.reference_date,
    )
    return allocation_input, _app_beneficiaries(applications)


def _app_beneficiaries(applications) -> Beneficiaries:
    return Beneficiaries(
        organisation={str(a.pk): a.applicant_id for a in applications},
        application={str(a.pk): a.pk for a in applications},
        granted={str(a.pk): a.granted_amount or ZERO for a in applications},
    )


def ranked_input(
    *,
    call: Call,
    total: Decimal,
    applications,
    granted: dict[str, Decimal] | None = None,
    released: dict[str, Decimal] | None = None,
) -> tuple[AllocationInput, Beneficiaries]:
    """Percentage of the eligible expense (the quote) capped, or a fixed amount, in ranking order."""
    percentage = call.allocation_method == AllocationMethod.PERCENTAGE_CAPPED
    candidates = []
    for app in applications:
        if percentage and app.quote_net is None:
            raise ValidationError(
                {
                    "quote_net": ValidationError(
                        ERROR_QUOTE_MISSING, params={"application": app.protocol_number or app.pk}
                    )
                }
            )
        expense = app.quote_net or ZERO
        if call.eligible_basis == EligibleBasis.GROSS:
            expense += app.quote_vat or ZERO
        candidates.append(_application_candidate(app, expense))
    params = strategy_params(call)
    if granted:
        params["granted"] = {key: str(amount) for key, amount in granted.items() if amount > 0}
    if released:
        params["released"] = {key: str(amount) for key, amount in released.items()}
    allocation_input = AllocationInput(
        method=call.allocation_method,
        total=total,
        candidates=tuple(candidates),
        params=params,
        reference_date=call.reference_date,
    )
    beneficiaries = _app_beneficiaries(applications)
    return allocation_input, beneficiaries


def inputs_for(*, actor: User | None, call: Call, total: Decimal) -> tuple[AllocationInput, Beneficiaries]:
    method = call.allocation_method
    if method == AllocationMethod.POPULATION:
        return _population(actor=actor, call=call, total=total)
    applications = call_applications(call, (ApplicationStatus.ADMISSIBLE, ApplicationStatus.RANKED))
    if not applications:
        raise ValidationError(ERROR_NO_CANDIDATES, code="no_candidates")
    if method == AllocationMethod.DECLARED_WEIGHT:
        return _declared_weight(call=call, total=total, applications=applications)
    return ranked_input(call=call, total=total, applications=applications)
