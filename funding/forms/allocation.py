"""Forms of the allocation pages: the act that adopts an allocation or revokes a grant. They only
collect and type the input; funding.services.allocation decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.acts import validate_act_number

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AdoptForm(forms.Form):
    act_number = forms.CharField(
        label=_("Act number (determinazione)"),
        max_length=50,
        help_text=_("Without the type: e.g. 129/2020."),
        validators=[validate_act_number],
    )
    act_date = forms.DateField(label=_("Act date"), widget=DATE_WIDGET)


class CancelGrantForm(AdoptForm):
    reason = forms.CharField(
        label=_("Reason of the revocation"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the application is still running: the applicant will read it."),
    )
