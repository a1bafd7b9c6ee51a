"""Forms with which a project manager runs a project from the browser: the project, its partners and
their budget, reporting periods and the work plan. They only collect and type the input (querysets
limited to the project's own partners, work packages and the programme's code lists); every rule is
the service's, whose errors the views put back on the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from funding.forms.ledger import AmountField, date_field
from portal.choices import OrganisationKind
from portal.constants import ZERO
from portal.models import Organisation
from projects.choices import PartnerRole, ProjectStatus
from projects.models import FundingProgramme

MONTH = {"min_value": 1, "max_value": 999}


def _month(label, **kwargs):
    return forms.IntegerField(
        label=label, **MONTH, widget=forms.NumberInput(attrs={"inputmode": "numeric"}), **kwargs
    )


def _text(label, *, rows=3, required=False):
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}))


class ProjectEditForm(forms.Form):
    """The project's data (the coordinator's project manager); the programme is fixed at creation."""

    acronym = forms.CharField(label=_("Acronym"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=300)
    grant_agreement_number = forms.CharField(label=_("Grant agreement number"), max_length=30, required=False)
    call_topic = forms.CharField(label=_("Call / topic"), max_length=200, required=False)
    start_date = date_field(_("Start date"))
    duration_months = forms.IntegerField(
        label=_("Duration (months)"), min_value=1, max_value=999, help_text=_("The end date follows from it.")
    )
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    total_eligible_cost = AmountField(
        label=_("Total eligible cost (€)"),
        help_text=_("Once the partners have a budget, the budget must add up to this amount."),
    )
    eu_contribution = AmountField(label=_("EU contribution (€)"))
    funding_rate = forms.DecimalField(
        label=_("Funding rate (%)"), min_value=0, max_value=100, decimal_places=2, max_digits=5
    )
    description = _text(_("Description"), rows=4)
    website = forms.URLField(label=_("Public web site"), required=False, assume_scheme="https")

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ProjectCreateForm(ProjectEditForm):
    """A new project: partner 1 is one of the organisations the user manages EU projects for, as the
    coordinator or as a beneficiary of a project coordinated by another (possibly foreign) body."""

    organisation = forms.ModelChoiceField(label=_("Your organisation"), queryset=None)
    role = forms.ChoiceField(
        label=_("Its role in the project"),
        choices=PartnerRole.choices,
        initial=PartnerRole.COORDINATOR,
        required=False,
        help_text=_(
            "If another body coordinates, add it next among the partners: while it has no project manager "
            "in the portal, you keep the work plan."
        ),
    )
    programme = forms.ModelChoiceField(
        label=_("Funding programme"), queryset=FundingProgramme.objects.order_by("name")
    )
    short_name = forms.CharField(
        label=_("Its short name"),
        max_length=20,
        required=False,
        help_text=_("As in the grant agreement, e.g. TORINO."),
    )
    field_order = ["organisation", "role", "short_name", "programme", "acronym", "title"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["status"].initial = ProjectStatus.PREPARATION

    def service_kwargs(self) -> dict:
        return {**self.cleaned_data, "role": self.cleaned_data.get("role") or PartnerRole.COORDINATOR}


class PartnerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        help_text=_("A foreign partner is an organisation of kind “other body” with its country and PIC."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=PartnerRole.choices, initial=PartnerRole.BENEFICIARY)
    short_name = forms.CharField(label=_("Short name"), max_length=20)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(is_active=True)
            .exclude(kind=OrganisationKind.TAXI_LICENSEE)
            .exclude(project_partnerships__project=project)
            .order_by("name")
        )


class PartnerEditForm(forms.Form):
    """A partner's role and short name; the organisation stays (remove the partner and add another)."""

    role = forms.ChoiceField(
        label=_("Role"), choices=PartnerRole.choices, help_text=_("A project has one coordinator at most.")
    )
    short_name = forms.CharField(label=_("Short name"), max_length=20)


