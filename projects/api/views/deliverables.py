"""Deliverables in the API: the register (filters of DeliverableFilterSet), the detail with its timeline
and files, changes to its data, and its life: each action is one transition of
projects.services.deliverables, which checks who may make it and its rules."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from projects.api import inputs as i
from projects.api import serializers as s
from projects.api.views.common import ERRORS
from projects.api.views.common import parse as _parse
from projects.filtersets import DeliverableFilterSet
from projects.models import DeliverableFile
from projects.selectors import deliverable_list, file_visible
from projects.services import deliverables as deliverable_services
from projects.services import workplan as workplan_services


@extend_schema_view(
    partial_update=extend_schema(
        request=i.DeliverableUpdateInputSerializer, responses={200: s.DeliverableDetailSerializer, **ERRORS}
    ),
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
    destroy=extend_schema(responses={204: None, **ERRORS}),
)
class DeliverableViewSet(mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Deliverables of the user's projects (register filters: project, work package, lead partner, status,
    due range, overdue) and their life: each action is one transition of projects.services.deliverables.
    PATCH changes title, description, lead, type and dissemination (the coordinator's project manager),
    the due month only while in preparation; DELETE removes one never past pending nor submitted, or
    says why not. New deliverables: POST /work-packages/{id}/deliverables/."""

    filterset_class = DeliverableFilterSet
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        return s.DeliverableSerializer if self.action == "list" else s.DeliverableDetailSerializer

    def get_queryset(self):
        deliverables = deliverable_list(user=self.request.user)
        # The timeline is the detail's (the register lists none).
        return deliverables if self.action == "list" else deliverables.prefetch_related("events__actor")

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

    def partial_update(self, request, *args, **kwargs):
        data = _parse(i.DeliverableUpdateInputSerializer, request, partial=True)
        return self._done(
            workplan_services.deliverable_update(actor=request.user, deliverable=self.get_object(), **data)
        )

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        workplan_services.deliverable_delete(actor=request.user, deliverable=self.get_object())
        return Response(status=204)

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
