from django.contrib import admin

from inventory.models import CallDeviceRule, DeviceModel


@admin.register(DeviceModel)
class DeviceModelAdmin(admin.ModelAdmin):
    list_display = ["manufacturer", "name", "kind", "conformity_standards"]
    list_filter = ["kind"]
    search_fields = ["manufacturer", "name"]


@admin.register(CallDeviceRule)
class CallDeviceRuleAdmin(admin.ModelAdmin):
    """Which calls fund devices, and whether their reports wait for the serials."""

    list_display = ["call", "kind", "require_coverage"]
