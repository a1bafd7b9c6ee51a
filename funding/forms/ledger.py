"""Forms of the ledger pages. They only collect and type the input; the rules (availability, act
dates, years of the action, status) are in funding.services.ledger, whose ValidationErrors are put
back on the fields by the views."""

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.choices import ActType, LiquidationReason
from funding.services.ledger import (
    CANCEL_INPUT,
    COMMITMENT_INPUT,
    ECONOMY_INPUT,
    LIQUIDATION_INPUT,
    RESERVATION_INPUT,
    operation_kwargs,
)
from portal.formfields import AmountField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label, *, required: bool = True, help_text: str = ""):
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


class ActForm(forms.Form):
    """The act that authorises the entry (usually a determinazione dirigenziale)."""

    act_type = forms.ChoiceField(label=_("Act type"), choices=ActType.choices, initial=ActType.DD)
    act_number = forms.CharField(
        label=_("Act number"), max_length=50, help_text=_("Without the type: e.g. 129/2020.")
    )
    act_date = date_field(_("Act date"))

    service_fields: tuple[str, ...] = ()

    def service_kwargs(self) -> dict:
        return operation_kwargs(self.cleaned_data, fields=self.service_fields)


class ReservationForm(ActForm):
    service_fields = RESERVATION_INPUT
    action = forms.ModelChoiceField(label=_("Action"), queryset=None, empty_label=_("Choose the action"))
    amount = AmountField()
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    field_order = ["action", "amount", "act_type", "act_number", "act_date", "description"]

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = actions
        self.fields["action"].label_from_instance = lambda a: f"{a.code} {a.title}"


class CommitmentForm(ActForm):
    service_fields = COMMITMENT_INPUT
    beneficiary = forms.ModelChoiceField(
        label=_("Beneficiary"), queryset=None, empty_label=_("Choose the beneficiary")
    )
    amount = AmountField()
    cup = forms.CharField(
        label=_("CUP (optional)"),
        max_length=15,
        required=False,
        help_text=_("Codice unico di progetto: a letter, 2 digits, a letter, 11 digits."),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    field_order = ["beneficiary", "amount", "act_type", "act_number", "act_date", "cup", "description"]

    def __init__(self, *args, beneficiaries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = beneficiaries


class LiquidationForm(ActForm):
    service_fields = LIQUIDATION_INPUT
    amount = AmountField()
    date = date_field(_("Liquidation date"))
    reason = forms.ChoiceField(label=_("Payment type"), choices=LiquidationReason.choices)
    payment_date = date_field(
        _("Payment date (optional)"), required=False, help_text=_("The treasury's payment, if known.")
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    field_order = ["amount", "date", "reason", "act_type", "act_number", "act_date", "payment_date"]


class EconomyForm(ActForm):
    service_fields = ECONOMY_INPUT
    amount = AmountField()
    date = date_field(_("Date"))
    description = forms.CharField(label=_("Reason"), max_length=300, required=False)
    field_order = ["amount", "date", "act_type", "act_number", "act_date", "description"]


class CancelForm(ActForm):
    service_fields = CANCEL_INPUT
    date = date_field(_("Date"))
    description = forms.CharField(label=_("Reason"), max_length=300, required=False)
    field_order = ["date", "act_type", "act_number", "act_date", "description"]


class ConfirmForm(forms.Form):
    """Confirming a provisional commitment needs no input: the act that made it executive is its own."""

    def service_kwargs(self) -> dict:
        return {}
