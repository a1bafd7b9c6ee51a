"""FilterSets of the funding app: one per model, shared by the HTML lists and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from funding.choices import (
    AllocationMethod,
    AllocationStatus,
    ApplicationForm,
    ApplicationStatus,
    CallStatus,
    CommitmentStatus,
    ExpenseReportStatus,
    LiquidationReason,
)
from funding.models import (
    Action,
    Allocation,
    Application,
    BudgetChapter,
    Call,
    Commitment,
    Economy,
    ExpenseLine,
    ExpenseReport,
    Liquidation,
    Programme,
    Reservation,
)
from portal.choices import OrganisationKind
from portal.filters import ListedModelChoiceFilter, NumberFilter, ObjectFilter, YearFilter
from portal.models import Organisation


class CallFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title contains"))
    status = django_filters.ChoiceFilter(choices=CallStatus.choices, label=_("Status"))
    application_form = django_filters.ChoiceFilter(choices=ApplicationForm.choices, label=_("Kind of call"))

    class Meta:
        model = Call
        fields = ["q", "status", "application_form"]


class ApplicationFilterSet(django_filters.FilterSet):
    call = ListedModelChoiceFilter(
        queryset=Call.objects.exclude(status=CallStatus.DRAFT).order_by("-opens_at", "title"),
        to_field_name="code",
        label=_("Call"),
        empty_label=_("All calls"),
    )
    status = django_filters.MultipleChoiceFilter(
        choices=ApplicationStatus.choices, label=_("Status"), widget=forms.SelectMultiple(attrs={"size": 4})
    )
    applicant_kind = django_filters.ChoiceFilter(
        field_name="applicant__kind",
        choices=OrganisationKind.choices,
        label=_("Kind of applicant"),
        empty_label=_("All kinds"),
    )
    submitted_from = django_filters.DateFilter(
        field_name="submitted_at",
        lookup_expr="date__gte",
        label=_("Submitted from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    submitted_to = django_filters.DateFilter(
        field_name="submitted_at",
        lookup_expr="date__lte",
        label=_("Submitted until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = django_filters.CharFilter(method="filter_q", label=_("Applicant or protocol number"))

    class Meta:
        model = Application
        fields = ["call", "status", "applicant_kind", "submitted_from", "submitted_to", "q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(applicant__name__icontains=value) | Q(protocol_number__icontains=value))


# --- Ledger: chapters, reservations, commitments, liquidations, economies -----------------------------
# Objects are chosen by what people know them by (chapter 151120/2020, action 3.3, a name); the API
# passes their id under the same name.
def _chapters():
    return BudgetChapter.objects.order_by("-year", "number", "article")


def _actions():
    return Action.objects.select_related("axis").order_by("axis__programme", "axis__number", "number")


def _programmes():
    return Programme.objects.order_by("-start_year")


def _reservations():
    return Reservation.objects.select_related("chapter", "action").order_by("chapter__year", "pk")


def _beneficiaries():
    return Organisation.objects.order_by("name", "pk")


def _date(field_name: str, lookup: str, label):
    return django_filters.DateFilter(
        field_name=field_name, lookup_expr=lookup, label=label, widget=forms.DateInput(attrs={"type": "date"})
    )


class ChapterFilterSet(django_filters.FilterSet):
    year = YearFilter(label=_("Financial year"))
    number = django_filters.CharFilter(label=_("Chapter"))
    missione = django_filters.CharFilter(label=_("Missione"))
    programma = django_filters.CharFilter(label=_("Programma"))

    class Meta:
        model = BudgetChapter
        fields = ["year", "number", "missione", "programma"]


class ReservationFilterSet(django_filters.FilterSet):
    year = YearFilter(field_name="chapter__year", label=_("Financial year"))
    chapter = ObjectFilter(field_name="chapter", queryset=_chapters(), label=_("Chapter"))
    action = ObjectFilter(field_name="action", queryset=_actions(), label=_("Action"))
    programme = ObjectFilter(
        field_name="action__axis__programme", queryset=_programmes(), label=_("Programme")
    )
    act_date_from = _date("act_date", "gte", _("Act date from"))
    act_date_to = _date("act_date", "lte", _("Act date until"))

    class Meta:
        model = Reservation
        fields = ["year", "chapter", "action", "programme", "act_date_from", "act_date_to"]


class CommitmentFilterSet(django_filters.FilterSet):
    year = YearFilter(field_name="reservation__chapter__year", label=_("Financial year"))
    chapter = ObjectFilter(field_name="reservation__chapter", queryset=_chapters(), label=_("Chapter"))
    action = ObjectFilter(field_name="reservation__action", queryset=_actions(), label=_("Action"))
    reservation = ObjectFilter(field_name="reservation", queryset=_reservations(), label=_("Reservation"))
    beneficiary = ObjectFilter(field_name="beneficiary", queryset=_beneficiaries(), label=_("Beneficiary"))
    beneficiary_name = django_filters.CharFilter(
        field_name="beneficiary__name", lookup_expr="icontains", label=_("Beneficiary")
    )
    status = django_filters.ChoiceFilter(choices=CommitmentStatus.choices, label=_("Status"))
    act_date_from = _date("act_date", "gte", _("Act date from"))
    act_date_to = _date("act_date", "lte", _("Act date until"))

    class Meta:
        model = Commitment
        fields = [
            "year",
            "chapter",
            "action",
            "reservation",
            "beneficiary",
            "beneficiary_name",
            "status",
            "act_date_from",
            "act_date_to",
        ]


class _CommitmentEntryFilterSet(django_filters.FilterSet):
    """Liquidations and economies: filtered through their commitment."""

    year = YearFilter(field_name="commitment__reservation__chapter__year", label=_("Financial year"))
    chapter = ObjectFilter(
        field_name="commitment__reservation__chapter", queryset=_chapters(), label=_("Chapter")
    )
    action = ObjectFilter(
        field_name="commitment__reservation__action", queryset=_actions(), label=_("Action")
    )
    commitment = NumberFilter(field_name="commitment", label=_("Commitment n."))
    beneficiary = ObjectFilter(
        field_name="commitment__beneficiary", queryset=_beneficiaries(), label=_("Beneficiary")
    )
    status = django_filters.ChoiceFilter(
        field_name="commitment__status", choices=CommitmentStatus.choices, label=_("Commitment status")
    )
    date_from = _date("date", "gte", _("Date from"))
    date_to = _date("date", "lte", _("Date until"))
    act_date_from = _date("act_date", "gte", _("Act date from"))
    act_date_to = _date("act_date", "lte", _("Act date until"))

    FIELDS = [
        "year",
        "chapter",
        "action",
        "commitment",
        "beneficiary",
        "status",
        "date_from",
        "date_to",
        "act_date_from",
        "act_date_to",
    ]


class LiquidationFilterSet(_CommitmentEntryFilterSet):
    reason = django_filters.ChoiceFilter(choices=LiquidationReason.choices, label=_("Payment type"))

    class Meta:
        model = Liquidation
        fields = [*_CommitmentEntryFilterSet.FIELDS, "reason"]


class EconomyFilterSet(_CommitmentEntryFilterSet):
    class Meta:
        model = Economy
        fields = _CommitmentEntryFilterSet.FIELDS


# --- Expense reports (rendicontazione): their invoice lines ------------------------------------------
class ExpenseLineFilterSet(django_filters.FilterSet):
    """Lines of expense reports, by the call of their grant, beneficiary, report status, invoice date."""

    call = ListedModelChoiceFilter(
        queryset=Call.objects.exclude(status=CallStatus.DRAFT).order_by("-opens_at", "title"),
        to_field_name="code",
        method="filter_call",
        label=_("Call"),
        empty_label=_("All calls"),
    )
    beneficiary = django_filters.CharFilter(
        field_name="report__commitment__beneficiary__name", lookup_expr="icontains", label=_("Beneficiary")
    )
    status = django_filters.ChoiceFilter(
        field_name="report__status", choices=ExpenseReportStatus.choices, label=_("Report status")
    )
    invoice_date_from = _date("invoice_date", "gte", _("Invoice date from"))
    invoice_date_to = _date("invoice_date", "lte", _("Invoice date until"))

    class Meta:
        model = ExpenseLine
        fields = ["call", "beneficiary", "status", "invoice_date_from", "invoice_date_to"]

    def filter_call(self, queryset, name, value):
        # A grant comes from an application to the call, or from a split of the call with no applications.
        return queryset.filter(
            Q(report__application__call=value) | Q(report__commitment__allocation_row__allocation__call=value)
        )


class ExpenseReportFilterSet(django_filters.FilterSet):
    """Expense reports: by status (the HTML list), by grant and kind (the API passes ids)."""

    status = django_filters.ChoiceFilter(choices=ExpenseReportStatus.choices, label=_("Status"))
    application = ObjectFilter(queryset=Application.objects.all(), label=_("Application"))
    commitment = ObjectFilter(queryset=Commitment.objects.all(), label=_("Commitment"))
    is_final = django_filters.BooleanFilter(widget=BooleanWidget(), label=_("Final report"))

    class Meta:
        model = ExpenseReport
        fields = ["status", "application", "commitment", "is_final"]


# --- Allocations ----------------------------------------------------------------------------------
class AllocationFilterSet(django_filters.FilterSet):
    """Allocations: by status (the HTML list), by call, round and method (the API passes the call's id)."""

    call = ObjectFilter(queryset=Call.objects.all(), label=_("Call"))
    status = django_filters.ChoiceFilter(choices=AllocationStatus.choices, label=_("Status"))
    round = NumberFilter(min_value=0, max_value=32767, label=_("Round"))
    method = django_filters.ChoiceFilter(choices=AllocationMethod.choices, label=_("Method"))

    class Meta:
        model = Allocation
        fields = ["call", "status", "round", "method"]
