"""Applications (domande) and their documents, through funding.services.applications and
funding.services.documents (ValidationError and PermissionDenied become 400 and 403)."""

import json

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from funding.api.applications.serializers import (
    ApplicationCreateSerializer,
    ApplicationDataSerializer,
    ApplicationSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    ReasonSerializer,
    ReviewSerializer,
    TimelineEntrySerializer,
)
from funding.api.calls.serializers import ERROR_NO_SUCH_DOCUMENT
from funding.filtersets import ApplicationFilterSet
from funding.http import document_response
from funding.models import RequiredDocument
from funding.selectors import (
    application_list,
    application_timeline,
    document_list,
    document_visible,
)
from funding.services import applications as application_services
from funding.services.documents import document_upload
from portal.permissions import ReadsFunding


class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Applications: applicants see and write their organisations' ones; officials and auditors read
    all, officials review and revoke. Status changes are POST actions."""

    filterset_class = ApplicationFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    permission_classes = [ReadsFunding]

    def get_queryset(self):
        return application_list(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "with_missing": self.action == "retrieve"}

    def get_serializer_class(self):
        if self.action == "create":
            return ApplicationCreateSerializer
        if self.action == "partial_update":
            return ApplicationDataSerializer
        return ApplicationSerializer

    def _read(self, application, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=application.pk)
        data = ApplicationSerializer(
            fresh, context={**self.get_serializer_context(), "with_missing": True}
        ).data
        return Response(data, status=status_code)

    @extend_schema(request=ApplicationCreateSerializer, responses={201: ApplicationSerializer})
    def create(self, request, *args, **kwargs):
        """A draft application (and, optionally, its data in the same request)."""
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        call = data.pop("call")
        applicant = data.pop("applicant", None) or application_services.default_applicant(
            user=request.user, call=call
        )
        application = application_services.application_create(
            actor=request.user, call=call, applicant=applicant, data=data
        )
        return self._read(application, status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationDataSerializer, responses={200: ApplicationSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change the data of a draft."""
        application = self.get_object()
        serializer = ApplicationDataSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        application_services.application_update(
            actor=request.user, application=application, **serializer.validated_data
        )
        return self._read(application)

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):  # PUT is not offered: use PATCH
        raise Http404

    @extend_schema(request=None, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None):
        """Submit before the deadline (Europe/Rome, server clock): assigns the protocol number."""
        application = application_services.application_submit(
            actor=request.user, application=self.get_object()
        )
        return self._read(application)

    @extend_schema(request=ReviewSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def review(self, request, pk=None):
        """Admissible (optionally with a score) or inadmissible with a reason. E-mails the applicant."""
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = application_services.application_review(
            actor=request.user, application=self.get_object(), **serializer.validated_data
        )
        return self._read(application)

    @extend_schema(request=ReasonSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request, pk=None):
        """Rinuncia by the applicant."""
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = application_services.application_withdraw(
            actor=request.user, application=self.get_object(), reason=serializer.validated_data["reason"]
        )
        return self._read(application)

    @extend_schema(request=ReasonSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def revoke(self, request, pk=None):
        """Revoca by an official, with the reason (required). E-mails the applicant."""
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = application_services.application_revoke(
            actor=request.user, application=self.get_object(), reason=serializer.validated_data["reason"]
        )
        return self._read(application)

    @extend_schema(methods=["GET"], request=None, responses={200: DocumentSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
        filter_backends=[],
        pagination_class=None,
    )
    def documents(self, request, pk=None):
        """GET: the application's documents (current and replaced). POST: upload one (multipart)."""
        application = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            documents = document_list(user=request.user, application=application)
            return Response(DocumentSerializer(documents, many=True, context=context).data)
        # Permission before validation: a refusal must not tell which document codes exist.
        application_services.require_applicant_of(request.user, application.applicant_id)
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = serializer.validated_data.get("required_document") or ""
        required = None
        if code:
            required = RequiredDocument.objects.filter(call_id=application.call_id, code=code).first()
            if required is None:
                raise serializers.ValidationError({"required_document": [ERROR_NO_SUCH_DOCUMENT]})
        document = document_upload(
            actor=request.user,
            application=application,
            required_document=required,
            uploaded_file=serializer.validated_data["file"],
        )
        return Response(DocumentSerializer(document, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: TimelineEntrySerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def timeline(self, request, pk=None):
        """The application's story, from its audit events and its documents'."""
        entries = application_timeline(user=request.user, application=self.get_object())
        return Response(TimelineEntrySerializer(entries, many=True).data)


# --- Documents ------------------------------------------------------------------------------------
class PassthroughRenderer(BaseRenderer):
    """The download streams the stored bytes as they are, whatever the client accepts."""

    media_type = "*/*"
    format = "bin"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, default=str).encode()  # an error (404, 401...)


class DocumentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Uploaded documents of the applications the user may see (metadata and download)."""

    serializer_class = DocumentSerializer
    permission_classes = [ReadsFunding]

    def get_queryset(self):
        return document_visible(user=self.request.user)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The stored file."),
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
        }
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer, PassthroughRenderer],
        filter_backends=[],
    )
    def download(self, request, pk=None):
        """The file, as an attachment with its sanitised name, never sniffed by the browser."""
        return document_response(self.get_object())
