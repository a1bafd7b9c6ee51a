"""The officials' page of the beneficiaries' codici fiscali: the bodies still without one (their
grants cannot be published, art. 27 D.Lgs. 33/2013) and the CSV import that fills them in."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.permissions import MANAGE_PROGRAMME, can
from portal.tax_codes import bodies_without_tax_code, tax_codes_import


class TaxCodeImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Two columns, ISTAT code and codice fiscale (e.g. 004078;00480530047); a header is allowed."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


@login_required
def tax_codes_view(request):
    if not can(request.user, MANAGE_PROGRAMME):
        raise PermissionDenied
    form = TaxCodeImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = tax_codes_import(actor=request.user, data=form.cleaned_data["file"].read())
        except ValidationError as exc:
            for message in exc.message_dict.get("file", exc.messages):
                form.add_error("file", message)
        else:
            messages.success(
                request,
                gettext("Codici fiscali imported: %(changed)s set, %(unchanged)s already right.")
                % {"changed": result.changed, "unchanged": result.unchanged},
            )
            return redirect("tax_codes")
    missing = bodies_without_tax_code()
    return render(
        request,
        "portal/tax_codes.html",
        {"form": form, "missing": missing[:2000], "missing_count": missing.count()},
    )
