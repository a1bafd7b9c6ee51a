from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.choices import Role
from portal.home import register_home_context


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")

    def ready(self):
        # The allocation reports register themselves; funding/reports.py (autodiscovered by the
        # reporting app) holds the others. The tasks are registered in every process, so that a
        # service may send one by name.
        from funding import allocation_reports, tasks  # noqa: F401
        from funding.home import applicant_home, official_home  # reads funding's models

        register_home_context(Role.REGIONAL_OFFICIAL, official_home)
        register_home_context(Role.APPLICANT, applicant_home)
