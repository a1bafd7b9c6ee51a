"""API of the allocations (riparti, graduatorie, scorrimento) and of the expense reports.

Serializers validate shapes only; every write goes through funding.services.allocation and
funding.services.expenses, whose ValidationError and PermissionDenied become 400 and 403.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from funding.choices import AllocationStatus, AnnexStatus, CommitmentStatus, ExpenseReportStatus
from funding.filtersets import AllocationFilterSet, ExpenseReportFilterSet
from funding.models import (
    Allocation,
    AllocationRow,
    Application,
    Call,
    Commitment,
    Economy,
    ExpenseLine,
    ExpenseReport,
)
from funding.selectors import (
    allocation_documents,
    allocation_list,
    allocation_rows,
    allocation_totals,
    expense_report_detail,
    expense_report_list,
    reportable_grants,
)
from funding.services import allocation as allocation_services
from funding.services import expenses
from funding.services.allocation import act_pdfs
from portal.permissions import APPLY, READ_ALL, REVIEW_APPLICATIONS, HasCapability, can
from reporting.api.views import DownloadRenderer
from reporting.http import stored_pdf_response

MONEY = {"max_digits": 14, "decimal_places": 2}


def _status_field(choices, what: str):
    """A read-only status described as a string listing its values: other resources expose other
    "status" choice sets, and the schema must not name two enums the same."""

    @extend_schema_field(
        {"type": "string", "readOnly": True, "description": f"{what}: {', '.join(choices.values)}."}
    )
    class StatusField(serializers.CharField):
        pass

    return StatusField(read_only=True)


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
    status = _status_field(AllocationStatus, "Status of the allocation")
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
    requested = serializers.DecimalField(**MONEY, allow_null=True)
    amount = serializers.DecimalField(**MONEY)
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
    available_before = serializers.DecimalField(**MONEY)
    commitments = serializers.IntegerField()
    committed = serializers.DecimalField(**MONEY)
    returned = serializers.DecimalField(**MONEY)
    available_after = serializers.DecimalField(**MONEY)
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


class AllocationViewSet(viewsets.ReadOnlyModelViewSet):
    """Allocations of the calls: proposals with every row and the rule applied, adopted ones with
    the act. Read by officials, auditors and administrators; proposed, adopted and scrolled by
    officials."""

    permission_classes = [HasCapability.for_(READ_ALL, write=REVIEW_APPLICATIONS)]
    filterset_class = AllocationFilterSet
    PDF_ACTIONS = frozenset({"annex_pdf", "ranking_pdf", "pdf_regenerate"})

    def get_queryset(self):
        if self.action in self.PDF_ACTIONS:  # no count of the rows, no stored inputs: a quick read
            return allocation_documents(user=self.request.user).order_by("-pk")
        return allocation_list(user=self.request.user).order_by("-computed_at", "-pk")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AllocationDetailSerializer
        return AllocationSerializer

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="beneficiary name, ISTAT code or protocol")],
        responses=AllocationRowSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def rows(self, request, pk=None, version=None):
        """The rows in order, paginated; `q` searches by name, ISTAT code or protocol number."""
        allocation = self.get_object()
        rows = allocation_rows(allocation=allocation, q=request.query_params.get("q", ""))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AllocationRowSerializer(page, many=True).data)

    @extend_schema(request=ProposeSerializer, responses={201: AllocationDetailSerializer})
    @action(detail=False, methods=["post"])
    def propose(self, request, version=None):
        """Compute a proposal from the call's candidates (older proposals of the round are superseded)."""
        serializer = ProposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        allocation = allocation_services.allocation_propose(
            actor=request.user, call=serializer.validated_data["call"]
        )
        return self._created(allocation)

    @extend_schema(request=ProposeSerializer, responses={201: AllocationDetailSerializer})
    @action(detail=False, methods=["post"])
    def rerank(self, request, version=None):
        """Scorrimento: propose the next round, giving the freed money to the next in the ranking."""
        serializer = ProposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        allocation = allocation_services.allocation_rerank(
            actor=request.user, call=serializer.validated_data["call"]
        )
        return self._created(allocation)

    @extend_schema(responses=EffectSerializer)
    @action(detail=True, methods=["get"])
    def effect(self, request, pk=None, version=None):
        """What adopting would write: commitments and the reservation's availability before and after."""
        effect = allocation_services.allocation_effect(allocation=self.get_object())
        return Response(EffectSerializer(effect).data)

    @extend_schema(request=ActSerializer, responses=AllocationDetailSerializer)
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None, version=None):
        """Adopt the proposal with the act (determinazione): every commitment in one transaction."""
        allocation = self.get_object()
        serializer = ActSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        allocation_services.allocation_adopt(
            actor=request.user, allocation=allocation, **serializer.validated_data
        )
        return Response(AllocationDetailSerializer(self.get_queryset().get(pk=allocation.pk)).data)

    @extend_schema(request=CancelGrantSerializer, responses={201: EconomySerializer})
    @action(detail=False, methods=["post"], url_path="cancel-grant")
    def cancel_grant(self, request, version=None):
        """A granted application withdrawn or revoked: its commitment is cancelled (money back to the
        reservation, ready for the scorrimento). Revokes it first when a reason is given."""
        serializer = CancelGrantSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        economy = allocation_services.grant_cancel(actor=request.user, **serializer.validated_data)
        return Response(EconomySerializer(economy).data, status=status.HTTP_201_CREATED)

    def _created(self, allocation):
        allocation = self.get_queryset().get(pk=allocation.pk)
        return Response(AllocationDetailSerializer(allocation).data, status=status.HTTP_201_CREATED)

    def _pdf(self, document: str):
        allocation = self.get_object()
        try:
            stored = act_pdfs.annex_download(user=self.request.user, allocation=allocation, document=document)
        except ValidationError as exc:
            retry = {"Retry-After": "60"} if exc.code == "pending" else {}
            return Response(
                {"detail": " ".join(exc.messages), "code": exc.code, "status": allocation.annex_status},
                status=status.HTTP_404_NOT_FOUND,
                headers=retry,
            )
        return stored_pdf_response(stored)

    @extend_schema(
        summary="Download the annex of the adopted act (PDF)",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(
                description="No such allocation, not adopted, or its PDF is not generated yet "
                "(code pending, Retry-After) or failed (code failed)."
            ),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="annex-pdf",
        renderer_classes=[JSONRenderer, DownloadRenderer],
        filter_backends=[],
    )
    def annex_pdf(self, request, pk=None, version=None):
        """The annex generated once when the allocation was adopted (in Italian, the act's language),
        served from storage. Every download is recorded in the audit trail."""
        return self._pdf(act_pdfs.ANNEX)

    @extend_schema(
        summary="Download the ranking of the adopted act (PDF, ranked calls)",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not a ranked call, not adopted, or not generated yet."),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="ranking-pdf",
        renderer_classes=[JSONRenderer, DownloadRenderer],
        filter_backends=[],
    )
    def ranking_pdf(self, request, pk=None, version=None):
        """The ranking (graduatoria) as it stood when this round was adopted, served from storage."""
        return self._pdf(act_pdfs.RANKING)

    @extend_schema(request=None, responses={202: ActPdfsSerializer})
    @action(detail=True, methods=["post"], url_path="pdf-regenerate", filter_backends=[])
    def pdf_regenerate(self, request, pk=None, version=None):
        """Officials: generate the act's PDFs again after they failed (or if they never were)."""
        allocation = act_pdfs.annex_regenerate(actor=request.user, allocation=self.get_object())
        data = ActPdfsSerializer(allocation, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED)


