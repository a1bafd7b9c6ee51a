from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    BODYCAM = "bodycam", _("Body-cam")
    EDR = "edr", _("In-cab event data recorder")
    CCTV = "cctv", _("CCTV camera")
    ANPR = "anpr", _("Licence-plate reader (ANPR)")
    OTHER = "other", _("Other device")


class DeviceStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    IN_STOCK = "in_stock", _("In stock")
    DEPLOYED = "deployed", _("Deployed")
    MAINTENANCE = "maintenance", _("Under maintenance")
    FAULTY = "faulty", _("Faulty")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")


class FundingSource(models.TextChoices):
    GRANT = "grant", _("Grant of a call (commitment)")
    EU_PROJECT = "eu_project", _("EU project (equipment expenditure)")
    OWN_FUNDS = "own_funds", _("Own funds")


class AssignmentKind(models.TextChoices):
    """Where a device is deployed: to an officer, in a taxi vehicle, at a site."""

    OFFICER = "officer", _("Police officer")
    VEHICLE = "vehicle", _("Taxi vehicle")
    SITE = "site", _("Site")


# Which kind of deployment each kind of device takes; "other" devices may go anywhere.
ASSIGNMENT_KINDS = {
    DeviceKind.BODYCAM: {AssignmentKind.OFFICER},
    DeviceKind.EDR: {AssignmentKind.VEHICLE},
    DeviceKind.CCTV: {AssignmentKind.SITE},
    DeviceKind.ANPR: {AssignmentKind.SITE},
    DeviceKind.OTHER: {AssignmentKind.OFFICER, AssignmentKind.VEHICLE, AssignmentKind.SITE},
}


# The API describes each choice as a plain string enum of these values (sorted), named once in
# SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]: several apps have fields named "kind" and "status".
DEVICE_KIND_VALUES = sorted(DeviceKind.values)
DEVICE_STATUS_VALUES = sorted(DeviceStatus.values)
FUNDING_SOURCE_VALUES = sorted(FundingSource.values)
ASSIGNMENT_KIND_VALUES = sorted(AssignmentKind.values)


class EventKind(models.TextChoices):
    """What an analytics system reports about a device: ONVIF analytics topics (RuleEngine and
    VideoSource) and FIWARE's Alert model for cameras, the recorders' own events for taxis."""

    LINE_CROSSING = "line_crossing", _("Line crossing")
    INTRUSION = "intrusion", _("Intrusion")
    LOITERING = "loitering", _("Loitering")
    ABANDONED_OBJECT = "abandoned_object", _("Abandoned object")
    CROWD_DENSITY = "crowd_density", _("Crowd density")
    TAMPERING = "tampering", _("Tampering")
    HEARTBEAT = "heartbeat", _("Heartbeat")
    HARSH_BRAKING = "harsh_braking", _("Harsh braking")
    COLLISION = "collision", _("Collision")
    PANIC_BUTTON = "panic_button", _("Panic button")
    RECORDING_TRIGGERED = "recording_triggered", _("Recording triggered")


class EventSeverity(models.TextChoices):
    """FIWARE Alert's severity."""

    INFORMATIONAL = "informational", _("Informational")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


EVENT_KIND_VALUES = sorted(EventKind.values)
EVENT_SEVERITY_VALUES = sorted(EventSeverity.values)
