from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        # The tasks are registered in every process: the services send them by name (no import cycle).
        from portal import checks, choice_display, signals, tasks  # noqa: F401
        from portal.choices import Role
        from portal.home import administrator_home, register_home_context

        register_home_context(Role.ADMINISTRATOR, administrator_home)
        choice_display.install()
