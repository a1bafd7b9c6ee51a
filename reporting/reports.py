"""The reports whose data already exists: the audit-trail extract and the resident population.

Other apps declare theirs in their own `reports.py` (see reporting.registry).
"""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.formatting import format_date
from portal.models import ComunePopulation, Province
from portal.permissions import EXPORT, READ_AUDIT
from portal.selectors import audit_event_list
from reporting.filtersets import AuditTrailFilterSet
from reporting.registry import Column, ColumnType, Report, filter_queryset, register

CHUNK_SIZE = 2000


# --- Audit-trail extract ---------------------------------------------------------------------------
def _audit_queryset(*, user, params):
    return filter_queryset(AuditTrailFilterSet, audit_event_list(user=user), params).order_by("seq")


def _compact_json(value) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def audit_trail_rows(*, user, params):
    rows = _audit_queryset(user=user, params=params).values_list(
        "seq",
        "created_at",
        "actor_repr",
        "organisation__name",
        "action",
        "target_type__app_label",
        "target_type__model",
        "target_id",
        "target_repr",
        "source",
        "before",
        "after",
        "ip_address",
        "hash",
    )
    for (
        seq,
        when,
        actor,
        org,
        action,
        app,
        model,
        target_id,
        target,
        source,
        before,
        after,
        ip,
        digest,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        yield (
            seq,
            when,
            actor,
            org or "",
            action,
            f"{app}.{model}" if app else "",
            target_id,
            target,
            source,
            _compact_json(before),
            _compact_json(after),
            ip or "",
            digest,
        )


def audit_trail_count(*, user, params) -> int:
    return _audit_queryset(user=user, params=params).count()


AUDIT_TRAIL = register(
    Report(
        key="audit.events",
        title=_("Audit trail extract"),
        description=_(
            "Events of the hash-chained audit trail with their before and after values, in sequence order."
        ),
        capability=READ_AUDIT,
        filterset_class=AuditTrailFilterSet,
        columns=(
            Column("seq", _("No."), ColumnType.CODE, width=6),
            Column("created_at", _("When"), ColumnType.DATETIME, width=13),
            Column("actor", _("Actor"), width=18),
            Column("organisation", _("Organisation"), width=14),
            Column("action", _("Action"), width=18),
            Column("target_type", _("Object type"), width=14),
            Column("target_id", _("Object id"), width=7),
            Column("target", _("Object"), width=16),
            Column("source", _("Source"), width=10),
            Column("before", _("Before"), width=36),
            Column("after", _("After"), width=36),
            Column("ip_address", _("IP address"), width=11),
            Column("hash", _("Hash (SHA-256)"), width=15),
        ),
        rows=audit_trail_rows,
        count=audit_trail_count,
        dense=True,
    )
)


# --- Resident population of the comuni -----------------------------------------------------------------
def _reference_dates() -> list:
    dates = ComunePopulation.objects.order_by("-reference_date").values_list("reference_date", flat=True)
    return list(dates.distinct())


class PopulationReportForm(forms.Form):
    reference_date = forms.TypedChoiceField(label=_("Population on"), choices=(), coerce=str)
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.order_by("name"), required=False, empty_label=_("All")
    )
    capitals_only = forms.BooleanField(label=_("Provincial capitals only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        dates = _reference_dates()
        self.fields["reference_date"].choices = [(d.isoformat(), format_date(d)) for d in dates]
        if dates:
            self.fields["reference_date"].initial = dates[0].isoformat()


def _population_queryset(*, params):
    qs = ComunePopulation.objects.filter(reference_date=params["reference_date"])
    if params.get("province"):
        qs = qs.filter(comune__province=params["province"])
    if params.get("capitals_only"):
        qs = qs.filter(comune__is_provincial_capital=True)
    return qs.order_by("comune__istat_code")


def population_rows(*, user, params):
    yes, no = str(_("yes")), str(_("no"))
    rows = _population_queryset(params=params).values_list(
        "comune__istat_code",
        "comune__name",
        "comune__province__sigla",
        "comune__is_provincial_capital",
        "population",
    )
    for code, name, province, capital, population in rows.iterator(chunk_size=CHUNK_SIZE):
        yield (code, name, province, yes if capital else no, population)


def population_count(*, user, params) -> int:
    return _population_queryset(params=params).count()


POPULATION = register(
    Report(
        key="reference.population",
        title=_("Resident population of the comuni"),
        description=_(
            "The weights of population-proportional splits: resident population by comune "
            "at a reference date."
        ),
        capability=EXPORT,
        form_class=PopulationReportForm,
        references=(_("Source: ISTAT, elaborazione Openpolis (CC-BY 4.0)."),),
        columns=(
            Column("istat_code", _("ISTAT code"), ColumnType.CODE, width=10),
            Column("comune", _("Comune"), width=30),
            Column("province", _("Province"), width=9),
            Column("provincial_capital", _("Provincial capital"), width=12),
            Column("population", _("Resident population"), ColumnType.INT, total=True, width=14),
        ),
        rows=population_rows,
        count=population_count,
        landscape=False,
    )
)
