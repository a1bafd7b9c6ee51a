from inventory.models.deployment import Assignment, Site
from inventory.models.devices import Device, DeviceModel, DeviceStatusChange

__all__ = ["Assignment", "Device", "DeviceModel", "DeviceStatusChange", "Site"]
