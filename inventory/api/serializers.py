"""Serializers of the inventory API. Read serializers show what the selectors return; input
serializers only parse for inventory.services, which hold every rule and answer with field errors."""

from functools import cached_property

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from funding.models import Commitment, ExpenseLine
from inventory.choices import AssignmentKind, DeviceKind, DeviceStatus, FundingSource
from inventory.models import Assignment, Device, DeviceModel, DeviceStatusChange, Site
from inventory.services.deployment import Target
from inventory.services.devices import Funding
from portal.api.fields import AmountField
from portal.models import Comune, Organisation

COORDINATE = {"max_digits": 9, "decimal_places": 6}


def _choice(name: str, choices):
    """A choice field described as a plain string enum (other apps have fields with the same names)."""

    @extend_schema_field({"type": "string", "enum": sorted(choices.values)})
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices.choices, **kwargs)

    Field.__name__ = name
    return Field


DeviceKindField = _choice("DeviceKindField", DeviceKind)
DeviceStatusField = _choice("DeviceStatusField", DeviceStatus)
FundingSourceField = _choice("FundingSourceField", FundingSource)
AssignmentKindField = _choice("AssignmentKindField", AssignmentKind)


# --- Read ---------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="InventoryDeviceModel")
class DeviceModelSerializer(serializers.ModelSerializer):
    kind = DeviceKindField(read_only=True)

    class Meta:
        model = DeviceModel
        fields = ["id", "kind", "manufacturer", "name", "conformity_standards", "description"]


@extend_schema_serializer(component_name="InventorySite")
class SiteSerializer(serializers.ModelSerializer):
    comune = serializers.CharField(source="comune.istat_code", read_only=True)
    comune_name = serializers.CharField(source="comune.name", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    deployed = serializers.IntegerField(read_only=True, help_text="Devices standing at the site now.")

    class Meta:
        model = Site
        fields = [
            "id",
            "owner",
            "owner_name",
            "name",
            "address",
            "comune",
            "comune_name",
            "latitude",
            "longitude",
            "watches",
            "deployed",
        ]


@extend_schema_serializer(component_name="InventoryDeployment")
class AssignmentSerializer(serializers.ModelSerializer):
    kind = AssignmentKindField(read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True, default=None)
    comune = serializers.CharField(source="site.comune.name", read_only=True, default=None)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "device",
            "kind",
            "started_on",
            "ended_on",
            "end_reason",
            "police_unit",
            "officer_service_number",
            "vehicle_plate",
            "licence_number",
            "installer",
            "site",
            "site_name",
            "comune",
        ]


@extend_schema_serializer(component_name="InventoryStatusChange")
class StatusChangeSerializer(serializers.ModelSerializer):
    from_status = serializers.CharField(read_only=True, help_text="Empty for the registration.")
    to_status = DeviceStatusField(read_only=True)
    changed_by = serializers.SerializerMethodField()

    class Meta:
        model = DeviceStatusChange
        fields = ["id", "from_status", "to_status", "reason", "changed_at", "changed_by"]

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_changed_by(self, row) -> str | None:
        return row.changed_by.email if row.changed_by_id else None


@extend_schema_serializer(component_name="InventoryDevice")
class DeviceSerializer(serializers.ModelSerializer):
    kind = DeviceKindField(source="model.kind", read_only=True)
    model_name = serializers.CharField(source="model", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    status = DeviceStatusField(read_only=True)
    funding_source = FundingSourceField(read_only=True)
    deployment = serializers.SerializerMethodField(
        help_text="The open deployment, if the device is deployed."
    )

    class Meta:
        model = Device
        fields = [
            "id",
            "kind",
            "model",
            "model_name",
            "owner",
            "owner_name",
            "serial_number",
            "asset_tag",
            "purchase_date",
            "cost_net",
            "cost_vat",
            "warranty_end",
            "status",
            "funding_source",
            "commitment",
            "expense_line",
            "eu_reference",
            "notes",
            "last_seen_at",
            "deployment",
        ]

    @cached_property
    def _assignment(self) -> AssignmentSerializer:
        # One nested serializer for the whole list: DRF builds a ModelSerializer's fields at each
        # instantiation (a new one per device cost 2 ms a row, most of the devices API's time).
        return AssignmentSerializer(context=self.context)

    @extend_schema_field(AssignmentSerializer(allow_null=True))
    def get_deployment(self, device):
        current = getattr(device, "open_assignments", None)
        if current is None:
            current = list(device.assignments.filter(ended_on__isnull=True))
        return self._assignment.to_representation(current[0]) if current else None


# --- Input -------------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="InventoryDeviceModelInput")
class DeviceModelInputSerializer(serializers.Serializer):
    kind = DeviceKindField()
    manufacturer = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=100)
    conformity_standards = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    description = serializers.CharField(required=False, default="", allow_blank=True)

    def service_kwargs(self) -> dict:
        return dict(self.validated_data)


