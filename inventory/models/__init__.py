from inventory.models.claims import CallDeviceRule, InvoicedDevices
from inventory.models.deployment import Assignment, Site
from inventory.models.devices import Device, DeviceModel, DeviceStatusChange

__all__ = [
    "Assignment",
    "CallDeviceRule",
    "Device",
    "DeviceModel",
    "DeviceStatusChange",
    "InvoicedDevices",
    "Site",
]
