"""The map of the sites and the funded-vs-deployed dashboard of a call."""

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
from portal.permissions import can_manage_any_inventory

FLAG_LABELS = {
    FLAG_PAID_NOT_DEPLOYED: _("Paid more than 90 days ago, nothing deployed"),
    FLAG_NOT_REGISTERED: _("Paid, no device registered"),
    FLAG_OUT_OF_WARRANTY: _("Devices beyond their warranty"),
    FLAG_SILENT: _("Deployed but silent"),
}


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
        for row in rows:
            row.flag_labels = [FLAG_LABELS[f] for f in row.flags]
            in_stock = row.registered - row.deployed - row.faulty - row.decommissioned
            row.bars = [
                ("deployed", _("Deployed"), row.deployed),
                ("stock", _("In stock or maintenance"), max(in_stock, 0)),
                ("faulty", _("Faulty"), row.faulty),
                ("decommissioned", _("Decommissioned"), row.decommissioned),
            ]
        scale = max([r.registered for r in rows] + [r.declared for r in rows] + [1])
        return {
            **super().get_context_data(**kwargs),
            "calls": calls,
            "call": call,
            "rows": rows,
            "totals": funded_totals(rows),
            "scale": scale,
        }
