from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        # Every installed app's reports.py registers its reports (this app's own included).
        from reporting.registry import autodiscover

        autodiscover()
