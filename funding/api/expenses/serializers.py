"""Serializers of the expense reports (rendicontazione) and grants: they parse and show."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from funding.api.allocation.serializers import ActSerializer
from funding.api.fields import status_field
from funding.choices import CommitmentStatus, ExpenseReportStatus
from funding.models import (
    Application,
    Commitment,
    ExpenseLine,
    ExpenseReport,
)
from funding.services.expenses import LINE_FIELDS
from portal.api.fields import AmountField


# --- Expense reports -------------------------------------------------------------------------------
class ExpenseLineSerializer(serializers.ModelSerializer):
    documents = serializers.SerializerMethodField()

    class Meta:
        model = ExpenseLine
        # The invoice's fields as the service names (and audits) them, then the official's decision.
        fields = ["id", *LINE_FIELDS, "eligible", "ineligible_reason", "documents"]
        read_only_fields = ["eligible", "ineligible_reason"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_documents(self, line) -> list[str]:
        return [d.original_name for d in line.documents.all() if d.is_current]


class ExpenseLineInputSerializer(serializers.Serializer):
    supplier_name = serializers.CharField(max_length=200)
    supplier_vat_number = serializers.CharField(max_length=13)
    invoice_number = serializers.CharField(max_length=50)
    invoice_date = serializers.DateField()
    description = serializers.CharField(max_length=300)
    net_amount = AmountField()
    vat_amount = AmountField()
    total_amount = AmountField()


class ExpenseReportSerializer(serializers.ModelSerializer):
    status = status_field(ExpenseReportStatus, "Status of the report")
    beneficiary = serializers.IntegerField(source="commitment.beneficiary_id", read_only=True)

    class Meta:
        model = ExpenseReport
        fields = [
            "id",
            "application",
            "commitment",
            "beneficiary",
            "is_final",
            "status",
            "notes",
            "submitted_at",
            "verified_at",
            "eligible_total",
            "payable_amount",
            "liquidation",
        ]
        read_only_fields = fields


class ExpenseReportDetailSerializer(ExpenseReportSerializer):
    lines = ExpenseLineSerializer(many=True, read_only=True)

    class Meta(ExpenseReportSerializer.Meta):
        fields = [*ExpenseReportSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class ExpenseReportCreateSerializer(serializers.Serializer):
    application = serializers.PrimaryKeyRelatedField(
        queryset=Application.objects.all(), required=False, allow_null=True, default=None
    )
    commitment = serializers.PrimaryKeyRelatedField(
        queryset=Commitment.objects.all(), required=False, allow_null=True, default=None
    )
    is_final = serializers.BooleanField(default=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class VerifySerializer(ActSerializer):
    liquidation_date = serializers.DateField(required=False, allow_null=True, default=None)


class PayableSerializer(serializers.Serializer):
    method = serializers.CharField()
    eligible_basis = serializers.CharField()
    eligible_net = AmountField()
    eligible_gross = AmountField()
    eligible_amount = AmountField()
    percentage = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)
    cap = AmountField(allow_null=True)
    already_liquidated = AmountField()
    allowed = AmountField()
    remaining = AmountField()
    amount = AmountField()
    undecided = serializers.IntegerField()


class GrantSerializer(serializers.ModelSerializer):
    status = status_field(CommitmentStatus, "Status of the commitment")
    beneficiary_name = serializers.CharField(source="beneficiary.name", read_only=True)
    to_liquidate = AmountField(read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "beneficiary",
            "beneficiary_name",
            "amount",
            "liquidated_total",
            "economies_total",
            "to_liquidate",
            "status",
            "act_number",
            "act_date",
        ]
        read_only_fields = fields


class CloseGrantSerializer(ActSerializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
