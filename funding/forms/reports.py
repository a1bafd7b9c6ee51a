"""Parameters of the funding reports (funding/reports.py). Choices are read when the form is built;
the beneficiary statement offers each user only the organisations whose grants they may see."""

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.choices import AllocationMethod
from funding.models import Programme
from funding.selectors import chapter_years, statement_organisations
from funding.selectors.transparency import default_year, published_years
from portal.models import Organisation
from reporting.registry import ReportForm


class ChapterStatusReportForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Financial year"), choices=(), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *((y, y) for y in chapter_years())]


class ProgrammeSummaryReportForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.order_by("-start_year", "title"), empty_label=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest = self.fields["programme"].queryset.first()
        if latest is not None:
            self.fields["programme"].initial = latest.pk


class BeneficiaryStatementReportForm(ReportForm):
    organisation = forms.ModelChoiceField(
        label=_("Beneficiary"), queryset=Organisation.objects.none(), empty_label=None
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        field = self.fields["organisation"]
        field.queryset = statement_organisations(user=user)
        first = field.queryset.first()
        if first is not None:
            field.initial = first.pk


class TransparencyReportForm(forms.Form):
    """The public page's filters: a year of published grants, a beneficiary's name, a method."""

    year = forms.TypedChoiceField(label=_("Year"), choices=(), coerce=int)
    beneficiary = forms.CharField(label=_("Beneficiary"), max_length=100, required=False)
    method = forms.ChoiceField(
        label=_("Selection method"),
        choices=[("", _("All methods")), *AllocationMethod.choices],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = published_years()
        year = default_year(years)
        self.fields["year"].choices = [(y, y) for y in years or [year]]
        self.fields["year"].initial = year
