from django.core.management.base import BaseCommand

from inventory.services.partitions import events_maintain
from portal.context import action_context


class Command(BaseCommand):
    help = (
        "Create the analytics events' partitions of the coming months and delete the raw events older "
        "than the retention period (what the daily beat task does; safe to run twice)."
    )

    def handle(self, *args, **options):
        with action_context(source="command"):
            run = events_maintain()
        self.stdout.write(
            f"partitions created: {len(run.created)}, dropped: {len(run.dropped)}, "
            f"rows deleted: {run.deleted}"
        )
