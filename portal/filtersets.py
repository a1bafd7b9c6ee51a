import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.choices import OrganisationKind
from portal.constants import SECURITY_EVENT_PREFIX
from portal.models import AuditEvent, Comune, Organisation


class ComuneFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="name contains")
    province = django_filters.CharFilter(field_name="province__sigla", lookup_expr="iexact")

    class Meta:
        model = Comune
        fields = ["q", "province", "is_provincial_capital"]


class OrganisationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="name contains")
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = ["q", "kind", "is_active"]


class AuditEventFilterSet(django_filters.FilterSet):
    action = django_filters.CharFilter(lookup_expr="startswith")
    actor = django_filters.CharFilter(field_name="actor_repr", lookup_expr="icontains")
    target_id = django_filters.CharFilter()
    target_type = django_filters.CharFilter(field_name="target_type__model", lookup_expr="iexact")
    date_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")
    # Refused access, wrong TOTP codes, logins refused while rate-limited (portal.security).
    security = django_filters.BooleanFilter(
        method="filter_security",
        label=_("Security events only"),
        widget=forms.CheckboxInput,
        help_text=_(
            "Refused access to existing objects, wrong TOTP codes, logins refused while rate-limited."
        ),
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "target_type", "target_id", "date_from", "date_to", "security"]

    def filter_security(self, queryset, name, value):
        return queryset.filter(action__startswith=SECURITY_EVENT_PREFIX) if value else queryset
