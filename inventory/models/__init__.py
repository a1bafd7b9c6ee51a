from inventory.models.analytics import (
    AnalyticsEpisode,
    AnalyticsEvent,
    AnalyticsRule,
    AnalyticsSource,
    DeviceDailyStat,
    SourceKey,
)
from inventory.models.claims import CallDeviceRule, InvoicedDevices
from inventory.models.deployment import Assignment, Site
from inventory.models.devices import Device, DeviceModel, DeviceStatusChange

__all__ = [
    "AnalyticsEpisode",
    "AnalyticsEvent",
    "AnalyticsRule",
    "AnalyticsSource",
    "Assignment",
    "CallDeviceRule",
    "Device",
    "DeviceDailyStat",
    "DeviceModel",
    "DeviceStatusChange",
    "InvoicedDevices",
    "Site",
    "SourceKey",
]
