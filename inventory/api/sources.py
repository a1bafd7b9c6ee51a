"""Analytics sources in the API: read them (scoped like the devices), create one, rotate its key or
revoke it. The key is in the answer to the call that created it, and nowhere else."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from inventory.analytics_selectors import source_list
from inventory.api.views import ERRORS, InventoryViewSet
from inventory.services import sources
from inventory.services.sources import MAX_OVERLAP_HOURS
from portal.models import Organisation


class SourceKeySerializer(serializers.Serializer):
    prefix = serializers.CharField(
        help_text="The key's first characters after snt_: the key itself is not stored."
    )
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text="After a rotation, the end of the overlap."
    )
    revoked_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="AnalyticsSource")
class SourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    owner = serializers.IntegerField(source="owner_id")
    owner_name = serializers.CharField(source="owner.name")
    name = serializers.CharField()
    description = serializers.CharField()
    ip_allowlist = serializers.ListField(child=serializers.CharField(), source="allowed_networks")
    revoked_at = serializers.DateTimeField(allow_null=True)
    keys = SourceKeySerializer(many=True, source="keys.all")


class SourceInputSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.filter(is_active=True))
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    ip_allowlist = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="Addresses or networks (CIDR), one per line."
    )

    def service_kwargs(self) -> dict:
        return dict(self.validated_data)


class RotateInputSerializer(serializers.Serializer):
    overlap_hours = serializers.IntegerField(min_value=0, max_value=MAX_OVERLAP_HOURS, default=24)

    def service_kwargs(self) -> dict:
        return dict(self.validated_data)


class IssuedKeySerializer(serializers.Serializer):
    source = SourceSerializer()
    key = serializers.CharField(help_text="Shown only in this answer: Sentinella keeps its SHA-256 alone.")


@extend_schema_view(
    create=extend_schema(request=SourceInputSerializer, responses={201: IssuedKeySerializer, **ERRORS}),
)
class SourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, InventoryViewSet):
    """Analytics sources of the organisations the user acts for (all for officials and auditors)."""

    serializer_class = SourceSerializer

    def get_queryset(self):
        return source_list(user=self.request.user).order_by("pk")

    def _issued(self, issued, response_status):
        data = {
            "source": SourceSerializer(self.get_queryset().get(pk=issued.source.pk)).data,
            "key": issued.key,
        }
        response = Response(data, status=response_status)
        response["Cache-Control"] = "no-store"
        return response

    def create(self, request, *args, **kwargs):
        issued = sources.source_create(actor=request.user, **self.parse(SourceInputSerializer))
        return self._issued(issued, status.HTTP_201_CREATED)

    @extend_schema(request=RotateInputSerializer, responses={200: IssuedKeySerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="rotate-key", filter_backends=[])
    def rotate_key(self, request, pk=None):
        """A new key; the current ones keep working for `overlap_hours`."""
        issued = sources.source_rotate_key(
            actor=request.user, source=self.get_object(), **self.parse(RotateInputSerializer)
        )
        return self._issued(issued, status.HTTP_200_OK)

    @extend_schema(request=None, responses={200: SourceSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def revoke(self, request, pk=None):
        """Every key of the source stops working at once; the events received stay."""
        source = sources.source_revoke(actor=request.user, source=self.get_object())
        return self.answer(source)
