"""Serializers of the calls (avvisi): they parse and show; funding.services.calls decides."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from funding.choices import AllocationMethod, DocumentType
from funding.models import Action, Call, RequiredDocument, Reservation
from funding.services import calls as call_services
from portal.api.fields import AmountField
from portal.choices import OrganisationKind
from portal.models import Organisation

ERROR_NO_SUCH_DOCUMENT = _("The call requires no document with this code.")


# Two choice sets other apps also expose under other names (Organisation.kind, Allocation.method) are
# described as plain strings, so the schema does not name one enum twice.
@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string"},
        "description": "Organisation kinds that may apply: " + ", ".join(OrganisationKind.values) + ".",
    }
)
class KindListField(serializers.ListField):
    child = serializers.ChoiceField(choices=OrganisationKind.choices)


@extend_schema_field(
    {"type": "string", "description": "Allocation method: " + ", ".join(AllocationMethod.values) + "."}
)
class AllocationMethodField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=AllocationMethod.choices, **kwargs)


# --- Calls ----------------------------------------------------------------------------------------
class RequiredDocumentSerializer(serializers.ModelSerializer):
    accepted_types = serializers.ListField(child=serializers.ChoiceField(choices=DocumentType.choices))

    class Meta:
        model = RequiredDocument
        fields = ["id", "code", "name", "mandatory", "accepted_types", "stage"]
        read_only_fields = ["id"]
        # The service checks uniqueness per call (with its own message).
        validators: list = []


class CallSerializer(serializers.ModelSerializer):
    action_title = serializers.CharField(source="action.title", read_only=True)
    funds = AmountField(source="reservation.amount", read_only=True)
    available = AmountField(source="reservation.available", read_only=True)
    eligible_kinds = KindListField()
    allocation_method = AllocationMethodField()
    required_documents = RequiredDocumentSerializer(many=True, read_only=True)
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Call
        # What an official fills in (the one list the form, the write serializer and the service's audit
        # share), then what the portal works out.
        fields = [
            *call_services.CALL_INPUT_FIELDS,
            "status",
            "action_title",
            "is_open",
            "funds",
            "available",
            "required_documents",
            "published_at",
        ]
        read_only_fields = ["status", "published_at"]

    def get_is_open(self, call) -> bool:
        """Published and now between opening and deadline (checked on the server's clock)."""
        return call_services.call_is_open(call)


class CallWriteSerializer(serializers.ModelSerializer):
    """Create or change a draft call; the service checks the rules."""

    action = serializers.PrimaryKeyRelatedField(queryset=Action.objects.all())
    reservation = serializers.PrimaryKeyRelatedField(queryset=Reservation.objects.all())
    eligible_kinds = KindListField(required=False)
    allocation_method = AllocationMethodField()
    eligible_organisations = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), many=True, required=False
    )

    class Meta:
        model = Call
        fields = list(call_services.CALL_INPUT_FIELDS)
        validators: list = []
        extra_kwargs = {"code": {"validators": []}}


class CallStatusSerializer(serializers.Serializer):
    status = serializers.CharField(read_only=True)
