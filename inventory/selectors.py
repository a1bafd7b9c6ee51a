"""Reads of the inventory, scoped to the user: the Region's inventory manager, officials and auditors
see every device; a beneficiary organisation sees its own. Lists cost a fixed number of queries
whatever the number of devices (pinned by tests/inventory/test_queries.py)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from funding.models import AllocationRow, Application, Call, Commitment
from inventory import conf
from inventory.choices import DeviceStatus
from inventory.models import Assignment, Device, DeviceModel, DeviceStatusChange, Site
from portal.models import Organisation
from portal.permissions import READ_INVENTORY, can, inventory_visible_organisation_ids
from portal.selectors import count_and_head


def _scoped(qs: QuerySet, user, owner_field: str = "owner_id") -> QuerySet:
    if not getattr(user, "is_authenticated", False) or not can(user, READ_INVENTORY):
        return qs.none()
    visible = inventory_visible_organisation_ids(user)
    return qs if visible is None else qs.filter(**{f"{owner_field}__in": visible})


def open_assignments() -> Prefetch:
    """The open deployment of each device, with its site and comune, in one query. Ordered within each
    device as Assignment's own ordering does, by the device's id rather than through its ordering,
    which joined the device, its owner and its model only to sort (issue 14)."""
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(ended_on__isnull=True)
        .select_related("site__comune")
        .order_by("device_id", "-started_on", "-pk"),
        to_attr="open_assignments",
    )


def device_list(*, user) -> QuerySet[Device]:
    """The devices `user` may see, with their model, owner and open deployment. The lists show the
    grant by its number (commitment_id); the grant's row is read by the device's page only
    (device_with_grant): joining it on every row of the list and the API cost for nothing (issue 14)."""
    return _scoped(
        Device.objects.select_related("model", "owner").prefetch_related(open_assignments()),
        user,
    )


# What a row of the device list shows (inventory_tags.device_row): not the devices' whole rows with
# their model's and owner's (a page of devices read every column of three tables, and converting
# them cost more than the query: issue 14).
DEVICE_ROW = (
    "asset_tag",
    "serial_number",
    "status",
    "commitment",
    "funding_source",
    "warranty_end",
    "model__manufacturer",
    "model__name",
    "model__kind",
    "owner__name",
)


def device_table(qs: QuerySet[Device]) -> QuerySet[Device]:
    """device_list (or a part of it) with the columns of the list's rows only."""
    return qs.only(*DEVICE_ROW)


def device_with_grant(*, user) -> QuerySet[Device]:
    """device_list with each device's grant (its act number is on the device's page)."""
    return device_list(user=user).select_related("commitment")


def device_history(*, user, device: Device) -> QuerySet[DeviceStatusChange]:
    return _scoped(DeviceStatusChange.objects.filter(device=device), user, "device__owner_id").select_related(
        "changed_by"
    )


def device_assignments(*, user, device: Device) -> QuerySet[Assignment]:
    return _scoped(Assignment.objects.filter(device=device), user, "device__owner_id").select_related(
        "site__comune"
    )


def assignment_list(*, user) -> QuerySet[Assignment]:
    return _scoped(Assignment.objects.all(), user, "device__owner_id").select_related(
        "device__model", "device__owner", "site__comune"
    )


def device_model_list(*, user) -> QuerySet[DeviceModel]:
    if not getattr(user, "is_authenticated", False) or not can(user, READ_INVENTORY):
        return DeviceModel.objects.none()
    return DeviceModel.objects.all()


def site_list(*, user) -> QuerySet[Site]:
    """Sites with the number of devices standing there now."""
    return _scoped(
        Site.objects.select_related("comune", "owner").annotate(
            deployed=Count("assignments", filter=Q(assignments__ended_on__isnull=True))
        ),
        user,
    )


def owner_choices(*, user) -> QuerySet[Organisation]:
    """Organisations the user may see devices of (for filters and forms)."""
    visible = inventory_visible_organisation_ids(user)
    qs = Organisation.objects.filter(Exists(Device.objects.filter(owner=OuterRef("pk"))))
    return qs if visible is None else qs.filter(pk__in=visible)


def device_call_filter(call: Call) -> Q:
    """Devices funded by a grant of `call` (from an application, or a split without applications)."""
    return Q(commitment__application__call=call) | Q(commitment__allocation_row__allocation__call=call)


def call_commitments(call: Call) -> QuerySet[Commitment]:
    """The call's grants: by an application, or by a row of one of its allocations. Two indexed
    subqueries: an OR across the two outer joins read every commitment of every call (1,197 for 16)."""
    return Commitment.objects.filter(
        Q(pk__in=Application.objects.filter(call=call).values("commitment_id"))
        | Q(pk__in=AllocationRow.objects.filter(allocation__call=call).values("commitment_id"))
    )


