"""Forms of the project pages: they only collect and type the input; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.forms.ledger import AmountField, date_field
from projects.choices import Achievement


class ReviewRequestForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        label=_("Internal reviewer"), queryset=None, empty_label=_("Choose the reviewer")
    )
    text = forms.CharField(
        label=_("Note for the reviewer"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Send back with comments"))],
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, DOCX, ODT, XLSX, CSV or ZIP; it becomes the current version, earlier ones are kept."
        ),
    )


class CustodyForm(forms.Form):
    held_at = forms.CharField(label=_("Where the document is held"), max_length=300)


class DateForm(forms.Form):
    date = date_field(_("Date"), required=False, help_text=_("Today if left empty."))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class MoveDueForm(forms.Form):
    due_date = date_field(_("New due date"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ExpenditureLineForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    category = forms.ModelChoiceField(label=_("Cost category"), queryset=None)
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=60)
    invoice_date = date_field(_("Invoice date"))
    supplier_name = forms.CharField(label=_("Supplier"), max_length=200)
    supplier_vat_id = forms.CharField(
        label=_("Supplier's partita IVA or VAT id"), max_length=20, required=False
    )
    amount = AmountField(label=_("Eligible amount, net of VAT (€)"))
    vat = AmountField(label=_("VAT (€)"), required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    equipment_description = forms.CharField(label=_("Equipment bought"), max_length=200, required=False)

    def __init__(self, *args, partners, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["category"].queryset = categories

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["vat"] = data.get("vat") or "0"
        return data


class EffortForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    work_package = forms.ModelChoiceField(label=_("Work package"), queryset=None)
    person_months = forms.DecimalField(label=_("Person-months"), min_value=0, decimal_places=2, max_digits=7)

    def __init__(self, *args, partners, work_packages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["work_package"].queryset = work_packages


class ProgressForm(forms.Form):
    work_package = forms.ModelChoiceField(label=_("Work package"), queryset=None)
    achievement = forms.ChoiceField(label=_("Objectives"), choices=Achievement.choices)
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, work_packages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_package"].queryset = work_packages


class JustificationForm(forms.Form):
    item = forms.ChoiceField(label=_("Late item"))
    text = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = items


class WorkbookForm(forms.Form):
    file = forms.FileField(label=_("Work plan workbook (XLSX)"))
