"""Forms of the expense report pages (rendicontazione): invoice lines, attachments, the official's
decision on each line, the act of verification or closing. They only collect and type the input;
funding.services.expenses decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.formfields import AmountField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ExpenseLineForm(forms.Form):
    supplier_name = forms.CharField(label=_("Supplier"), max_length=200)
    supplier_vat_number = forms.CharField(
        label=_("Supplier partita IVA"), max_length=13, help_text=_("11 digits, with its check digit.")
    )
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=50)
    invoice_date = forms.DateField(label=_("Invoice date"), widget=DATE_WIDGET)
    description = forms.CharField(label=_("Description"), max_length=300)
    net_amount = AmountField(label=_("Net (imponibile), €"))
    vat_amount = AmountField(label=_("VAT (IVA), €"))
    total_amount = AmountField(label=_("Total, €"), help_text=_("Net plus VAT."))


class AttachmentForm(forms.Form):
    uploaded_file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))


class ActForm(forms.Form):
    act_number = forms.CharField(
        label=_("Act number (determinazione)"), max_length=50, help_text=_("Without the type: e.g. 129/2020.")
    )
    act_date = forms.DateField(label=_("Act date"), widget=DATE_WIDGET)


class CloseGrantForm(ActForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("What must be corrected"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LineDecisionForm(forms.Form):
    eligible = forms.ChoiceField(
        label=_("Eligible"),
        choices=[("1", _("Eligible")), ("0", _("Not eligible"))],
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(label=_("Reason if not eligible"), max_length=300, required=False)
