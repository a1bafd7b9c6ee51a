"""The map of the sites and the funded-vs-deployed dashboard of a call."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from inventory import conf
from inventory.geojson import sites_feature_collection
from inventory.selectors import (
    FLAG_NOT_REGISTERED,
    FLAG_OUT_OF_WARRANTY,
    FLAG_PAID_NOT_DEPLOYED,
    FLAG_SILENT,
    device_calls,
    funded_totals,
    funded_vs_deployed,
    site_list,
)
from inventory.views.devices import InventoryView
from portal.formatting import format_money
from portal.permissions import can_manage_any_inventory

FLAG_LABELS = {
    FLAG_PAID_NOT_DEPLOYED: _("Paid more than 90 days ago, nothing deployed"),
    FLAG_NOT_REGISTERED: _("Paid, no device registered"),
    FLAG_OUT_OF_WARRANTY: _("Devices beyond their warranty"),
    FLAG_SILENT: _("Deployed but silent"),
}


CHART_ROWS = 30
BAR_LABELS = [
    ("deployed", _("Deployed")),
    ("stock", _("In stock or maintenance")),
    ("faulty", _("Faulty")),
    ("decommissioned", _("Decommissioned")),
]


class MapView(InventoryView):
    template_name = "inventory/map.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "sites": site_list(user=user).order_by("comune__name", "name"),
            "geojson": sites_feature_collection(user=user),
            "tile_url": conf.get("INVENTORY_TILE_URL"),
            "tile_attribution": conf.get("INVENTORY_TILE_ATTRIBUTION"),
            "open_data": conf.get("INVENTORY_OPEN_DATA_SITES"),
            "can_manage": can_manage_any_inventory(user),
        }


class FundedVsDeployedView(InventoryView):
    template_name = "inventory/funded.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        calls = list(device_calls(user=user))
        code = self.request.GET.get("call") or next((c.code for c in calls if "body" in c.code), None)
        call = next((c for c in calls if c.code == code), calls[0] if calls else None)
        rows = funded_vs_deployed(user=user, call=call) if call else []
        scale = max([r.registered for r in rows] + [1])
        labels = [(key, str(label)) for key, label in BAR_LABELS]
        flag_labels = {key: str(label) for key, label in FLAG_LABELS.items()}
        devices_url = reverse("inventory:device_list")
        for row in rows:
            # Formatted once here: a call of a few hundred grants renders thousands of cells.
            in_stock = max(row.registered - row.deployed - row.faulty - row.decommissioned, 0)
            values = {"deployed": row.deployed, "stock": in_stock, "faulty": row.faulty}
            values["decommissioned"] = row.decommissioned
            # A class per percent (inventory.css): the Content-Security-Policy refuses style attributes.
            row.bars = [(key, str(values[key]), round(100 * values[key] / scale)) for key, _label in labels]
            row.flag_labels = [flag_labels[f] for f in row.flags]
            row.url = f"{devices_url}?commitment={row.commitment_id}"
            row.cells = [
                format_money(row.granted),
                format_money(row.liquidated),
                str(row.declared),
                str(row.registered),
                str(row.deployed),
                str(row.producing),
                str(row.faulty),
                str(row.decommissioned),
                format_money(row.cost_per_device) if row.cost_per_device else "—",
            ]
        totals = funded_totals(rows)
        totals_cells = [
            format_money(totals["granted"]),
            format_money(totals["liquidated"]),
            *(
                str(totals[k])
                for k in ("declared", "registered", "deployed", "producing", "faulty", "decommissioned")
            ),
            format_money(totals["cost_per_device"]) if totals["cost_per_device"] else "—",
        ]
        return {
            **super().get_context_data(**kwargs),
            "calls": calls,
            "call": call,
            "rows": rows,
            "totals": totals,
            "totals_cells": totals_cells,
            # The chart shows who has devices, the most first; the table below lists every grant.
            "chart_rows": sorted((r for r in rows if r.registered), key=lambda r: -r.registered)[:CHART_ROWS],
            "bar_labels": labels,
        }
