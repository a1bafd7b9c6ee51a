from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")

    def ready(self):
        # The allocation reports register themselves; funding/reports.py (autodiscovered by the
        # reporting app) holds the others. The tasks are registered in every process, so that a
        # service may send one by name.
        from funding import allocation_reports, tasks  # noqa: F401
