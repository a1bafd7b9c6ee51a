"""Project-wide form rendering in Bootstrap Italia markup (labels, help, errors tied to fields)."""

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from portal.models import AccessRequest, Comune


class BootstrapItaliaRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class AccessRequestForm(forms.ModelForm):
    class Meta:
        model = AccessRequest
        fields = ["kind", "organisation_name", "tax_code", "comune", "licence_number", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comune"].queryset = Comune.objects.order_by("name")


class AccessDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Reject"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    decision_reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
