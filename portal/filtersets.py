import django_filters

from portal.choices import OrganisationKind
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

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "target_type", "target_id", "date_from", "date_to"]
