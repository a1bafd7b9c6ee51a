"""API of the calls (avvisi), applications (domande) and their documents.

Serializers validate shapes only; every write goes through funding.services (calls, applications,
documents), whose ValidationError and PermissionDenied become 400 and 403. The public may read the
published calls without authentication (list and detail only); everything else needs a login.
"""

import json

from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse

from funding.choices import AllocationMethod, DocumentType
from funding.filtersets import ApplicationFilterSet, CallFilterSet
from funding.models import Action, Application, Call, Document, RequiredDocument, Reservation
from funding.selectors import (
    application_list,
    application_missing,
    application_timeline,
    call_list,
    document_list,
    document_visible,
)
from funding.services import applications as application_services
from funding.services import calls as call_services
from funding.services.documents import document_upload
from portal.choices import OrganisationKind, Role
from portal.models import Organisation
from portal.permissions import MANAGE_PROGRAMME, READ_ALL, HasCapability, can, organisation_ids_with_role

MONEY = {"max_digits": 14, "decimal_places": 2}
ERROR_WHICH_APPLICANT = _("Say which organisation applies.")
ERROR_NO_SUCH_DOCUMENT = _("The call requires no document with this code.")


# Two choice sets other apps also expose under other names (Organisation.kind, Allocation.method) are
# described as plain strings, so the schema does not name one enum twice.
@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string"},
        "description": "Organisation kinds that may apply: " + ", ".join(OrganisationKind.values) + ".",
    }
)
class KindListField(serializers.ListField):
    child = serializers.ChoiceField(choices=OrganisationKind.choices)


@extend_schema_field(
    {"type": "string", "description": "Allocation method: " + ", ".join(AllocationMethod.values) + "."}
)
class AllocationMethodField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=AllocationMethod.choices, **kwargs)


# --- Calls ----------------------------------------------------------------------------------------
class RequiredDocumentSerializer(serializers.ModelSerializer):
    accepted_types = serializers.ListField(child=serializers.ChoiceField(choices=DocumentType.choices))

    class Meta:
        model = RequiredDocument
        fields = ["id", "code", "name", "mandatory", "accepted_types", "stage"]
        read_only_fields = ["id"]
        # The service checks uniqueness per call (with its own message).
        validators: list = []


class CallSerializer(serializers.ModelSerializer):
    action_title = serializers.CharField(source="action.title", read_only=True)
    funds = serializers.DecimalField(source="reservation.amount", read_only=True, **MONEY)
    available = serializers.DecimalField(source="reservation.available", read_only=True, **MONEY)
    eligible_kinds = KindListField()
    allocation_method = AllocationMethodField()
    required_documents = RequiredDocumentSerializer(many=True, read_only=True)
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "code",
            "title",
            "status",
            "action",
            "action_title",
            "reservation",
            "text",
            "legal_references",
            "responsible_office",
            "responsible_official",
            "opens_at",
            "closes_at",
            "is_open",
            "requires_application",
            "application_form",
            "eligible_kinds",
            "eligible_organisations",
            "allocation_method",
            "allocation_params",
            "reference_date",
            "eligible_basis",
            "weight_label",
            "funds",
            "available",
            "required_documents",
            "published_at",
        ]
        read_only_fields = ["status", "published_at"]

    def get_is_open(self, call) -> bool:
        """Published and now between opening and deadline (checked on the server's clock)."""
        return call_services.call_is_open(call)


class CallWriteSerializer(serializers.ModelSerializer):
    """Create or change a draft call; the service checks the rules."""

    action = serializers.PrimaryKeyRelatedField(queryset=Action.objects.all())
    reservation = serializers.PrimaryKeyRelatedField(queryset=Reservation.objects.all())
    eligible_kinds = KindListField(required=False)
    allocation_method = AllocationMethodField()
    eligible_organisations = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), many=True, required=False
    )

    class Meta:
        model = Call
        fields = [f for f in CallSerializer.Meta.fields if f in call_services.EDITABLE_FIELDS]
        validators: list = []
        extra_kwargs = {"code": {"validators": []}}


class CallStatusSerializer(serializers.Serializer):
    status = serializers.CharField(read_only=True)


class CallViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Calls for contributions. Anyone may list and read the published ones (and those closed,
    ranked, awarded or closed out); officials and auditors see drafts too. Officials write."""

    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filterset_class = CallFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [HasCapability.for_(MANAGE_PROGRAMME, write=MANAGE_PROGRAMME)()]

    def get_queryset(self):
        return call_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return CallWriteSerializer
        return CallSerializer

    def _read(self, call, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=call.pk)
        return Response(CallSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(request=CallWriteSerializer, responses={201: CallSerializer})
    def create(self, request, *args, **kwargs):
        serializer = CallWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call = call_services.call_create(actor=request.user, **serializer.validated_data)
        return self._read(call, status.HTTP_201_CREATED)

    @extend_schema(request=CallWriteSerializer, responses={200: CallSerializer})
    def partial_update(self, request, *args, **kwargs):
        call = self.get_object()
        serializer = CallWriteSerializer(call, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        call = call_services.call_update(actor=request.user, call=call, **serializer.validated_data)
        return self._read(call)

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):  # PUT is not offered: use PATCH
        raise Http404

    @extend_schema(request=None, responses={200: CallSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request, code=None):
        """Draft → published, once money, dates, eligibility and required documents are in order."""
        call = call_services.call_publish(actor=request.user, call=self.get_object())
        return self._read(call)

    @extend_schema(request=None, responses={200: CallSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request, code=None):
        """Published → closed: no more submissions."""
        call = call_services.call_close(actor=request.user, call=self.get_object())
        return self._read(call)

    @extend_schema(request=RequiredDocumentSerializer, responses={201: RequiredDocumentSerializer})
    @action(detail=True, methods=["post"], url_path="required-documents", filter_backends=[])
    def required_documents(self, request, code=None):
        """Add a required document to a draft call."""
        call = self.get_object()
        serializer = RequiredDocumentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = call_services.required_document_add(
            actor=request.user, call=call, **serializer.validated_data
        )
        return Response(RequiredDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("document_code", str, OpenApiParameter.PATH)],
        request=None,
        responses={204: None},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"required-documents/(?P<document_code>[-a-zA-Z0-9_]+)",
        filter_backends=[],
    )
    def remove_required_document(self, request, code=None, document_code=None):
        """Remove a required document from a draft call."""
        call = self.get_object()
        document = get_object_or_404(RequiredDocument, call=call, code=document_code)
        call_services.required_document_remove(actor=request.user, required_document=document)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Applications ----------------------------------------------------------------------------------
class MissingSerializer(serializers.Serializer):
    fields = serializers.ListField(child=serializers.CharField(), help_text="Fields still empty.")
    documents = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of mandatory documents."
    )
    closes_at = serializers.DateTimeField(allow_null=True)
    days_left = serializers.IntegerField(
        allow_null=True, help_text="Calendar days to the deadline (Europe/Rome)."
    )
    is_open = serializers.BooleanField()
    deadline_passed = serializers.BooleanField()
    complete = serializers.BooleanField()


class ApplicationSerializer(serializers.ModelSerializer):
    call = serializers.SlugRelatedField(slug_field="code", read_only=True)
    call_title = serializers.CharField(source="call.title", read_only=True)
    applicant_name = serializers.CharField(source="applicant.name", read_only=True)
    review_notes = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "call_title",
            "applicant",
            "applicant_name",
            "status",
            "protocol_number",
            "submitted_at",
            *application_services.FORM_FIELDS["declared_weight"],
            *application_services.FORM_FIELDS["taxi_recorder"],
            "score",
            "decision_reason",
            "review_notes",
            "rank",
            "granted_amount",
            "created_at",
            "updated_at",
            "missing",
        ]
        read_only_fields = fields

    @extend_schema_field(MissingSerializer(allow_null=True))
    def get_missing(self, application):
        """What a draft still needs and the days left (detail and write responses; null in lists)."""
        if not self.context.get("with_missing"):
            return None
        missing = application_missing(application=application)
        return {
            "fields": [name for name, _label in missing.fields],
            "documents": [d.code for d in missing.documents],
            "closes_at": missing.closes_at,
            "days_left": missing.days_left,
            "is_open": missing.is_open,
            "deadline_passed": missing.deadline_passed,
            "complete": missing.complete,
        }

    def get_review_notes(self, application) -> str | None:
        """Internal notes of the review: only for the Region's staff (null for applicants)."""
        request = self.context.get("request")
        return application.review_notes if request and can(request.user, READ_ALL) else None


class ApplicationDataSerializer(serializers.Serializer):
    """The data a call's form asks for; values are checked and normalised by the service."""

    declared_weight = serializers.IntegerField(required=False, allow_null=True)
    licence_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    vehicle_plate = serializers.CharField(required=False, allow_blank=True, max_length=12)
    recorder_make = serializers.CharField(required=False, allow_blank=True, max_length=100)
    recorder_model = serializers.CharField(required=False, allow_blank=True, max_length=100)
    conformity_standard = serializers.CharField(required=False, allow_blank=True, max_length=100)
    quote_net = serializers.DecimalField(required=False, allow_null=True, **MONEY)
    quote_vat = serializers.DecimalField(required=False, allow_null=True, **MONEY)


class ApplicationCreateSerializer(ApplicationDataSerializer):
    call = serializers.SlugRelatedField(slug_field="code", queryset=Call.objects.all())
    applicant = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text="The applying organisation; may be omitted when the user acts for only one.",
    )


class ReviewSerializer(serializers.Serializer):
    admissible = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    score = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DocumentSerializer(serializers.ModelSerializer):
    required_document = serializers.SlugRelatedField(slug_field="code", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "application",
            "required_document",
            "expense_line",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "is_current",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, document) -> str:
        request = self.context.get("request")
        return reverse("v1:document-download", kwargs={"pk": document.pk}, request=request)


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, JPEG or PNG; the content is checked, not only the name.")
    required_document = serializers.CharField(
        required=False, allow_blank=True, help_text="Code of the required document of the call."
    )


class TimelineEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    label = serializers.CharField()
    actor = serializers.CharField()
    reason = serializers.CharField()
    detail = serializers.CharField()


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
        applicant = data.pop("applicant", None)
        if applicant is None:
            own = organisation_ids_with_role(request.user, Role.APPLICANT)
            applicant = Organisation.objects.filter(pk__in=own).first() if len(own) == 1 else None
            if applicant is None:
                raise serializers.ValidationError({"applicant": [ERROR_WHICH_APPLICANT]})
        with transaction.atomic():
            application = application_services.application_create(
                actor=request.user, call=call, applicant=applicant
            )
            if data:
                application_services.application_update(actor=request.user, application=application, **data)
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
        document = self.get_object()
        try:
            handle = document.file.open("rb")
        except OSError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response
