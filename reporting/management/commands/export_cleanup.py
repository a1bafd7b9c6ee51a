from django.core.management.base import BaseCommand

from portal.context import action_context
from portal.models.audit import AuditSource
from reporting.services.jobs import export_cleanup


class Command(BaseCommand):
    help = (
        "Delete export files past their retention and send stuck export jobs again. "
        "Run it hourly from cron in the embedded mode (with a broker, Celery beat does it)."
    )

    def handle(self, *args, **options):
        with action_context(source=AuditSource.COMMAND):
            report = export_cleanup()
        self.stdout.write(
            f"Exports: {report.expired} expired, {report.requeued} requeued, {report.abandoned} abandoned."
        )
