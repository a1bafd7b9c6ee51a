"""Serializers of the projects API. Read serializers show what the selectors read; input serializers
only parse and type what the services take, which hold every rule and answer with field errors."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from portal.api.fields import AmountField
from portal.models import User
from projects.choices import Achievement, DeliverableStatus, PartnerRole, ProjectStatus, ReportStatus
from projects.models import (
    CostCategory,
    Deliverable,
    DeliverableEvent,
    DeliverableFile,
    DeliverableType,
    DisseminationLevel,
    ExpenditureLine,
    FundingProgramme,
    Milestone,
    Partner,
    PeriodicReport,
    Project,
    ReportingPeriod,
    Task,
    WorkPackage,
)


def _choice(enum):
    """A choice field described as a string listing its values: other apps have fields with the same
    names ("status", "role") and other values, and the schema must not name several "StatusEnum"s."""

    @extend_schema_field({"type": "string", "description": "One of: " + ", ".join(enum.values) + "."})
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=enum.choices, **kwargs)

    return Field


DeliverableStatusField = _choice(DeliverableStatus)
ReportStatusField = _choice(ReportStatus)
ProjectStatusField = _choice(ProjectStatus)
PartnerRoleField = _choice(PartnerRole)
AchievementField = _choice(Achievement)


class CodeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


@extend_schema_serializer(component_name="ProjectCostCategory")
class CostCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = CostCategory
        fields = ["id", "code", "name", "kind", "flat_rate", "in_flat_rate_base"]


@extend_schema_serializer(component_name="ProjectDisseminationLevel")
class DisseminationLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisseminationLevel
        fields = ["id", "code", "name", "visibility"]


@extend_schema_serializer(component_name="ProjectDeliverableType")
class DeliverableTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliverableType
        fields = ["id", "code", "name"]


@extend_schema_serializer(component_name="EUFundingProgramme")
class FundingProgrammeSerializer(serializers.ModelSerializer):
    deliverable_types = DeliverableTypeSerializer(many=True, read_only=True)
    dissemination_levels = DisseminationLevelSerializer(many=True, read_only=True)
    cost_categories = CostCategorySerializer(many=True, read_only=True)

    class Meta:
        model = FundingProgramme
        fields = [
            "id",
            "code",
            "name",
            "managing_body",
            "deliverable_types",
            "dissemination_levels",
            "cost_categories",
        ]


@extend_schema_serializer(component_name="ProjectPartner")
class PartnerSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    country = serializers.CharField(source="organisation.country.code", read_only=True)
    pic = serializers.CharField(source="organisation.pic", read_only=True)
    role = PartnerRoleField(read_only=True)

    class Meta:
        model = Partner
        fields = ["id", "number", "short_name", "role", "organisation", "organisation_name", "country", "pic"]


class TaskSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)

    class Meta:
        model = Task
        fields = ["id", "code", "title", "leader", "participants", "start_month", "end_month"]


@extend_schema_serializer(component_name="ProjectWorkPackage")
class WorkPackageSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta:
        model = WorkPackage
        fields = ["id", "code", "number", "title", "lead", "start_month", "end_month", "objectives", "tasks"]


class MilestoneSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    due_date = serializers.DateField(read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "code",
            "number",
            "title",
            "work_packages",
            "due_month",
            "due_date",
            "means_of_verification",
            "achieved_on",
        ]


class PeriodSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    report_due_date = serializers.DateField(read_only=True)
    report_status = ReportStatusField(source="report.status", read_only=True)

    class Meta:
        model = ReportingPeriod
        fields = ["id", "code", "number", "start_month", "end_month", "report_due_date", "report_status"]


@extend_schema_serializer(component_name="EUProject")
class ProjectSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status = ProjectStatusField(read_only=True)
    end_date = serializers.DateField(read_only=True)
    partners = PartnerSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "acronym",
            "title",
            "programme",
            "grant_agreement_number",
            "call_topic",
            "start_date",
            "duration_months",
            "end_date",
            "status",
            "total_eligible_cost",
            "eu_contribution",
            "funding_rate",
            "description",
            "website",
            "partners",
        ]


@extend_schema_serializer(component_name="EUProjectDetail")
class ProjectDetailSerializer(ProjectSerializer):
    work_packages = WorkPackageSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    periods = PeriodSerializer(many=True, read_only=True)

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "work_packages", "milestones", "periods"]


class DeliverableFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliverableFile
        fields = ["version", "original_name", "content_type", "size", "sha256", "is_current", "uploaded_at"]


class DeliverableEventSerializer(serializers.ModelSerializer):
    actor = serializers.EmailField(source="actor.email", read_only=True, allow_null=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = DeliverableEvent
        fields = ["at", "actor", "kind", "from_status", "to_status", "text"]


@extend_schema_serializer(component_name="EUDeliverable")
class DeliverableSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.acronym", read_only=True)
    code = serializers.CharField(read_only=True)
    work_package = serializers.CharField(source="work_package.code", read_only=True)
    lead = serializers.CharField(source="lead.short_name", read_only=True)
    type = serializers.CharField(source="type.code", read_only=True)
    dissemination = serializers.CharField(source="dissemination.code", read_only=True)
    status = DeliverableStatusField(read_only=True)
    overdue = serializers.SerializerMethodField()
    reviewer = serializers.EmailField(source="reviewer.email", read_only=True, allow_null=True)

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "project",
            "code",
            "title",
            "work_package",
            "lead",
            "type",
            "dissemination",
            "due_month",
            "due_date",
            "status",
            "overdue",
            "reviewer",
            "submitted_on",
            "accepted_on",
            "revision_reason",
            "held_at",
        ]

    def get_overdue(self, deliverable) -> bool:
        return deliverable.is_overdue()


@extend_schema_serializer(component_name="EUDeliverableDetail")
class DeliverableDetailSerializer(DeliverableSerializer):
    files = serializers.SerializerMethodField()
    timeline = DeliverableEventSerializer(source="events", many=True, read_only=True)

    class Meta(DeliverableSerializer.Meta):
        fields = [*DeliverableSerializer.Meta.fields, "files", "timeline"]

    @extend_schema_field(DeliverableFileSerializer(many=True))
    def get_files(self, deliverable):
        if not self.context.get("files_visible"):
            return []
        return DeliverableFileSerializer(deliverable.files.order_by("-version"), many=True).data


@extend_schema_serializer(component_name="EUExpenditureLine")
class ExpenditureLineSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="report.period.project.acronym", read_only=True)
    period = serializers.CharField(source="report.period.code", read_only=True)
    partner_short_name = serializers.CharField(source="partner.short_name", read_only=True)
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_kind = serializers.CharField(source="category.kind", read_only=True)

    class Meta:
        model = ExpenditureLine
        fields = [
            "id",
            "project",
            "period",
            "report",
            "partner",
            "partner_short_name",
            "category",
            "category_code",
            "category_kind",
            "invoice_number",
            "invoice_date",
            "supplier_name",
            "supplier_vat_id",
            "amount",
            "vat",
            "description",
            "equipment_description",
            "created_at",
        ]


class LateItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    due_date = serializers.DateField()
    justification = serializers.CharField()


@extend_schema_serializer(component_name="EUPeriodicReport")
class PeriodicReportSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="period.project.acronym", read_only=True)
    period = serializers.CharField(source="period.code", read_only=True)
    due_date = serializers.DateField(source="period.report_due_date", read_only=True)
    status = ReportStatusField(read_only=True)

    class Meta:
        model = PeriodicReport
        fields = [
            "id",
            "project",
            "period",
            "due_date",
            "status",
            "summary",
            "locked_on",
            "submitted_on",
            "accepted_on",
            "reopen_reason",
        ]


# --- Input: parse only ----------------------------------------------------------------------------
class ReviewRequestInputSerializer(serializers.Serializer):
    reviewer = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    text = serializers.CharField(required=False, default="", allow_blank=True)


class ReviewDecisionInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comments = serializers.CharField(required=False, default="", allow_blank=True)


class FileInputSerializer(serializers.Serializer):
    file = serializers.FileField()


class CustodyInputSerializer(serializers.Serializer):
    held_at = serializers.CharField(max_length=300)


class DateInputSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, allow_null=True, default=None)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class MoveDueInputSerializer(serializers.Serializer):
    due_date = serializers.DateField()
    reason = serializers.CharField()


class ExpenditureLineInputSerializer(serializers.Serializer):
    report = serializers.PrimaryKeyRelatedField(queryset=PeriodicReport.objects.all())
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    category = serializers.PrimaryKeyRelatedField(queryset=CostCategory.objects.all())
    invoice_number = serializers.CharField(max_length=60)
    invoice_date = serializers.DateField()
    supplier_name = serializers.CharField(max_length=200)
    supplier_vat_id = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    amount = AmountField()
    vat = AmountField(required=False, default="0.00")
    description = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    equipment_description = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