class ForeignPartnerForm(forms.Form):
    """A foreign partner the portal does not know yet: registered as an "other body" with its PIC."""

    name = forms.CharField(label=_("Name of the body"), max_length=200)
    country = CountryField().formfield(label=_("Country"))
    pic = forms.CharField(
        label=_("PIC"), max_length=9, help_text=_("The EU Participant Identification Code: 9 digits.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=PartnerRole.choices, initial=PartnerRole.BENEFICIARY)
    short_name = forms.CharField(label=_("Short name"), max_length=20)


class PeriodForm(forms.Form):
    start_month = _month(_("Start month"))
    end_month = _month(_("End month"))


class WorkPackageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    lead = forms.ModelChoiceField(label=_("Lead partner"), queryset=None)
    start_month = _month(_("Start month"))
    end_month = _month(_("End month"))
    objectives = _text(_("Objectives"))

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = partners


class TaskForm(forms.Form):
    work_package = forms.ModelChoiceField(label=_("Work package"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=300)
    leader = forms.ModelChoiceField(label=_("Task leader"), queryset=None)
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    start_month = _month(_("Start month"))
    end_month = _month(_("End month"))

    def __init__(self, *args, partners, work_packages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_package"].queryset = work_packages
        self.fields["leader"].queryset = partners
        self.fields["participants"].queryset = partners


class TaskEditForm(TaskForm):
    """A task's data; its work package (and so its code) stays."""

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, partners=partners, work_packages=partners.none(), **kwargs)
        del self.fields["work_package"]


class PlannedEffortForm(forms.Form):
    work_package = forms.ModelChoiceField(label=_("Work package"), queryset=None)
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    person_months = forms.DecimalField(
        label=_("Planned person-months"), min_value=0, decimal_places=2, max_digits=7
    )

    def __init__(self, *args, partners, work_packages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_package"].queryset = work_packages
        self.fields["partner"].queryset = partners


class DeliverableForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    lead = forms.ModelChoiceField(label=_("Lead partner"), queryset=None)
    type = forms.ModelChoiceField(label=_("Type"), queryset=None)
    dissemination = forms.ModelChoiceField(label=_("Dissemination level"), queryset=None)
    due_month = _month(_("Due month"), help_text=_("Counted from month 1; due at the end of the month."))
    description = _text(_("Description"))

    def __init__(self, *args, project, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = partners
        self.fields["type"].queryset = project.programme.deliverable_types.order_by("code")
        self.fields["dissemination"].queryset = project.programme.dissemination_levels.order_by("code")


class NewDeliverableForm(DeliverableForm):
    work_package = forms.ModelChoiceField(label=_("Work package"), queryset=None)
    field_order = ["work_package"]

    def __init__(self, *args, work_packages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_package"].queryset = work_packages


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    due_month = _month(_("Due month"))
    work_packages = forms.ModelMultipleChoiceField(
        label=_("Work packages"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    means_of_verification = _text(_("Means of verification"), rows=2)

    def __init__(self, *args, work_packages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_packages"].queryset = work_packages


class MilestoneAchievedForm(forms.Form):
    milestone = forms.ModelChoiceField(label=_("Milestone"), queryset=None)
    achieved_on = date_field(_("Date achieved"), required=False, help_text=_("Empty clears the date."))

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = milestones


class BudgetForm(forms.Form):
    """One amount per partner, cost category and reporting period, for the partners the user edits."""

    def __init__(self, *args, partners, categories, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = []  # [(partner, [(category, [(period, bound field)])])]
        for partner in partners:
            rows = []
            for category in categories:
                cells = []
                for period in periods:
                    name = f"b_{partner.pk}_{category.pk}_{period.pk}"
                    field = AmountField(
                        label=f"{partner.short_name} {category.code} {period.code}", required=False
                    )
                    field.widget.attrs.update({"class": "form-control form-control-sm text-end", "size": 10})
                    self.fields[name] = field
                    cells.append((period, name))
                rows.append((category, cells))
            self.grid.append((partner, rows))

    def rows(self):
        """The grid with bound fields, for the template."""
        return [
            (
                partner,
                [(category, [(period, self[name]) for period, name in cells]) for category, cells in rows],
            )
            for partner, rows in self.grid
        ]

    def entries(self):
        from projects.services.budget import BudgetEntry

        return [
            BudgetEntry(partner, category, period, self.cleaned_data.get(name) or ZERO)
            for partner, rows in self.grid
            for category, cells in rows
            for period, name in cells
        ]
