import json
from functools import partial

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from portal.filtersets import AuditEventFilterSet
from portal.permissions import READ_AUDIT, HasCapability
from portal.selectors import audit_event_list
from reporting.api.serializers import (
    AuditEventSerializer,
    ExportJobCreateSerializer,
    ExportJobSerializer,
    ReportSerializer,
    report_data,
)
from reporting.http import job_file_response
from reporting.models import ExportJob
from reporting.registry import ReportNotFound, get_report
from reporting.selectors import audit_trail_known_count, export_job_list, report_list
from reporting.services.exports import export_download, export_job_for, export_request


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The hash-chained audit trail, newest first; filter by action, actor, object and dates."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    permission_classes = [HasCapability.for_(READ_AUDIT)]
    lookup_field = "seq"

    def get_queryset(self):
        return audit_event_list(user=self.request.user).order_by("-seq")

    def paginate_queryset(self, queryset):
        """A page of the whole trail takes its count from the newest sequence number (a COUNT(*) read
        every event: 9 ms at 176,000); a search is counted."""
        known = audit_trail_known_count(
            user=self.request.user,
            params=self.request.query_params,
            filters=self.filterset_class.base_filters,
        )
        if known is not None:
            self.paginator.django_paginator_class = partial(KnownCountPaginator, count=known)
        return super().paginate_queryset(queryset)


class KnownCountPaginator(Paginator):
    """Django's paginator with the number of objects given instead of counted."""

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.count = count


@extend_schema_view(
    list=extend_schema(responses=ReportSerializer(many=True)),
    retrieve=extend_schema(responses=ReportSerializer),
)
class ReportViewSet(viewsets.ViewSet):
    """The reports the user may export, with their columns and parameters (the list leaves out the
    choices read from the database; a report's own definition gives them)."""

    lookup_field = "key"
    lookup_value_regex = r"[a-z0-9_.\-]+"
    serializer_class = ReportSerializer

    def list(self, request):
        return Response(
            [
                report_data(r, user=request.user, database_choices=False)
                for r in report_list(user=request.user)
            ]
        )

    def retrieve(self, request, key=None):
        try:
            report = get_report(key)
        except ReportNotFound:
            raise NotFound from None
        if not report.available_to(request.user):
            raise NotFound
        return Response(report_data(report, user=request.user))


class DownloadRenderer(BaseRenderer):
    """Lets a client ask for the file with any Accept header; errors still come back as JSON."""

    media_type = "*/*"
    format = "download"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b"" if data is None else json.dumps(data).encode("utf-8")


@extend_schema_view(
    list=extend_schema(summary="Your export jobs, newest first"),
    retrieve=extend_schema(summary="An export job's status and progress"),
)
class ExportJobViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Export jobs: request one, follow its progress, download its file. Only the requester sees them."""

    serializer_class = ExportJobSerializer

    def get_queryset(self):
        return export_job_list(user=self.request.user)

    def get_object(self):
        try:
            job = export_job_for(user=self.request.user, job_id=int(self.kwargs["pk"]))
        except (ExportJob.DoesNotExist, ValueError):
            raise NotFound from None
        return job

    @extend_schema(
        summary="Request an export job",
        request=ExportJobCreateSerializer,
        responses={
            202: ExportJobSerializer,
            400: OpenApiResponse(description="Unknown report, format not offered, or invalid parameters."),
            403: OpenApiResponse(description="The user may not run this report."),
        },
    )
    def create(self, request, *args, **kwargs):
        payload = ExportJobCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = export_request(
            user=request.user,
            report_key=payload.validated_data["report"],
            params=payload.validated_data["params"],
            fmt=payload.validated_data["format"],
        )
        job.refresh_from_db()  # in the embedded mode the job already ran when the request committed
        data = ExportJobSerializer(job, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["status_url"]})

    @extend_schema(
        summary="Download an export job's file",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such job of yours, or its file is not ready or expired."),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, DownloadRenderer])
    def download(self, request, pk=None):
        try:
            job = export_download(user=request.user, job_id=int(pk))
        except (ExportJob.DoesNotExist, ValueError):
            raise NotFound from None
        except ValidationError as exc:
            raise NotFound(" ".join(exc.messages)) from None
        return job_file_response(job)