# --- Funded versus deployed ----------------------------------------------------------------------------
def silent_after() -> datetime.timedelta:
    return datetime.timedelta(hours=conf.get("INVENTORY_SILENT_AFTER_HOURS"))


@dataclass
class GrantFigures:
    """What one grant (a beneficiary's commitment on a call) bought, where it is, what is broken."""

    commitment_id: int
    beneficiary: str
    beneficiary_id: int
    granted: Decimal
    liquidated: Decimal
    last_liquidation: datetime.date | None
    declared: int  # devices invoiced on the expense reports
    registered: int
    deployed: int
    faulty: int
    decommissioned: int
    out_of_warranty: int
    silent: int
    cost: Decimal  # what the registered devices cost, VAT included
    producing: int = 0  # deployed and heard from an analytics source lately
    flags: list[str] = field(default_factory=list)

    @property
    def cost_per_device(self) -> Decimal | None:
        return (self.cost / self.registered).quantize(Decimal("0.01")) if self.registered else None

    @property
    def liquidated_per_device(self) -> Decimal | None:
        return (self.liquidated / self.registered).quantize(Decimal("0.01")) if self.registered else None


FLAG_PAID_NOT_DEPLOYED = "paid_not_deployed"
FLAG_OUT_OF_WARRANTY = "out_of_warranty"
FLAG_SILENT = "silent"
FLAG_NOT_REGISTERED = "not_registered"
PAID_GRACE_DAYS = 90


def funded_vs_deployed(*, user, call: Call, today: datetime.date | None = None) -> list[GrantFigures]:
    """Per grant of the call: granted, liquidated, devices declared, registered, deployed, faulty,
    decommissioned, cost per device, and the flags. Three aggregate queries, whatever the devices."""
    from funding.models import Liquidation

    today = today or timezone.localdate()
    commitments = _scoped(call_commitments(call), user, "beneficiary_id").select_related("beneficiary")
    commitments = commitments.annotate(
        liquidated=Sum("liquidations__amount"),
    ).order_by("beneficiary__name", "pk")
    rows = {c.pk: c for c in commitments}
    if not rows:
        return []
    last_paid = dict(
        Liquidation.objects.filter(commitment_id__in=rows)
        .values("commitment_id")
        .annotate(last=Max("date"))
        .values_list("commitment_id", "last")
    )
    seen_since = timezone.now() - silent_after()
    # Counting the commitment column (not the id) keeps every column of this query in the covering
    # index inventory_device_grant_idx: PostgreSQL answers with an index-only scan.
    counts = {
        r["commitment_id"]: r
        for r in Device.objects.filter(commitment_id__in=rows)
        .values("commitment_id")
        .annotate(
            registered=Count("commitment"),
            deployed=Count("commitment", filter=Q(status=DeviceStatus.DEPLOYED)),
            faulty=Count("commitment", filter=Q(status=DeviceStatus.FAULTY)),
            decommissioned=Count("commitment", filter=Q(status=DeviceStatus.DECOMMISSIONED)),
            out_of_warranty=Count(
                "commitment", filter=Q(warranty_end__lt=today) & ~Q(status=DeviceStatus.DECOMMISSIONED)
            ),
            silent=Count(
                "commitment",
                filter=Q(
                    status=DeviceStatus.DEPLOYED, last_seen_at__isnull=False, last_seen_at__lt=seen_since
                ),
            ),
            producing=Count(
                "commitment",
                filter=Q(status=DeviceStatus.DEPLOYED, last_seen_at__gte=seen_since),
            ),
            cost_net=Sum("cost_net"),
            cost_vat=Sum("cost_vat"),
        )
    }
    declared = _declared_by_commitment(list(rows))
    result = []
    for pk, commitment in rows.items():
        c = counts.get(pk, {})
        figures = GrantFigures(
            commitment_id=pk,
            beneficiary=commitment.beneficiary.name,
            beneficiary_id=commitment.beneficiary_id,
            granted=commitment.amount - commitment.economies_total,
            liquidated=_money(commitment.liquidated),
            last_liquidation=last_paid.get(pk),
            declared=declared.get(pk, 0),
            registered=c.get("registered", 0),
            deployed=c.get("deployed", 0),
            faulty=c.get("faulty", 0),
            decommissioned=c.get("decommissioned", 0),
            out_of_warranty=c.get("out_of_warranty", 0),
            silent=c.get("silent", 0),
            producing=c.get("producing", 0),
            cost=_money(c.get("cost_net")) + _money(c.get("cost_vat")),
        )
        figures.flags = grant_flags(figures, today=today)
        result.append(figures)
    return result


