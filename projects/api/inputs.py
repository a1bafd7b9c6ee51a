"""Input serializers of the projects API's writes: they parse and type what the services take (ids
become objects, strings become dates and Decimals) and hold no rule; the services answer with the
field and the rule that failed. Relations are looked up among all rows: a row of another project is
refused by the service ("This does not belong to the project"), never silently used."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from portal.api.fields import AmountField
from portal.models import Organisation
from projects.api.serializers import AchievementField, PartnerRoleField, ProjectStatusField
from projects.models import (
    CostCategory,
    Deliverable,
    DeliverableType,
    DisseminationLevel,
    FundingProgramme,
    Milestone,
    Partner,
    ReportingPeriod,
    WorkPackage,
)
from projects.models.workplan import PERSON_MONTHS

MONTH = {"min_value": 1, "max_value": 32767}
ERROR_ONE_ITEM = _("Name either a late deliverable or a late milestone, not both.")


def _text(max_length: int | None = None, **kwargs):
    return serializers.CharField(
        required=False, default="", allow_blank=True, max_length=max_length, **kwargs
    )


class _ProjectFieldsInput(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    grant_agreement_number = _text(30)
    call_topic = _text(200)
    start_date = serializers.DateField()
    duration_months = serializers.IntegerField(min_value=1, max_value=32767)
    status = ProjectStatusField(required=False)
    total_eligible_cost = AmountField(required=False)
    eu_contribution = AmountField(required=False)
    funding_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    description = _text()
    website = serializers.URLField(required=False, allow_blank=True)


@extend_schema_serializer(component_name="EUProjectCreateInput")
class ProjectCreateInputSerializer(_ProjectFieldsInput):
    acronym = serializers.CharField(max_length=40)
    programme = serializers.SlugRelatedField(slug_field="code", queryset=FundingProgramme.objects.all())
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        help_text="Partner 1: an organisation the user manages EU projects for.",
    )
    role = PartnerRoleField(
        required=False,
        default="coordinator",
        help_text="Partner 1's role: coordinator, or beneficiary (affiliated, associated) of a project "
        "coordinated by another body; while that body has no project manager in the portal, partner 1's "
        "project manager keeps the work plan.",
    )
    short_name = _text(20, help_text="Partner 1's short name; the organisation's name if empty.")


@extend_schema_serializer(component_name="EUProjectUpdateInput")
class ProjectUpdateInputSerializer(_ProjectFieldsInput):
    """Every field optional: only those sent change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            if hasattr(field, "default"):
                field.default = serializers.empty


class PartnerInputSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    role = PartnerRoleField()
    short_name = serializers.CharField(max_length=20)
    number = serializers.IntegerField(min_value=1, max_value=32767, required=False, allow_null=True)


class PeriodUpdateInputSerializer(serializers.Serializer):
    """New months of a period whose report is a draft; only the fields sent change."""

    start_month = serializers.IntegerField(**MONTH, required=False)
    end_month = serializers.IntegerField(**MONTH, required=False)


class PartnerUpdateInputSerializer(serializers.Serializer):
    """Only the fields sent change; one coordinator per project at most."""

    role = PartnerRoleField(required=False)
    short_name = serializers.CharField(max_length=20, required=False)


class ForeignPartnerInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    country = serializers.CharField(max_length=2, help_text="ISO 3166 alpha-2 code, e.g. ES.")
    pic = serializers.CharField(max_length=9, help_text="The EU Participant Identification Code: 9 digits.")
    role = PartnerRoleField()
    short_name = serializers.CharField(max_length=20)


class PeriodInputSerializer(serializers.Serializer):
    start_month = serializers.IntegerField(**MONTH)
    end_month = serializers.IntegerField(**MONTH)
    number = serializers.IntegerField(min_value=1, max_value=32767, required=False, allow_null=True)


class BudgetLineInputSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    category = serializers.PrimaryKeyRelatedField(queryset=CostCategory.objects.all())
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all())
    amount = AmountField()


class BudgetInputSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Replace only this partner's budget (its project manager may); the whole budget if null.",
    )
    lines = BudgetLineInputSerializer(many=True, allow_empty=True)
    preview = serializers.BooleanField(
        required=False, default=False, help_text="Only say what the budget would add up to; write nothing."
    )


class BudgetPartnerTotalSerializer(serializers.Serializer):
    partner = serializers.IntegerField()
    amount = AmountField()


class BudgetCheckSerializer(serializers.Serializer):
    total = AmountField(help_text="The project's total eligible cost.")
    planned = AmountField(help_text="What the partners' budgets add up to.")
    difference = AmountField(help_text="total - planned: zero when it adds up.")
    balanced = serializers.BooleanField()
    by_partner = BudgetPartnerTotalSerializer(many=True)
    written = serializers.BooleanField()

    @staticmethod
    def of(check, *, written: bool) -> dict:
        return {
            "total": check.total,
            "planned": check.planned,
            "difference": check.difference,
            "balanced": check.balanced,
            "by_partner": [
                {"partner": pk, "amount": amount} for pk, amount in sorted(check.by_partner.items())
            ],
            "written": written,
        }


class WorkPackageInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    lead = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    start_month = serializers.IntegerField(**MONTH)
    end_month = serializers.IntegerField(**MONTH)
    objectives = _text()
    number = serializers.IntegerField(min_value=1, max_value=32767, required=False, allow_null=True)


class WorkPackageUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    lead = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False)
    start_month = serializers.IntegerField(**MONTH, required=False)
    end_month = serializers.IntegerField(**MONTH, required=False)
    objectives = serializers.CharField(required=False, allow_blank=True)


class TaskInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    leader = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    participants = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(), many=True, required=False, default=list
    )
    start_month = serializers.IntegerField(**MONTH)
    end_month = serializers.IntegerField(**MONTH)
    number = serializers.IntegerField(min_value=1, max_value=32767, required=False, allow_null=True)


class TaskUpdateInputSerializer(serializers.Serializer):
    """Only the fields sent change; the work package (and so the code) stays."""

    title = serializers.CharField(max_length=300, required=False)
    leader = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False)
    participants = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(), many=True, required=False
    )
    start_month = serializers.IntegerField(**MONTH, required=False)
    end_month = serializers.IntegerField(**MONTH, required=False)


class PlannedEffortInputSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    person_months = serializers.DecimalField(**PERSON_MONTHS)


class PlannedEffortSerializer(serializers.Serializer):
    work_package = serializers.CharField(source="work_package.code")
    partner = serializers.IntegerField(source="partner_id")
    person_months = serializers.DecimalField(**PERSON_MONTHS)


class DeliverableInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    lead = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    type = serializers.PrimaryKeyRelatedField(queryset=DeliverableType.objects.all())
    dissemination = serializers.PrimaryKeyRelatedField(queryset=DisseminationLevel.objects.all())
    due_month = serializers.IntegerField(**MONTH)
    description = _text()
    number = serializers.IntegerField(min_value=1, max_value=32767, required=False, allow_null=True)


class DeliverableUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    lead = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False)
    type = serializers.PrimaryKeyRelatedField(queryset=DeliverableType.objects.all(), required=False)
    dissemination = serializers.PrimaryKeyRelatedField(
        queryset=DisseminationLevel.objects.all(), required=False
    )
    due_month = serializers.IntegerField(**MONTH, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class MilestoneInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    due_month = serializers.IntegerField(**MONTH)
    work_packages = serializers.PrimaryKeyRelatedField(
        queryset=WorkPackage.objects.all(), many=True, required=False, default=list
    )
    means_of_verification = _text()
    number = serializers.IntegerField(min_value=1, max_value=32767, required=False, allow_null=True)


class MilestoneUpdateInputSerializer(serializers.Serializer):
    """Only the fields sent change; the date achieved: POST /milestones/{id}/achieve/."""

    title = serializers.CharField(max_length=300, required=False)
    due_month = serializers.IntegerField(**MONTH, required=False)
    work_packages = serializers.PrimaryKeyRelatedField(
        queryset=WorkPackage.objects.all(), many=True, required=False
    )
    means_of_verification = serializers.CharField(required=False, allow_blank=True)


class AchievedInputSerializer(serializers.Serializer):
    achieved_on = serializers.DateField(
        allow_null=True, help_text="The date the milestone was achieved; null clears it."
    )


class ActualEffortInputSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    work_package = serializers.PrimaryKeyRelatedField(queryset=WorkPackage.objects.all())
    person_months = serializers.DecimalField(**PERSON_MONTHS)


class ActualEffortSerializer(serializers.Serializer):
    period = serializers.CharField(source="report.period.code")
    work_package = serializers.CharField(source="work_package.code")
    partner = serializers.IntegerField(source="partner_id")
    person_months = serializers.DecimalField(**PERSON_MONTHS)


class ProgressInputSerializer(serializers.Serializer):
    work_package = serializers.PrimaryKeyRelatedField(queryset=WorkPackage.objects.all())
    achievement = AchievementField()
    text = serializers.CharField()


class ProgressSerializer(serializers.Serializer):
    work_package = serializers.CharField(source="work_package.code")
    achievement = AchievementField()
    text = serializers.CharField()


class LateJustificationInputSerializer(serializers.Serializer):
    deliverable = serializers.PrimaryKeyRelatedField(
        queryset=Deliverable.objects.all(), required=False, allow_null=True, default=None
    )
    milestone = serializers.PrimaryKeyRelatedField(
        queryset=Milestone.objects.all(), required=False, allow_null=True, default=None
    )
    text = serializers.CharField()

    def validate(self, attrs):
        if (attrs.get("deliverable") is None) == (attrs.get("milestone") is None):
            raise serializers.ValidationError({"deliverable": ERROR_ONE_ITEM})
        return attrs


class LateJustificationSerializer(serializers.Serializer):
    item = serializers.SerializerMethodField()
    text = serializers.CharField()

    def get_item(self, justification) -> str:
        return (justification.deliverable or justification.milestone).code
