from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        # Every installed app's reports.py registers its reports (this app's own included).
        from portal.choices import Role
        from portal.home import register_home_context
        from reporting.home import auditor_home
        from reporting.registry import autodiscover

        autodiscover()
        # The tasks are registered in every process: the services send them by name (no import cycle).
        from reporting import tasks  # noqa: F401

        register_home_context(Role.AUDITOR, auditor_home)
