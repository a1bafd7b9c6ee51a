"""Actual costs and periodic reports in the API: expenditure lines, actual effort, work packages'
progress, late justifications and the report's status flow, each a call to projects.services.periods."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from projects.api import inputs as i
from projects.api import serializers as s
from projects.api.views.common import ERRORS
from projects.api.views.common import parse as _parse
from projects.filtersets import ExpenditureLineFilterSet, PeriodicReportFilterSet
from projects.models import ExpenditureLine, PeriodicReport
from projects.selectors import project_list
from projects.services import periods as period_services


@extend_schema_view(
    create=extend_schema(
        request=s.ExpenditureLineInputSerializer, responses={201: s.ExpenditureLineSerializer, **ERRORS}
    ),
    destroy=extend_schema(responses={204: None, **ERRORS}),
)
class ExpenditureLineViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Actual costs of the partners, per period. `?category_kind=equipment` lists the equipment lines the
    inventory links devices to. A partner's project manager adds and removes their own while the report
    is a draft."""

    serializer_class = s.ExpenditureLineSerializer
    filterset_class = ExpenditureLineFilterSet

    def get_queryset(self):
        return (
            ExpenditureLine.objects.filter(report__period__project__in=project_list(user=self.request.user))
            .select_related("report__period__project", "partner", "category")
            .order_by("pk")
        )

    def create(self, request, *args, **kwargs):
        data = _parse(s.ExpenditureLineInputSerializer, request)
        line = period_services.expenditure_line_add(actor=request.user, **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=line.pk)).data, status=status.HTTP_201_CREATED
        )

    def destroy(self, request, *args, **kwargs):
        period_services.expenditure_line_remove(actor=request.user, line=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    lock=extend_schema(request=None, responses={200: s.PeriodicReportSerializer, **ERRORS}),
    submit=extend_schema(request=None, responses={200: s.PeriodicReportSerializer, **ERRORS}),
    accept=extend_schema(request=None, responses={200: s.PeriodicReportSerializer, **ERRORS}),
    reopen=extend_schema(
        request=s.ReasonInputSerializer, responses={200: s.PeriodicReportSerializer, **ERRORS}
    ),
    late_items=extend_schema(responses={200: s.LateItemSerializer(many=True)}),
    actual_effort=extend_schema(
        request=i.ActualEffortInputSerializer, responses={200: i.ActualEffortSerializer, **ERRORS}
    ),
    progress=extend_schema(
        request=i.ProgressInputSerializer, responses={200: i.ProgressSerializer, **ERRORS}
    ),
    late_justifications=extend_schema(
        request=i.LateJustificationInputSerializer, responses={200: i.LateJustificationSerializer, **ERRORS}
    ),
)
class PeriodicReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Periodic reports: draft → locked (late items justified) → submitted → accepted, or reopened.
    While a draft: each partner's project manager declares their actual person-months per work package;
    the coordinator's project manager writes each work package's progress and justifies late items (the
    lead partner's manager may justify a deliverable it leads)."""

    serializer_class = s.PeriodicReportSerializer
    filterset_class = PeriodicReportFilterSet

    def get_queryset(self):
        return (
            PeriodicReport.objects.filter(period__project__in=project_list(user=self.request.user))
            .select_related("period__project")
            .order_by("period__project__acronym", "period__number")
        )

    def _done(self, report):
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data)

    @action(detail=True, methods=["post"], filter_backends=[])
    def lock(self, request, pk=None):
        return self._done(period_services.report_lock(actor=request.user, report=self.get_object()))

    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None):
        return self._done(period_services.report_submit(actor=request.user, report=self.get_object()))

    @action(detail=True, methods=["post"], filter_backends=[])
    def accept(self, request, pk=None):
        return self._done(period_services.report_accept(actor=request.user, report=self.get_object()))

    @action(detail=True, methods=["post"], filter_backends=[])
    def reopen(self, request, pk=None):
        data = _parse(s.ReasonInputSerializer, request)
        return self._done(period_services.report_reopen(actor=request.user, report=self.get_object(), **data))

    @action(detail=True, methods=["get"], url_path="late-items", filter_backends=[], pagination_class=None)
    def late_items(self, request, pk=None):
        items = period_services.late_items(self.get_object())
        return Response(s.LateItemSerializer(items, many=True).data)

    @action(detail=True, methods=["post"], url_path="actual-effort", filter_backends=[])
    def actual_effort(self, request, pk=None):
        data = _parse(i.ActualEffortInputSerializer, request)
        effort = period_services.actual_effort_set(actor=request.user, report=self.get_object(), **data)
        return Response(i.ActualEffortSerializer(effort).data)

    @action(detail=True, methods=["post"], filter_backends=[])
    def progress(self, request, pk=None):
        data = _parse(i.ProgressInputSerializer, request)
        progress = period_services.wp_progress_set(actor=request.user, report=self.get_object(), **data)
        return Response(i.ProgressSerializer(progress).data)

    @action(detail=True, methods=["post"], url_path="late-justifications", filter_backends=[])
    def late_justifications(self, request, pk=None):
        data = _parse(i.LateJustificationInputSerializer, request)
        justification = period_services.late_justification_set(
            actor=request.user, report=self.get_object(), **data
        )
        return Response(i.LateJustificationSerializer(justification).data)
