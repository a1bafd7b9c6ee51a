"""Ledger operations, for officials: every write is a call to funding.services.ledger in two steps:
the form, then a confirmation page with the service's preview of what the operation does to
availability, then the real operation, which the service validates again under its row locks.
"""

import datetime
import secrets
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from funding.choices import CommitmentStatus
from funding.forms.ledger import (
    AmountField,
    CancelForm,
    CommitmentForm,
    ConfirmForm,
    EconomyForm,
    LiquidationForm,
    ReservationForm,
)
from funding.selectors import (
    action_list,
    chapter_status,
    commitment_status,
    reservation_status,
)
from funding.services import ledger as services
from portal.permissions import LEDGER_WRITE, CapabilityRequiredMixin
from portal.selectors import organisation_list
from portal.service_errors import apply_errors

CONFIRM_TOKEN_SECONDS = 6 * 3600


# --- Operations: form → confirmation with the effect on availability → the service -----------------
class LedgerOperationView(CapabilityRequiredMixin, TemplateView):
    """GET shows the form; POST validates it and shows the service's preview; POST with confirm=1 and
    the one-time token of that confirmation page performs the operation. Errors go back on the fields."""

    capability = LEDGER_WRITE
    http_method_names = ["get", "post", "head", "options"]
    form_template = "funding/ledger/operation_form.html"
    confirm_template = "funding/ledger/operation_confirm.html"
    form_class = ReservationForm
    target_kind = "commitment"  # which summary of the target the pages show
    title = ""
    intro = ""
    submit_label = _("Continue")
    confirm_label = _("Confirm")
    success_message = ""

    # Subclasses: the operation's two service faces (preview, create), the target object and where to
    # go afterwards.
    operation: tuple[Callable[..., services.Preview], Callable[..., object]]

    def get_target(self):
        raise NotImplementedError

    def target_kwargs(self) -> dict:
        raise NotImplementedError

    def success_url(self, result) -> str:
        raise NotImplementedError

    def target_url(self) -> str:
        raise NotImplementedError

    def form_kwargs(self) -> dict:
        return {}

    @cached_property
    def target(self):
        return self.get_target()

    def get_form(self, data=None):
        return self.form_class(data, **self.form_kwargs())

    def render(self, template, form, **context):
        return TemplateResponse(
            self.request,
            template,
            {
                "view": self,
                "target": self.target,
                "form": form,
                "title": self.title,
                "ledger_page": True,
                **context,
            },
        )

    def get(self, request, *args, **kwargs):
        return self.render(self.form_template, self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if "edit" in request.POST or not form.is_valid():
            return self.render(self.form_template, form)
        arguments = {**self.target_kwargs(), **form.service_kwargs()}
        token = request.POST.get("confirm_token", "")
        confirmed = request.POST.get("confirm") == "1" and token
        try:
            preview_service, create_service = self.operation
            if not confirmed:
                preview = preview_service(actor=request.user, **arguments)
            elif not cache.add(f"ledger-confirm:{token}", 1, CONFIRM_TOKEN_SECONDS):
                messages.warning(request, _("This operation was already submitted: it was not repeated."))
                return redirect(self.target_url())
            else:
                result = create_service(actor=request.user, **arguments)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render(self.form_template, form)
        if confirmed:
            messages.success(request, self.success_message)
            return redirect(self.success_url(result))
        return self.render(
            self.confirm_template,
            form,
            preview=preview,
            summary=_summary(form),
            status_before=_status_label(preview.status_before),
            status_after=_status_label(preview.status_after),
            confirm_token=secrets.token_urlsafe(16),
        )


def _summary(form) -> list[tuple[str, object, bool]]:
    """(label, value as shown, is money) for each field of a valid form, for the confirmation page."""
    rows = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if isinstance(field, AmountField):
            rows.append((field.label, value, True))
            continue
        if isinstance(field, forms.ModelChoiceField) and value is not None:
            value = field.label_from_instance(value)
        elif isinstance(field, forms.ChoiceField):
            value = dict(field.choices).get(value, value)
        elif isinstance(value, datetime.date):
            value = date_format(value, "SHORT_DATE_FORMAT")
        rows.append((field.label, value, False))
    return rows


def _status_label(status: str) -> str:
    return CommitmentStatus(status).label if status else ""


class ReservationCreateView(LedgerOperationView):
    form_class = ReservationForm
    operation = (services.reservation_preview, services.reservation_create)
    target_kind = "chapter"
    title = _("Reserve on the chapter")
    intro = _("A reservation (prenotazione) sets money of the chapter aside for an action of the programme.")
    success_message = _("Reservation recorded.")

    def get_target(self):
        return get_object_or_404(chapter_status(user=self.request.user), pk=self.kwargs["pk"])

    def form_kwargs(self):
        return {"actions": action_list(user=self.request.user, year=self.target.year)}

    def target_kwargs(self):
        return {"chapter": self.target}

    def success_url(self, result):
        return reverse("funding:reservation_detail", args=[result.pk])

    def target_url(self):
        return reverse("funding:chapter_detail", args=[self.target.pk])


class CommitmentCreateView(LedgerOperationView):
    form_class = CommitmentForm
    operation = (services.commitment_preview, services.commitment_create)
    target_kind = "reservation"
    title = _("Commit on the reservation")
    intro = _(
        "A commitment (impegno) binds money of the reservation to a named beneficiary by an act, usually a "
        "determinazione dirigenziale. It is recorded as provisional until confirmed."
    )
    success_message = _("Commitment recorded as provisional.")

    def get_target(self):
        return get_object_or_404(reservation_status(user=self.request.user), pk=self.kwargs["pk"])

    def form_kwargs(self):
        return {
            "beneficiaries": organisation_list(user=self.request.user).filter(is_active=True).order_by("name")
        }

    def target_kwargs(self):
        return {"reservation": self.target}

    def success_url(self, result):
        return reverse("funding:commitment_detail", args=[result.pk])

    def target_url(self):
        return reverse("funding:reservation_detail", args=[self.target.pk])


class CommitmentOperationView(LedgerOperationView):
    """Operations on one commitment; afterwards the commitment's page shows the new figures."""

    def get_target(self):
        return get_object_or_404(commitment_status(user=self.request.user), pk=self.kwargs["pk"])

    def target_kwargs(self):
        return {"commitment": self.target}

    def success_url(self, result):
        return self.target_url()

    def target_url(self):
        return reverse("funding:commitment_detail", args=[self.target.pk])


class LiquidationCreateView(CommitmentOperationView):
    form_class = LiquidationForm
    operation = (services.liquidation_preview, services.liquidation_create)
    title = _("Liquidate the commitment")
    intro = _(
        "A liquidation fixes the amount payable to the beneficiary once the expense report is verified: "
        "an advance (acconto) or the balance (saldo)."
    )
    success_message = _("Liquidation recorded.")


class EconomyCreateView(CommitmentOperationView):
    form_class = EconomyForm
    operation = (services.economy_preview, services.economy_create)
    title = _("Record an economy")
    intro = _(
        "An economy (economia) is committed money that will not be liquidated: it goes back to the "
        "reservation, where it can be committed again."
    )
    success_message = _("Economy recorded.")


class CommitmentConfirmView(CommitmentOperationView):
    form_class = ConfirmForm
    operation = (services.commitment_confirm_preview, services.commitment_confirm)
    title = _("Confirm the commitment")
    intro = _("A provisional commitment becomes definitive when its act is executive. No money moves.")
    submit_label = _("Continue")
    success_message = _("Commitment confirmed: it is now definitive.")


class CommitmentCancelView(CommitmentOperationView):
    form_class = CancelForm
    operation = (services.commitment_cancel_preview, services.commitment_cancel)
    title = _("Cancel the commitment")
    intro = _(
        "Cancelling records what is left to liquidate as an economy, which goes back to the reservation; "
        "the commitment then accepts no further entries. What is already liquidated stays."
    )
    confirm_label = _("Cancel the commitment")
    success_message = _("Commitment cancelled; the remainder went back to the reservation.")
