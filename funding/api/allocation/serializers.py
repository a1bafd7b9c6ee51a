"""Serializers of the allocations: they parse and show; funding.services.allocation decides."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from funding.api.fields import status_field
from funding.choices import AllocationStatus, AnnexStatus
from funding.models import (
    Allocation,
    AllocationRow,
    Application,
    Call,
    Economy,
)
from funding.selectors import (
    allocation_totals,
)
from funding.services import allocation as allocation_services
from portal.api.fields import AmountField


# --- Allocations -----------------------------------------------------------------------------------
class AllocationRowSerializer(serializers.ModelSerializer):
    beneficiary_name = serializers.CharField(source="beneficiary.name", read_only=True)
    code = serializers.SerializerMethodField()
    rule_text = serializers.SerializerMethodField()

    class Meta:
        model = AllocationRow
        fields = [
            "position",
            "beneficiary",
            "beneficiary_name",
            "code",
            "application",
            "weight",
            "exact_quota",
            "requested",
            "granted_before",
            "amount",
            "outcome",
            "rule",
            "rule_params",
            "rule_text",
            "commitment",
        ]

    def get_code(self, row) -> str:
        """ISTAT code of the comune, or the application's protocol number."""
        if row.application_id:
            return row.application.protocol_number
        comune = row.beneficiary.comune
        return comune.istat_code if comune else ""

    def get_rule_text(self, row) -> str:
        """The rule applied, in the request's language."""
        return allocation_services.rule_text(row)


class AllocationSerializer(serializers.ModelSerializer):
    status = status_field(AllocationStatus, "Status of the allocation")
    call_code = serializers.CharField(source="call.code", read_only=True)
    reference_date = serializers.DateField(source="call.reference_date", read_only=True, allow_null=True)
    row_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "call",
            "call_code",
            "round",
            "method",
            "status",
            "total",
            "allocated_total",
            "reference_date",
            "row_count",
            "computed_at",
            "computed_by",
            "adopted_at",
            "adopted_by",
            "act_number",
            "act_date",
        ]


class AllocationTotalsSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    weight = serializers.DecimalField(max_digits=20, decimal_places=2)
    exact_quota = serializers.DecimalField(max_digits=24, decimal_places=6)
    requested = AmountField(allow_null=True)
    amount = AmountField()
    funded = serializers.IntegerField()
    partly_funded = serializers.IntegerField()
    not_funded = serializers.IntegerField()


class ActPdfsSerializer(serializers.Serializer):
    """The PDFs of an adopted allocation's act, generated once after adoption."""

    status = serializers.CharField(
        source="annex_status",
        help_text=f"{', '.join(AnnexStatus.values)}; empty while there is no act (a proposal).",
    )
    error = serializers.CharField(source="annex_error", help_text="Why they failed, if they did.")
    generated_at = serializers.DateTimeField(source="annex_generated_at", allow_null=True)
    annex_sha256 = serializers.CharField()
    ranking_sha256 = serializers.CharField(help_text="Ranked calls only.")
    annex_url = serializers.SerializerMethodField()
    ranking_url = serializers.SerializerMethodField()

    def _url(self, name: str, allocation):
        path = reverse(f"v1:{name}", args=[allocation.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_annex_url(self, allocation):
        """Where to download the annex, once generated."""
        if allocation.annex_status != AnnexStatus.DONE:
            return None
        return self._url("allocation-annex-pdf", allocation)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_ranking_url(self, allocation):
        """Where to download the ranking (ranked calls), once generated."""
        if allocation.annex_status != AnnexStatus.DONE or not allocation.ranking_pdf:
            return None
        return self._url("allocation-ranking-pdf", allocation)


class AllocationDetailSerializer(AllocationSerializer):
    inputs = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()
    act_pdfs = serializers.SerializerMethodField()

    class Meta(AllocationSerializer.Meta):
        fields = [*AllocationSerializer.Meta.fields, "inputs", "totals", "act_pdfs"]

    @extend_schema_field(ActPdfsSerializer)
    def get_act_pdfs(self, allocation) -> dict:
        return ActPdfsSerializer(allocation, context=self.context).data

    @extend_schema_field(serializers.DictField())
    def get_inputs(self, allocation) -> dict:
        """Method, parameters, reference date and total; the candidates are the rows."""
        return allocation.inputs_summary

    @extend_schema_field(AllocationTotalsSerializer)
    def get_totals(self, allocation) -> dict:
        return AllocationTotalsSerializer(allocation_totals(allocation=allocation)).data


class ProposeSerializer(serializers.Serializer):
    call = serializers.PrimaryKeyRelatedField(queryset=Call.objects.all())


class ActSerializer(serializers.Serializer):
    act_number = serializers.CharField(max_length=50)
    act_date = serializers.DateField()


class EffectSerializer(serializers.Serializer):
    reservation = serializers.IntegerField(source="reservation.pk")
    available_before = AmountField()
    commitments = serializers.IntegerField()
    committed = AmountField()
    returned = AmountField()
    available_after = AmountField()
    granted = serializers.IntegerField()
    increased = serializers.IntegerField()
    not_funded = serializers.IntegerField()


class CancelGrantSerializer(ActSerializer):
    application = serializers.PrimaryKeyRelatedField(queryset=Application.objects.all())
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class EconomySerializer(serializers.ModelSerializer):
    class Meta:
        model = Economy
        fields = ["id", "commitment", "amount", "date", "act_number", "act_date", "description"]
