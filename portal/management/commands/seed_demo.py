import logging
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from portal.context import action_context
from portal.models.audit import AuditSource

# Each app may ship a `demo` module with `seed(stdout)`; they run in this order.
SEEDED_APPS = ["portal", "funding", "projects", "inventory", "reporting"]


class Command(BaseCommand):
    help = "Load reference data and demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow running with DJANGO_ENV=production")

    def handle(self, *args, **options):
        if settings.PRODUCTION and not options["force"]:
            raise CommandError(
                "seed_demo creates demo accounts with a published password: not in production."
            )
        # The demo's decisions notify its demo users: keep those e-mails (and the log line of each
        # in-process task) out of the console, so that the logins printed at the end stay readable.
        # Its jobs run here, in-process, so that the demo is complete when the command ends, with or
        # without a worker running.
        from portal.celery import app

        quiet = logging.getLogger("celery.app.trace")
        level, eager = quiet.level, app.conf.task_always_eager
        quiet.setLevel(logging.WARNING)
        app.conf.task_always_eager = True
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                self._seed()
        finally:
            quiet.setLevel(level)
            app.conf.task_always_eager = eager

    def _seed(self):
        with action_context(source=AuditSource.COMMAND):
            for app in SEEDED_APPS:
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                module.seed(self.stdout)
            from portal.demo import print_logins

            print_logins(self.stdout)
