from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    REGION = "region", _("Region")
    METROPOLITAN_CITY = "metropolitan_city", _("Metropolitan city")
    PROVINCE = "province", _("Province")
    MUNICIPALITY = "municipality", _("Municipality")
    TAXI_LICENSEE = "taxi_licensee", _("Taxi licensee")
    OTHER = "other", _("Other body")


class Role(models.TextChoices):
    REGIONAL_OFFICIAL = "regional_official", _("Regional official")
    APPLICANT = "applicant", _("Applicant")
    AUDITOR = "auditor", _("Auditor")
    EU_PROJECT_MANAGER = "eu_project_manager", _("EU project manager")
    INVENTORY_MANAGER = "inventory_manager", _("Inventory manager")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that must protect their account with a TOTP second factor.
MFA_ROLES = frozenset({Role.REGIONAL_OFFICIAL, Role.AUDITOR, Role.ADMINISTRATOR})
