"""Project-wide form rendering in Bootstrap Italia markup (labels, help, errors tied to fields)."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.conf import settings
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from portal.models import AccessRequest, Comune

ERROR_EMAIL_LOGIN_CLOSED = _("Applicants log in with SPID or CIE: use the buttons above.")


class LoginForm(AllauthLoginForm):
    """allauth's e-mail login, closed to applicants when EMAIL_LOGIN_FOR_APPLICANTS is false."""

    def clean(self):
        cleaned = super().clean()
        from portal.adapters import is_applicant_only

        if not settings.EMAIL_LOGIN_FOR_APPLICANTS and self.user is not None and is_applicant_only(self.user):
            raise forms.ValidationError(ERROR_EMAIL_LOGIN_CLOSED, code="email_login_closed")
        return cleaned


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