# --- Expense reports -------------------------------------------------------------------------------
class ExpenseLineSerializer(serializers.ModelSerializer):
    documents = serializers.SerializerMethodField()

    class Meta:
        model = ExpenseLine
        fields = [
            "id",
            "supplier_name",
            "supplier_vat_number",
            "invoice_number",
            "invoice_date",
            "description",
            "net_amount",
            "vat_amount",
            "total_amount",
            "eligible",
            "ineligible_reason",
            "documents",
        ]
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
    net_amount = serializers.DecimalField(**MONEY)
    vat_amount = serializers.DecimalField(**MONEY)
    total_amount = serializers.DecimalField(**MONEY)


class ExpenseReportSerializer(serializers.ModelSerializer):
    status = _status_field(ExpenseReportStatus, "Status of the report")
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
    eligible_net = serializers.DecimalField(**MONEY)
    eligible_gross = serializers.DecimalField(**MONEY)
    eligible_amount = serializers.DecimalField(**MONEY)
    percentage = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)
    cap = serializers.DecimalField(**MONEY, allow_null=True)
    already_liquidated = serializers.DecimalField(**MONEY)
    allowed = serializers.DecimalField(**MONEY)
    remaining = serializers.DecimalField(**MONEY)
    amount = serializers.DecimalField(**MONEY)
    undecided = serializers.IntegerField()


class ExpenseReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Rendicontazione: beneficiaries open reports on their grants, add invoices and submit;
    officials mark each line eligible or not, then verify (liquidation) or return the report."""

    filterset_class = ExpenseReportFilterSet

    def get_queryset(self):
        if self.action == "list":
            return expense_report_list(user=self.request.user)
        return expense_report_detail(user=self.request.user).prefetch_related("lines__documents")

    def get_serializer_class(self):
        if self.action == "create":
            return ExpenseReportCreateSerializer
        if self.action == "list":
            return ExpenseReportSerializer
        return ExpenseReportDetailSerializer

    def _detail(self, report, code=status.HTTP_200_OK):
        report = (
            expense_report_detail(user=self.request.user)
            .prefetch_related("lines__documents")
            .get(pk=report.pk)
        )
        return Response(ExpenseReportDetailSerializer(report).data, status=code)

    @extend_schema(request=ExpenseReportCreateSerializer, responses={201: ExpenseReportDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Open a report on a granted application, or on a commitment that has no application."""
        serializer = ExpenseReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = expenses.expense_report_create(actor=request.user, **serializer.validated_data)
        return self._detail(report, status.HTTP_201_CREATED)

    @extend_schema(request=ExpenseLineInputSerializer, responses={201: ExpenseLineSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def lines(self, request, pk=None, version=None):
        """Add an invoice line: partita IVA checked, total = net + VAT, each invoice once per grant."""
        report = self.get_object()
        serializer = ExpenseLineInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = expenses.expense_line_add(actor=request.user, report=report, **serializer.validated_data)
        return Response(ExpenseLineSerializer(line).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"lines/(?P<line_id>[0-9]+)", filter_backends=[])
    def remove_line(self, request, pk=None, line_id=None, version=None):
        report = self.get_object()
        line = get_object_or_404(ExpenseLine, pk=line_id, report=report)
        expenses.expense_line_remove(actor=request.user, line=line)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=EligibilitySerializer, responses=ExpenseLineSerializer)
    @action(
        detail=True, methods=["post"], url_path=r"lines/(?P<line_id>[0-9]+)/eligibility", filter_backends=[]
    )
    def eligibility(self, request, pk=None, line_id=None, version=None):
        """The official marks a line eligible or not (a reason is required when it is not)."""
        report = self.get_object()
        line = get_object_or_404(ExpenseLine, pk=line_id, report=report)
        serializer = EligibilitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = expenses.expense_line_set_eligibility(
            actor=request.user, line=line, **serializer.validated_data
        )
        return Response(ExpenseLineSerializer(line).data)

    @extend_schema(request=None, responses=ExpenseReportDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None, version=None):
        report = expenses.expense_report_submit(actor=request.user, report=self.get_object())
        return self._detail(report)

    @extend_schema(request=ReturnSerializer, responses=ExpenseReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", filter_backends=[])
    def return_report(self, request, pk=None, version=None):
        """Return the report to the beneficiary for corrections."""
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = expenses.expense_report_return(
            actor=request.user, report=self.get_object(), reason=serializer.validated_data["reason"]
        )
        return self._detail(report)

    @extend_schema(responses=PayableSerializer)
    @action(detail=True, methods=["get"], filter_backends=[])
    def payable(self, request, pk=None, version=None):
        """How much verifying the report would liquidate now, and why."""
        return Response(PayableSerializer(expenses.expense_report_payable(report=self.get_object())).data)

    @extend_schema(request=VerifySerializer, responses=ExpenseReportDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def verify(self, request, pk=None, version=None):
        """Verify and liquidate (saldo for a final report, acconto otherwise); a final report also
        returns what stays unspent to the reservation as an economy."""
        serializer = VerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = expenses.expense_report_verify(
            actor=request.user, report=self.get_object(), **serializer.validated_data
        )
        return self._detail(report)


class GrantSerializer(serializers.ModelSerializer):
    status = _status_field(CommitmentStatus, "Status of the commitment")
    beneficiary_name = serializers.CharField(source="beneficiary.name", read_only=True)
    to_liquidate = serializers.DecimalField(**MONEY, read_only=True)

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


class GrantViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):
    """Grants (commitments) to report on: an applicant's live grants with money still to liquidate.
    Officials close a grant: what was not liquidated becomes an economy."""

    serializer_class = GrantSerializer

    def get_queryset(self):
        user = self.request.user
        if self.action == "close":
            from funding.selectors import commitment_list

            return commitment_list(user=user)
        if not can(user, APPLY):
            return Commitment.objects.none()
        return reportable_grants(user=user)

    @extend_schema(request=CloseGrantSerializer, responses={201: EconomySerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, version=None):
        serializer = CloseGrantSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        economy = expenses.grant_close(
            actor=request.user, commitment=self.get_object(), **serializer.validated_data
        )
        return Response(EconomySerializer(economy).data, status=status.HTTP_201_CREATED)