def grant_flags(figures: GrantFigures, *, today: datetime.date) -> list[str]:
    flags = []
    paid_long_ago = figures.last_liquidation and figures.last_liquidation <= today - datetime.timedelta(
        days=PAID_GRACE_DAYS
    )
    if figures.liquidated > 0 and paid_long_ago and figures.deployed == 0:
        flags.append(FLAG_PAID_NOT_DEPLOYED)
    if figures.liquidated > 0 and figures.registered == 0:
        flags.append(FLAG_NOT_REGISTERED)
    if figures.out_of_warranty:
        flags.append(FLAG_OUT_OF_WARRANTY)
    if figures.silent:
        flags.append(FLAG_SILENT)
    return flags


def funded_totals(rows: list[GrantFigures]) -> dict:
    keys = ("granted", "liquidated", "cost")
    counts = (
        "declared",
        "registered",
        "deployed",
        "producing",
        "faulty",
        "decommissioned",
        "out_of_warranty",
        "silent",
    )
    totals = {k: sum((getattr(r, k) for r in rows), Decimal("0.00")) for k in keys}
    totals.update({k: sum(getattr(r, k) for r in rows) for k in counts})
    totals["cost_per_device"] = (
        (totals["cost"] / totals["registered"]).quantize(Decimal("0.01")) if totals["registered"] else None
    )
    return totals


def _declared_by_commitment(commitment_ids: list[int]) -> dict[int, int]:
    """Devices invoiced on each grant's expense reports (filled once the expense reports declare
    quantities; see inventory.models.claims)."""
    try:
        from inventory.models import InvoicedDevices
    except ImportError:
        return {}
    return dict(
        InvoicedDevices.objects.filter(expense_line__report__commitment_id__in=commitment_ids)
        .values("expense_line__report__commitment_id")
        .annotate(total=Sum("quantity"))
        .values_list("expense_line__report__commitment_id", "total")
    )


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def device_calls(*, user) -> QuerySet[Call]:
    """Calls whose grants fund devices (or could): those with at least one commitment."""
    from funding.choices import CallStatus

    if not getattr(user, "is_authenticated", False) or not can(user, READ_INVENTORY):
        return Call.objects.none()
    return Call.objects.exclude(status=CallStatus.DRAFT).order_by("-opens_at", "title")


# --- The inventory manager's work queue ------------------------------------------------------------------
WORK_QUEUE_LIMIT = 8


def work_queue(*, user, today: datetime.date | None = None) -> dict:
    """What needs the inventory manager: faulty and long-maintained devices, warranties about to end,
    devices ordered but not received, grants paid long ago with nothing deployed."""
    from funding.models import Liquidation

    today = today or timezone.localdate()
    # What the queue shows of a device: its name (asset tag, or model and serial number), its owner and
    # warranty; not the whole rows of the device, its model and the organisation (compiling and reading
    # their every column was a third of the home page's Python work).
    devices = _scoped(Device.objects.select_related("model", "owner"), user).only(
        "asset_tag", "serial_number", "warranty_end", "model__manufacturer", "model__name", "owner__name"
    )
    faulty = devices.filter(status=DeviceStatus.FAULTY).order_by("-updated_at")
    maintenance = devices.filter(status=DeviceStatus.MAINTENANCE).order_by("updated_at")
    ordered = devices.filter(status=DeviceStatus.ORDERED).order_by("created_at")
    warranty = (
        devices.exclude(status=DeviceStatus.DECOMMISSIONED)
        .filter(warranty_end__gte=today, warranty_end__lte=today + datetime.timedelta(days=90))
        .order_by("warranty_end")
    )
    paid_before = today - datetime.timedelta(days=PAID_GRACE_DAYS)
    device_grants = Device.objects.filter(commitment_id=OuterRef("pk"), status=DeviceStatus.DEPLOYED)
    funds_devices = Device.objects.filter(commitment__reservation=OuterRef("reservation"))
    idle = (
        _scoped(Commitment.objects.all(), user, "beneficiary_id")
        .filter(Exists(Liquidation.objects.filter(commitment=OuterRef("pk"), date__lte=paid_before)))
        .filter(Exists(funds_devices))
        .exclude(Exists(device_grants))
        .select_related("beneficiary")
        .order_by("beneficiary__name")
    )
    return {
        "faulty": count_and_head(faulty, WORK_QUEUE_LIMIT),
        "maintenance": count_and_head(maintenance, WORK_QUEUE_LIMIT),
        "ordered": count_and_head(ordered, WORK_QUEUE_LIMIT),
        "warranty": count_and_head(warranty, WORK_QUEUE_LIMIT),
        "idle_grants": count_and_head(idle, WORK_QUEUE_LIMIT),
    }
