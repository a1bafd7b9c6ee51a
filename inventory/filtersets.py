"""FilterSets of the inventory: one per model, shared by the HTML lists and the API."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from funding.choices import CallStatus
from funding.models import Call
from inventory.choices import AssignmentKind, DeviceKind, DeviceStatus, FundingSource
from inventory.models import Assignment, Device, DeviceModel, Site
from inventory.selectors import device_call_filter, silent_after
from portal.filters import ListedModelChoiceFilter

WARRANTY_EXPIRED = "expired"
WARRANTY_90_DAYS = "90"
WARRANTY_YEAR = "365"
WARRANTY_CHOICES = [
    (WARRANTY_EXPIRED, _("Expired")),
    (WARRANTY_90_DAYS, _("Ending within 90 days")),
    (WARRANTY_YEAR, _("Ending within a year")),
]


OUTPUT_PRODUCING = "producing"
OUTPUT_SILENT = "silent"
OUTPUT_NEVER = "never"
OUTPUT_CHOICES = [
    (OUTPUT_PRODUCING, _("Deployed and producing output")),
    (OUTPUT_SILENT, _("Deployed but silent")),
    (OUTPUT_NEVER, _("Deployed, never reported")),
]


def _calls():
    return Call.objects.exclude(status=CallStatus.DRAFT).order_by("-opens_at", "title")


class DeviceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Serial, asset tag or model"))
    kind = django_filters.ChoiceFilter(field_name="model__kind", choices=DeviceKind.choices, label=_("Kind"))
    status = django_filters.MultipleChoiceFilter(
        choices=DeviceStatus.choices, label=_("Status"), widget=forms.SelectMultiple(attrs={"size": 3})
    )
    owner = django_filters.NumberFilter(field_name="owner", label=_("Owner (id)"))
    owner_name = django_filters.CharFilter(
        field_name="owner__name", lookup_expr="icontains", label=_("Owner")
    )
    comune = django_filters.CharFilter(method="filter_comune", label=_("Comune (name or ISTAT code)"))
    funding_source = django_filters.ChoiceFilter(choices=FundingSource.choices, label=_("Funding source"))
    call = ListedModelChoiceFilter(
        queryset=_calls(),
        to_field_name="code",
        method="filter_call",
        label=_("Call"),
        empty_label=_("All calls"),
    )
    commitment = django_filters.NumberFilter(field_name="commitment", label=_("Grant (commitment id)"))
    warranty = django_filters.ChoiceFilter(
        choices=WARRANTY_CHOICES, method="filter_warranty", label=_("Warranty"), empty_label=_("Any")
    )

    output = django_filters.ChoiceFilter(
        choices=OUTPUT_CHOICES, method="filter_output", label=_("Analytics output"), empty_label=_("Any")
    )

    class Meta:
        model = Device
        fields = [
            "q",
            "kind",
            "status",
            "owner",
            "owner_name",
            "comune",
            "funding_source",
            "call",
            "commitment",
            "warranty",
            "output",
        ]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(serial_number__icontains=value)
            | Q(asset_tag__icontains=value)
            | Q(model__name__icontains=value)
            | Q(model__manufacturer__icontains=value)
        )

    def filter_comune(self, queryset, name, value):
        """Devices standing in the comune now (at a site there), or owned by the comune's bodies."""
        value = value.strip()
        if not value:
            return queryset
        comune = Q(site__comune__istat_code=value) if value.isdigit() else Q(site__comune__name__iexact=value)
        owner = (
            Q(owner__comune__istat_code=value) if value.isdigit() else Q(owner__comune__name__iexact=value)
        )
        at_site = Assignment.objects.filter(comune, device=OuterRef("pk"), ended_on__isnull=True)
        return queryset.filter(Exists(at_site) | owner)

    @extend_schema_field(OpenApiTypes.STR)
    def filter_call(self, queryset, name, value):
        return queryset.filter(device_call_filter(value))

    def filter_output(self, queryset, name, value):
        deployed = queryset.filter(status=DeviceStatus.DEPLOYED)
        since = timezone.now() - silent_after()
        if value == OUTPUT_PRODUCING:
            return deployed.filter(last_seen_at__gte=since)
        if value == OUTPUT_SILENT:
            return deployed.filter(last_seen_at__lt=since)
        return deployed.filter(last_seen_at__isnull=True)

    def filter_warranty(self, queryset, name, value):
        today = timezone.localdate()
        active = ~Q(status=DeviceStatus.DECOMMISSIONED)
        if value == WARRANTY_EXPIRED:
            return queryset.filter(active, warranty_end__lt=today)
        days = int(value)
        return queryset.filter(
            active, warranty_end__gte=today, warranty_end__lte=today + datetime.timedelta(days=days)
        )


class DeviceModelFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=DeviceKind.choices, label=_("Kind"))
    q = django_filters.CharFilter(method="filter_q", label=_("Manufacturer or model"))

    class Meta:
        model = DeviceModel
        fields = ["kind", "q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(manufacturer__icontains=value) | Q(name__icontains=value))
            if value
            else queryset
        )


class SiteFilterSet(django_filters.FilterSet):
    comune = django_filters.CharFilter(field_name="comune__istat_code", label=_("Comune (ISTAT code)"))
    owner = django_filters.NumberFilter(field_name="owner", label=_("Owner (id)"))
    q = django_filters.CharFilter(method="filter_q", label=_("Name or address"))

    class Meta:
        model = Site
        fields = ["comune", "owner", "q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value)) if value else queryset


class AssignmentFilterSet(django_filters.FilterSet):
    device = django_filters.NumberFilter(field_name="device", label=_("Device (id)"))
    kind = django_filters.ChoiceFilter(choices=AssignmentKind.choices, label=_("Deployed to"))
    site = django_filters.NumberFilter(field_name="site", label=_("Site (id)"))
    open = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("Open"))

    class Meta:
        model = Assignment
        fields = ["device", "kind", "site", "open"]
