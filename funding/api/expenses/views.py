"""Expense reports and grants: beneficiaries report, officials verify and close, through
funding.services.expenses (ValidationError and PermissionDenied become 400 and 403)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from funding.api.allocation.serializers import EconomySerializer
from funding.api.expenses.serializers import (
    CloseGrantSerializer,
    EligibilitySerializer,
    ExpenseLineInputSerializer,
    ExpenseLineSerializer,
    ExpenseReportCreateSerializer,
    ExpenseReportDetailSerializer,
    ExpenseReportSerializer,
    GrantSerializer,
    PayableSerializer,
    ReturnSerializer,
    VerifySerializer,
)
from funding.filtersets import ExpenseReportFilterSet
from funding.models import (
    ExpenseLine,
)
from funding.selectors import (
    commitment_list,
    expense_report_detail,
    expense_report_list,
    reportable_grants,
)
from funding.services import expenses
from portal.permissions import ReadsFunding


class ExpenseReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Rendicontazione: beneficiaries open reports on their grants, add invoices and submit;
    officials mark each line eligible or not, then verify (liquidation) or return the report."""

    filterset_class = ExpenseReportFilterSet
    permission_classes = [ReadsFunding]

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


class GrantViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):
    """Grants (commitments) to report on: an applicant's live grants with money still to liquidate.
    Officials close a grant: what was not liquidated becomes an economy."""

    serializer_class = GrantSerializer
    permission_classes = [ReadsFunding]

    def get_queryset(self):
        user = self.request.user
        if self.action == "close":
            return commitment_list(user=user)
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