@extend_schema_serializer(component_name="InventoryDeviceInput")
class DeviceInputSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.filter(is_active=True))
    model = serializers.PrimaryKeyRelatedField(queryset=DeviceModel.objects.all())
    serial_number = serializers.CharField(max_length=100)
    asset_tag = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    purchase_date = serializers.DateField(required=False, allow_null=True, default=None)
    warranty_end = serializers.DateField(required=False, allow_null=True, default=None)
    cost_net = AmountField()
    cost_vat = AmountField()
    status = DeviceStatusField(required=False, default=DeviceStatus.IN_STOCK, help_text="ordered or in_stock")
    funding_source = FundingSourceField()
    commitment = serializers.PrimaryKeyRelatedField(
        queryset=Commitment.objects.all(), required=False, allow_null=True, default=None
    )
    expense_line = serializers.PrimaryKeyRelatedField(
        queryset=ExpenseLine.objects.all(), required=False, allow_null=True, default=None
    )
    eu_reference = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    notes = serializers.CharField(required=False, default="", allow_blank=True)

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        data["funding"] = Funding(
            source=data.pop("funding_source"),
            commitment=data.pop("commitment"),
            expense_line=data.pop("expense_line"),
            eu_reference=data.pop("eu_reference"),
        )
        return data


@extend_schema_serializer(component_name="InventoryDeviceUpdate")
class DeviceUpdateSerializer(serializers.Serializer):
    asset_tag = serializers.CharField(max_length=50, required=False, allow_blank=True)
    purchase_date = serializers.DateField(required=False, allow_null=True)
    warranty_end = serializers.DateField(required=False, allow_null=True)
    cost_net = AmountField(required=False)
    cost_vat = AmountField(required=False)
    eu_reference = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)

    def service_kwargs(self) -> dict:
        return dict(self.validated_data)


@extend_schema_serializer(component_name="InventoryTransitionInput")
class TransitionInputSerializer(serializers.Serializer):
    to_status = DeviceStatusField()
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    on = serializers.DateField(required=False, allow_null=True, default=None)

    def service_kwargs(self) -> dict:
        return dict(self.validated_data)


@extend_schema_serializer(component_name="InventoryDeployInput")
class DeployInputSerializer(serializers.Serializer):
    kind = AssignmentKindField()
    police_unit = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    officer_service_number = serializers.CharField(
        max_length=20, required=False, default="", allow_blank=True, help_text="Never a name."
    )
    vehicle_plate = serializers.CharField(max_length=10, required=False, default="", allow_blank=True)
    licence_number = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    installer = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.all(), required=False, allow_null=True, default=None
    )
    started_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        started_on, reason = data.pop("started_on"), data.pop("reason")
        return {"target": Target(**data), "started_on": started_on, "reason": reason}


@extend_schema_serializer(component_name="InventorySiteInput")
class SiteInputSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.filter(is_active=True))
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=300)
    comune = serializers.SlugRelatedField(
        slug_field="istat_code", queryset=Comune.objects.select_related("province"), help_text="ISTAT code"
    )
    latitude = serializers.DecimalField(**COORDINATE)
    longitude = serializers.DecimalField(**COORDINATE)
    watches = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)

    def service_kwargs(self) -> dict:
        return dict(self.validated_data)


@extend_schema_serializer(component_name="InventoryGrantFigures")
class GrantFiguresSerializer(serializers.Serializer):
    commitment_id = serializers.IntegerField()
    beneficiary = serializers.CharField()
    beneficiary_id = serializers.IntegerField()
    granted = AmountField()
    liquidated = AmountField()
    last_liquidation = serializers.DateField(allow_null=True)
    declared = serializers.IntegerField(help_text="Devices invoiced on the expense reports.")
    registered = serializers.IntegerField()
    deployed = serializers.IntegerField()
    faulty = serializers.IntegerField()
    decommissioned = serializers.IntegerField()
    out_of_warranty = serializers.IntegerField()
    silent = serializers.IntegerField(help_text="Deployed, and not heard from analytics for too long.")
    producing = serializers.IntegerField(help_text="Deployed, and heard from an analytics source lately.")
    cost = AmountField(help_text="What the registered devices cost, VAT included.")
    cost_per_device = AmountField(allow_null=True)
    liquidated_per_device = AmountField(allow_null=True)
    flags = serializers.ListField(child=serializers.CharField())
