"""Forms of the application pages. They only collect and type the input; the rules are in
funding.services (applications, documents), whose ValidationErrors are put back on the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.choices import DocumentStage
from funding.models import Application, RequiredDocument
from funding.services.applications import FORM_FIELDS
from portal.models import Organisation


class ApplicantChoiceForm(forms.Form):
    """Which of the user's organisations applies (shown only when there is more than one)."""

    applicant = forms.ModelChoiceField(label=_("Applying organisation"), queryset=Organisation.objects.none())

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])


class ApplicationDataForm(forms.Form):
    """The data the call's form asks for (FORM_FIELDS), labelled as in the model."""

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        call = application.call
        for name in FORM_FIELDS.get(call.application_form, ()):
            model_field = Application._meta.get_field(name)
            field = model_field.formfield(required=False, validators=[])
            field.validators = []  # the service checks (and normalises) every value
            if name == "declared_weight" and call.weight_label:
                field.label = call.weight_label
            if name == "vehicle_plate":
                field.help_text = _("e.g. AB123CD")
                field.widget.attrs["autocapitalize"] = "characters"
            if name == "licence_number":
                field.help_text = _("As on the licence: it must be the one of your organisation.")
            if name == "conformity_standard":
                field.help_text = _("The norm the recorder complies with: CEI, UNI, EN or equivalent.")
            field.initial = getattr(application, name)
            self.fields[name] = field


class DocumentUploadForm(forms.Form):
    required_document = forms.ModelChoiceField(
        label=_("Document"), queryset=RequiredDocument.objects.none(), required=False, empty_label=_("Other")
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG; the content is checked."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )

    def __init__(self, *args, application: Application, stage: str = DocumentStage.APPLICATION, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_document"].queryset = RequiredDocument.objects.filter(
            call_id=application.call_id, stage=stage
        ).order_by("pk")


class ReviewForm(forms.Form):
    admissible = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Admissible")), ("0", _("Inadmissible"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for an inadmissible application: the applicant reads it in the e-mail."),
    )
    score = forms.DecimalField(label=_("Score"), required=False, max_digits=7, decimal_places=2, min_value=0)
    notes = forms.CharField(
        label=_("Review notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Internal: not sent to the applicant."),
    )

    def __init__(self, *args, score_ranked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not score_ranked:
            del self.fields["score"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
