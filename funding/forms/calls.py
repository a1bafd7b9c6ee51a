"""Forms of the calls' management pages. They only collect and type the input; the rules are in
funding.services.calls, whose ValidationErrors are put back on the fields.

Date-times are entered in Europe/Rome (the active time zone): a "datetime-local" input has no zone,
and Django makes it aware in the current time zone.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.choices import DocumentStage, DocumentType
from funding.models import Call, RequiredDocument, Reservation
from funding.services.calls import CALL_INPUT_FIELDS
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
        fields = list(CALL_INPUT_FIELDS)
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
