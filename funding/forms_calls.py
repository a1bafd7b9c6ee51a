"""Forms of the calls and applications pages. They only collect and type the input; the rules are in
funding.services (calls, applications, documents), whose ValidationErrors are put back on the fields.

Date-times are entered in Europe/Rome (the active time zone): a "datetime-local" input has no zone,
and Django makes it aware in the current time zone.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.choices import DocumentStage, DocumentType
from funding.models import Application, Call, RequiredDocument, Reservation
from funding.services.applications import FORM_FIELDS
from portal.choices import OrganisationKind
from portal.models import Organisation

LOCAL_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=LOCAL_DATETIME_FORMAT)


def local_datetime_field(label, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=help_text,
    )


def apply_errors(form: forms.Form, exc) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields go to the top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class CallForm(forms.ModelForm):
    """Create or edit a draft call (the service decides; this only types the input)."""

    opens_at = local_datetime_field(_("Opens at"), _("Italian time (Europe/Rome)."))
    closes_at = local_datetime_field(
        _("Closes at (deadline)"), _("Italian time (Europe/Rome). Submissions are checked on the server.")
    )
    eligible_kinds = forms.MultipleChoiceField(
        label=_("Eligible applicant kinds"),
        choices=OrganisationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    eligible_organisations = forms.ModelMultipleChoiceField(
        label=_("Eligible organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Only these, besides the kinds above (e.g. the provincial-capital comuni)."),
    )

    class Meta:
        model = Call
        fields = [
            "code",
            "title",
            "action",
            "reservation",
            "text",
            "legal_references",
            "responsible_office",
            "responsible_official",
            "opens_at",
            "closes_at",
            "requires_application",
            "application_form",
            "eligible_kinds",
            "eligible_organisations",
            "allocation_method",
            "allocation_params",
            "reference_date",
            "eligible_basis",
            "weight_label",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 6}),
            "legal_references": forms.Textarea(attrs={"rows": 3}),
            "allocation_params": forms.Textarea(attrs={"rows": 3}),
            "reference_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "code": _("Letters, digits and hyphens; it starts the protocol numbers (e.g. taxi-2021)."),
            "allocation_params": _(
                'JSON, e.g. {"percentage": "50", "cap": "1000.00", "ranking": "submitted_at"}; '
                '"ranking": "score" ranks by the reviewers\' score.'
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reservation"].queryset = Reservation.objects.select_related(
            "chapter", "action"
        ).order_by("chapter__year", "pk")
        self.fields["eligible_organisations"].queryset = Organisation.objects.filter(is_active=True).order_by(
            "name"
        )
        self.fields["eligible_organisations"].widget.attrs["size"] = 8
        if self.instance.pk:
            self.initial["eligible_organisations"] = list(
                self.instance.eligible_organisations.values_list("pk", flat=True)
            )

    def _post_clean(self):
        """No model validation here: the service validates (and gives its own messages)."""


class RequiredDocumentForm(forms.ModelForm):
    accepted_types = forms.MultipleChoiceField(
        label=_("Accepted types"),
        choices=DocumentType.choices,
        initial=[DocumentType.PDF],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    class Meta:
        model = RequiredDocument
        fields = ["code", "name", "mandatory", "accepted_types", "stage"]
        help_texts = {"code": _("Short identifier, e.g. quote, invoice, registration.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].initial = DocumentStage.APPLICATION

    def _post_clean(self):
        """Validated by funding.services.calls.required_document_add."""


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
