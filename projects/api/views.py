"""Projects API under /api/v1/. Reads go through projects.selectors (scoped to the user) and the
FilterSets of projects.filtersets; every write is one call to a service of projects.services, whose
ValidationError and PermissionDenied become 400 and 403 (portal.api.exceptions)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from projects.api import serializers as s
from projects.filtersets import (
    DeliverableFilterSet,
    ExpenditureLineFilterSet,
    PeriodicReportFilterSet,
    ProjectFilterSet,
)
from projects.models import DeliverableFile, ExpenditureLine, FundingProgramme, PeriodicReport, Task
from projects.selectors import deliverable_list, file_visible, project_list
from projects.services import deliverables as deliverable_services
from projects.services import periods as period_services

ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT, description="{field: [messages]} in the user's language; nothing was written."
    ),
    403: OpenApiResponse(
        OpenApiTypes.OBJECT, description="The user may not do this on this project; nothing was written."
    ),
}


def _parse(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class FundingProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    """EU funding programmes with their code lists: deliverable types, dissemination levels, costs."""

    serializer_class = s.FundingProgrammeSerializer
    queryset = FundingProgramme.objects.prefetch_related(
        "deliverable_types", "dissemination_levels", "cost_categories"
    ).order_by("name")
    lookup_field = "code"


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """EU projects the user may read: officials, auditors and administrators all; members of a partner
    organisation theirs. The detail has the work plan and the reporting periods."""

    filterset_class = ProjectFilterSet
    lookup_field = "acronym"

    def get_serializer_class(self):
        return s.ProjectDetailSerializer if self.action == "retrieve" else s.ProjectSerializer

    def get_queryset(self):
        return (
            project_list(user=self.request.user)
            .prefetch_related(
                "partners__organisation",
                Prefetch(
                    "work_packages__tasks",
                    queryset=Task.objects.prefetch_related("participants").select_related("work_package"),
                ),
                "milestones__work_packages",
                "periods__report",
            )
            .order_by("acronym")
        )


@extend_schema_view(
    request_review=extend_schema(
        request=s.ReviewRequestInputSerializer, responses={200: s.DeliverableDetailSerializer, **ERRORS}
    ),
    review_decision=extend_schema(
        request=s.ReviewDecisionInputSerializer, responses={200: s.DeliverableDetailSerializer, **ERRORS}
    ),
    upload=extend_schema(
        request={"multipart/form-data": s.FileInputSerializer},
        responses={200: s.DeliverableDetailSerializer, **ERRORS},
    ),
    record_custody=extend_schema(
        request=s.CustodyInputSerializer, responses={200: s.DeliverableDetailSerializer, **ERRORS}
    ),
    submit=extend_schema(
        request=s.DateInputSerializer, responses={200: s.DeliverableDetailSerializer, **ERRORS}
    ),
    accept=extend_schema(
        request=s.DateInputSerializer, responses={200: s.DeliverableDetailSerializer, **ERRORS}
    ),
    request_revision=extend_schema(
        request=s.ReasonInputSerializer, responses={200: s.DeliverableDetailSerializer, **ERRORS}
    ),
    move_due=extend_schema(
        request=s.MoveDueInputSerializer, responses={200: s.DeliverableDetailSerializer, **ERRORS}
    ),
)
class DeliverableViewSet(viewsets.ReadOnlyModelViewSet):
    """Deliverables of the user's projects (register filters: project, work package, lead partner, status,
    due range, overdue) and their life: each action is one transition of projects.services.deliverables."""

    filterset_class = DeliverableFilterSet
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_serializer_class(self):
        return s.DeliverableSerializer if self.action == "list" else s.DeliverableDetailSerializer

    def get_queryset(self):
        return deliverable_list(user=self.request.user).prefetch_related("events__actor")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action != "list" and "pk" in self.kwargs:
            deliverable = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
            context["files_visible"] = deliverable is not None and file_visible(
                user=self.request.user, deliverable=deliverable
            )
        return context

    def _done(self, deliverable):
        instance = self.get_queryset().get(pk=deliverable.pk)
        return Response(self.get_serializer(instance).data)

    @action(detail=True, methods=["post"], url_path="request-review", filter_backends=[])
    def request_review(self, request, pk=None):
        data = _parse(s.ReviewRequestInputSerializer, request)
        return self._done(
            deliverable_services.deliverable_request_review(
                actor=request.user, deliverable=self.get_object(), **data
            )
        )

    @action(detail=True, methods=["post"], url_path="review-decision", filter_backends=[])
    def review_decision(self, request, pk=None):
        data = _parse(s.ReviewDecisionInputSerializer, request)
        return self._done(
            deliverable_services.deliverable_review_decide(
                actor=request.user, deliverable=self.get_object(), **data
            )
        )

    @action(detail=True, methods=["post"], filter_backends=[])
    def upload(self, request, pk=None):
        data = _parse(s.FileInputSerializer, request)
        deliverable = self.get_object()
        deliverable_services.deliverable_upload(
            actor=request.user, deliverable=deliverable, uploaded_file=data["file"]
        )
        return self._done(deliverable)

    @action(detail=True, methods=["post"], url_path="record-custody", filter_backends=[])
    def record_custody(self, request, pk=None):
        data = _parse(s.CustodyInputSerializer, request)
        return self._done(
            deliverable_services.deliverable_record_custody(
                actor=request.user, deliverable=self.get_object(), **data
            )
        )

    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None):
        data = _parse(s.DateInputSerializer, request)
        return self._done(
            deliverable_services.deliverable_submit(
                actor=request.user, deliverable=self.get_object(), submitted_on=data["date"]
            )
        )

    @action(detail=True, methods=["post"], filter_backends=[])
    def accept(self, request, pk=None):
        data = _parse(s.DateInputSerializer, request)
        return self._done(
            deliverable_services.deliverable_accept(
                actor=request.user, deliverable=self.get_object(), accepted_on=data["date"]
            )
        )

    @action(detail=True, methods=["post"], url_path="request-revision", filter_backends=[])
    def request_revision(self, request, pk=None):
        data = _parse(s.ReasonInputSerializer, request)
        return self._done(
            deliverable_services.deliverable_request_revision(
                actor=request.user, deliverable=self.get_object(), **data
            )
        )

    @action(detail=True, methods=["post"], url_path="move-due", filter_backends=[])
    def move_due(self, request, pk=None):
        data = _parse(s.MoveDueInputSerializer, request)
        return self._done(
            deliverable_services.deliverable_move_due(
                actor=request.user, deliverable=self.get_object(), **data
            )
        )

    @extend_schema(
        responses={
            200: OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such version, or not visible."),
        }
    )
    @action(detail=True, methods=["get"], url_path=r"files/(?P<version>\d+)", filter_backends=[])
    def file(self, request, pk=None, version=None):
        """A version of the deliverable's file, for whom dissemination allows."""
        from django.http import FileResponse, Http404

        deliverable = self.get_object()
        if not file_visible(user=request.user, deliverable=deliverable):
            raise PermissionDenied
        version_file = DeliverableFile.objects.filter(deliverable=deliverable, version=version).first()
        if version_file is None:
            raise Http404
        return FileResponse(
            version_file.file.open("rb"),
            content_type=version_file.content_type,
            as_attachment=True,
            filename=version_file.original_name,
        )


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
)
class PeriodicReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Periodic reports: draft → locked (late items justified) → submitted → accepted, or reopened."""

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
