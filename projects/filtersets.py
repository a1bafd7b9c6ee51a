"""FilterSets of the projects app: one per model, shared by the HTML lists and the API."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from portal.filters import ListedModelChoiceFilter
from projects.choices import OPEN_DELIVERABLE_STATUSES, DeliverableStatus, ProjectStatus, ReportStatus
from projects.models import (
    Deliverable,
    ExpenditureLine,
    FundingProgramme,
    Milestone,
    Partner,
    PeriodicReport,
    Project,
    ReportingPeriod,
    Task,
    WorkPackage,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# Other apps have "status" filters with other values: described as plain strings in the schema, so that
# it does not name several "StatusEnum"s.
def _status_filter(enum, *, multiple: bool = False, **kwargs):
    described = ", ".join(enum.values)
    if multiple:
        schema = {"type": "array", "items": {"type": "string", "description": described}}
        base = django_filters.MultipleChoiceFilter
    else:
        schema = {"type": "string", "description": described}
        base = django_filters.ChoiceFilter
    filter_class = extend_schema_field(schema)(type(f"{enum.__name__}Filter", (base,), {}))
    return filter_class(choices=enum.choices, **kwargs)


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Acronym or title"))
    programme = ListedModelChoiceFilter(
        queryset=FundingProgramme.objects.all(), to_field_name="code", label=_("Programme")
    )
    status = _status_filter(ProjectStatus, label=_("Status"))

    class Meta:
        model = Project
        fields = ["q", "programme", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(acronym__icontains=value) | queryset.filter(title__icontains=value)


class DeliverableFilterSet(django_filters.FilterSet):
    project = django_filters.CharFilter(
        field_name="project__acronym", lookup_expr="iexact", label=_("Project")
    )
    work_package = django_filters.NumberFilter(
        field_name="work_package__number", label=_("Work package (number)")
    )
    partner = django_filters.CharFilter(
        field_name="lead__short_name", lookup_expr="iexact", label=_("Lead partner")
    )
    status = _status_filter(
        DeliverableStatus, multiple=True, label=_("Status"), widget=forms.SelectMultiple(attrs={"size": 4})
    )
    due_from = django_filters.DateFilter(
        field_name="due_date", lookup_expr="gte", label=_("Due from"), widget=DATE
    )
    due_to = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label=_("Due until"), widget=DATE
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Deliverable
        fields = ["project", "work_package", "partner", "status", "due_from", "due_to", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = {"status__in": OPEN_DELIVERABLE_STATUSES, "due_date__lt": timezone.localdate()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class ExpenditureLineFilterSet(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="report__period__project__acronym", lookup_expr="iexact")
    period = django_filters.NumberFilter(field_name="report__period__number")
    partner = django_filters.CharFilter(field_name="partner__short_name", lookup_expr="iexact")
    category_kind = django_filters.CharFilter(field_name="category__kind")

    class Meta:
        model = ExpenditureLine
        fields = ["project", "period", "partner", "category_kind"]


class PeriodicReportFilterSet(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="period__project__acronym", lookup_expr="iexact")
    status = _status_filter(ReportStatus)

    class Meta:
        model = PeriodicReport
        fields = ["project", "status"]


def _project_filter():
    return django_filters.CharFilter(field_name="project__acronym", lookup_expr="iexact", label=_("Project"))


class PartnerFilterSet(django_filters.FilterSet):
    project = _project_filter()

    class Meta:
        model = Partner
        fields = ["project", "role"]


class WorkPackageFilterSet(django_filters.FilterSet):
    project = _project_filter()

    class Meta:
        model = WorkPackage
        fields = ["project", "number"]


class MilestoneFilterSet(django_filters.FilterSet):
    project = _project_filter()
    achieved = django_filters.BooleanFilter(
        field_name="achieved_on", lookup_expr="isnull", exclude=True, label=_("Achieved")
    )

    class Meta:
        model = Milestone
        fields = ["project", "achieved"]


class TaskFilterSet(django_filters.FilterSet):
    project = django_filters.CharFilter(
        field_name="work_package__project__acronym", lookup_expr="iexact", label=_("Project")
    )

    class Meta:
        model = Task
        fields = ["project", "work_package"]


class ReportingPeriodFilterSet(django_filters.FilterSet):
    project = _project_filter()

    class Meta:
        model = ReportingPeriod
        fields = ["project", "number"]
