from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.models import AuditEvent
from reporting.choices import ExportFormat, ExportStatus
from reporting.models import ExportJob
from reporting.registry import ColumnType


@extend_schema_field(
    {"type": "string", "enum": list(ExportFormat.values), "description": "pdf, xlsx or csv"},
    component_name="ExportFormat",
)
class ExportFormatField(serializers.ChoiceField):
    """One schema component for every place that names an export format."""

    def __init__(self, **kwargs):
        super().__init__(choices=ExportFormat.choices, **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "enum": list(ExportStatus.values),
        "description": "queued, running, done, failed, expired",
    },
    component_name="ExportStatus",
)
class ExportStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ExportStatus.choices, **kwargs)


class AuditEventSerializer(serializers.ModelSerializer):
    target_type = serializers.SerializerMethodField(help_text="app_label.model of the object, if any")
    source = serializers.ChoiceField(choices=AuditEvent._meta.get_field("source").choices, read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "created_at",
            "actor",
            "actor_repr",
            "organisation",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "before",
            "after",
            "source",
            "request_id",
            "ip_address",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields

    def get_target_type(self, event) -> str | None:
        if event.target_type_id is None:
            return None
        return f"{event.target_type.app_label}.{event.target_type.model}"


class ReportColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    type = serializers.ChoiceField(choices=[(t.value, t.value) for t in ColumnType])
    total = serializers.BooleanField()


class ReportParameterSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    kind = serializers.CharField(help_text="The form field class, e.g. DateField, ChoiceField.")
    choices = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2),
        allow_null=True,
        help_text=(
            "[value, label] pairs for choice parameters. In the list of reports, a parameter whose choices "
            "come from the database (organisations, calls, devices...) gives null: the report's own "
            "definition (/reports/{key}/) lists them."
        ),
    )


class ReportSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    capability = serializers.CharField()
    formats = serializers.ListField(child=ExportFormatField())
    columns = ReportColumnSerializer(many=True)
    parameters = ReportParameterSerializer(many=True)


def report_data(report, *, user=None, database_choices: bool = True) -> dict:
    """The report's definition as `user` sees it (choices limited to what they may choose).
    Without `database_choices`, choices read from a queryset are left out (null): the list of every
    report would otherwise read thousands of organisations at each call."""
    from django import forms

    parameters = []
    for name, field in report.form(user=user).fields.items():
        choices = None
        if isinstance(field, forms.ChoiceField) and (database_choices or not hasattr(field, "queryset")):
            choices = [[str(value), str(label)] for value, label in field.choices if str(value) != ""]
        parameters.append(
            {
                "name": name,
                "label": str(field.label or name),
                "required": field.required,
                "kind": type(field).__name__,
                "choices": choices,
            }
        )
    return {
        "key": report.key,
        "title": str(report.title),
        "description": str(report.description),
        "capability": report.capability,
        "formats": list(report.formats),
        "columns": [
            {"key": c.key, "label": str(c.label), "type": c.type.value, "total": c.total}
            for c in report.columns
        ],
        "parameters": parameters,
    }


class ExportJobCreateSerializer(serializers.Serializer):
    report = serializers.CharField(max_length=100, help_text="A report key, as listed by /api/v1/reports/.")
    format = ExportFormatField()
    params = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text="The report's parameters by name (see its `parameters`); dates as YYYY-MM-DD.",
    )


class ExportJobSerializer(serializers.ModelSerializer):
    report = serializers.CharField(source="report_key", read_only=True)
    format = ExportFormatField(read_only=True)
    status = ExportStatusField(read_only=True)
    download_url = serializers.SerializerMethodField(help_text="Present once the job is done.")
    status_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "report",
            "format",
            "params",
            "language",
            "status",
            "progress",
            "rows_done",
            "rows_total",
            "attempts",
            "error",
            "filename",
            "file_size",
            "file_sha256",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "status_url",
            "download_url",
        ]
        read_only_fields = fields

    def _url(self, name: str, job) -> str:
        path = reverse(f"v1:{name}", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_status_url(self, job) -> str:
        return self._url("export-detail", job)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, job):
        if job.status != "done":
            return None
        return self._url("export-download", job)
