"""Serializers of the applications (domande) and their documents: they parse and show."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from funding.models import Application, Call, Document
from funding.selectors import (
    application_missing,
)
from funding.services import applications as application_services
from portal.api.fields import AmountField
from portal.models import Organisation
from portal.permissions import READ_ALL, can


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
    quote_net = AmountField(required=False, allow_null=True)
    quote_vat = AmountField(required=False, allow_null=True)


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
