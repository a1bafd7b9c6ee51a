"""Forms of the inventory pages: they parse input for inventory.services, which hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.models import Commitment
from inventory.choices import AssignmentKind, DeviceStatus, EventKind, FundingSource
from inventory.lifecycle import allowed_targets
from inventory.models import DeviceModel, Site
from inventory.services.deployment import Target
from inventory.services.devices import Funding
from portal.formfields import AmountField
from portal.models import Comune, Organisation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceForm(forms.Form):
    def apply_errors(self, exc) -> None:
        """Put a service's ValidationError on the fields it names (the rest on the form)."""
        for field, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


class DeviceRegisterForm(ServiceForm):
    owner = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Owner"))
    model = forms.ModelChoiceField(queryset=DeviceModel.objects.all(), label=_("Model"))
    serial_number = forms.CharField(max_length=100, label=_("Serial number"))
    asset_tag = forms.CharField(max_length=50, required=False, label=_("Asset tag"))
    purchase_date = forms.DateField(required=False, widget=DATE, label=_("Purchase date"))
    warranty_end = forms.DateField(required=False, widget=DATE, label=_("Warranty until"))
    cost_net = AmountField(label=_("Cost, net of VAT (€)"))
    cost_vat = AmountField(label=_("VAT (€)"))
    status = forms.ChoiceField(
        choices=[
            (DeviceStatus.IN_STOCK, DeviceStatus.IN_STOCK.label),
            (DeviceStatus.ORDERED, DeviceStatus.ORDERED.label),
        ],
        label=_("Status"),
    )
    funding_source = forms.ChoiceField(choices=FundingSource.choices, label=_("Funding source"))
    commitment = forms.ModelChoiceField(
        queryset=Commitment.objects.none(), required=False, label=_("Grant (commitment)")
    )
    eu_reference = forms.CharField(max_length=200, required=False, label=_("EU project and expenditure line"))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Notes"))

    def __init__(self, *args, owners, commitments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["commitment"].queryset = commitments
        self.fields["commitment"].label_from_instance = lambda c: (
            _("n. %(pk)s · %(beneficiary)s · %(act)s")
            % {
                "pk": c.pk,
                "beneficiary": c.beneficiary.name,
                "act": c.act_number,
            }
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "owner": data["owner"],
            "model": data["model"],
            "serial_number": data["serial_number"],
            "asset_tag": data["asset_tag"],
            "purchase_date": data["purchase_date"],
            "warranty_end": data["warranty_end"],
            "cost_net": data["cost_net"],
            "cost_vat": data["cost_vat"],
            "status": data["status"],
            "notes": data["notes"],
            "funding": Funding(
                source=data["funding_source"],
                commitment=data["commitment"],
                eu_reference=data["eu_reference"],
            ),
        }


class TransitionForm(ServiceForm):
    to_status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(max_length=300, required=False, label=_("Reason"))

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        targets = [
            s for s in DeviceStatus if s in allowed_targets(device.status) and s != DeviceStatus.DEPLOYED
        ]
        self.fields["to_status"].choices = [(s.value, s.label) for s in targets]


TARGET_FIELDS = {
    AssignmentKind.OFFICER: ("police_unit", "officer_service_number"),
    AssignmentKind.VEHICLE: ("vehicle_plate", "licence_number"),
    AssignmentKind.SITE: ("site",),
}


class DeployForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Deploy to"))
    police_unit = forms.CharField(max_length=200, required=False, label=_("Police unit"))
    officer_service_number = forms.CharField(
        max_length=20, required=False, label=_("Officer's service number"), help_text=_("Never a name.")
    )
    vehicle_plate = forms.CharField(max_length=10, required=False, label=_("Vehicle plate"))
    licence_number = forms.CharField(max_length=20, required=False, label=_("Taxi licence number"))
    installer = forms.CharField(max_length=200, required=False, label=_("Installer"))
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False, label=_("Site"))
    started_on = forms.DateField(required=False, widget=DATE, label=_("From"))
    reason = forms.CharField(max_length=300, required=False, label=_("Note"))

    def __init__(self, *args, device, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        if kinds == {AssignmentKind.OFFICER}:
            self.fields.pop("installer")
        self.fields["kind"].choices = [(k.value, k.label) for k in AssignmentKind if k in kinds]
        self.fields["site"].queryset = Site.objects.filter(owner=device.owner_id).select_related("comune")
        # Only the fields of the deployments this kind of device takes.
        for kind, names in TARGET_FIELDS.items():
            if kind not in kinds:
                for name in names:
                    self.fields.pop(name, None)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        target = Target(
            kind=data["kind"],
            police_unit=data.get("police_unit", ""),
            officer_service_number=data.get("officer_service_number", ""),
            vehicle_plate=data.get("vehicle_plate", ""),
            licence_number=data.get("licence_number", ""),
            installer=data.get("installer", ""),
            site=data.get("site"),
        )
        return {"target": target, "started_on": data["started_on"], "reason": data["reason"]}


class SiteForm(ServiceForm):
    owner = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Owner"))
    name = forms.CharField(max_length=200, label=_("Name"))
    address = forms.CharField(max_length=300, label=_("Address"))
    comune = forms.ModelChoiceField(
        queryset=Comune.objects.select_related("province").order_by("name"),
        to_field_name="istat_code",
        label=_("Comune"),
    )
    latitude = forms.CharField(max_length=20, label=_("Latitude (WGS 84)"))
    longitude = forms.CharField(max_length=20, label=_("Longitude (WGS 84)"))
    watches = forms.CharField(max_length=300, required=False, label=_("What it watches"))

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    dry_run = forms.BooleanField(required=False, label=_("Only check the file, write nothing"))


class InvoicedDevicesForm(ServiceForm):
    model = forms.ModelChoiceField(queryset=DeviceModel.objects.all(), label=_("Model bought"))
    quantity = forms.IntegerField(min_value=1, label=_("Quantity invoiced"))

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class SerialsForm(ServiceForm):
    serials = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label=_("Serial numbers, one per line")
    )
    warranty_end = forms.DateField(required=False, widget=DATE, label=_("Warranty until"))

    def service_kwargs(self) -> dict:
        return {
            "serials": self.cleaned_data["serials"].splitlines(),
            "warranty_end": self.cleaned_data["warranty_end"],
        }


class SourceForm(ServiceForm):
    owner = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Owner"))
    name = forms.CharField(max_length=120, label=_("Name"))
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Description")
    )
    ip_allowlist = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Allowed addresses"),
        help_text=_("One IP address or network (CIDR) per line; empty: any address."),
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class RotateKeyForm(ServiceForm):
    overlap_hours = forms.IntegerField(
        min_value=0,
        max_value=24 * 30,
        initial=24,
        label=_("Hours the current keys keep working"),
        help_text=_("So that the source can switch to the new key without losing events; 0 stops them now."),
    )


class RuleForm(ServiceForm):
    name = forms.CharField(max_length=120, label=_("Name"))
    kind = forms.ChoiceField(choices=EventKind.choices, label=_("Kind of event"))
    threshold = forms.FloatField(
        required=False, label=_("Value above"), help_text=_("E.g. a crowd density above 4 people per m².")
    )
    min_count = forms.IntegerField(
        required=False, min_value=1, label=_("Or more than N events within an hour")
    )
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False, label=_("Only at the site"))

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
