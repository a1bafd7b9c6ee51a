import datetime

from django.core.management.base import BaseCommand

from portal.context import action_context
from portal.models.audit import AuditSource


class Command(BaseCommand):
    help = (
        "Send the reminders of EU project deliverables and periodic reports due today (30 and 7 days "
        "before, and the day after they are missed), once each. For cron where there is no Celery beat: "
        "e.g. `15 7 * * *`. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="act as if today were this date")

    def handle(self, *args, **options):
        from projects.services.reminders import reminders_send

        with action_context(source=AuditSource.COMMAND):
            run = reminders_send(today=options.get("date"))
        self.stdout.write(
            f"Reminders: {run.sent} sent ({run.emails} e-mails, {run.messages} in-app), "
            f"{run.skipped} already sent."
        )
