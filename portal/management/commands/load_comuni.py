from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.context import action_context
from portal.models.audit import AuditSource
from portal.reference import DEFAULT_COMUNI_CSV, ReferenceDataError, load_comuni


class Command(BaseCommand):
    help = "Load provinces, comuni and population figures from the ISTAT CSV (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEFAULT_COMUNI_CSV, help="CSV file to load")

    def handle(self, *args, **options):
        try:
            with action_context(source=AuditSource.COMMAND):
                report = load_comuni(options["file"])
        except ReferenceDataError as exc:
            raise CommandError("Nothing was loaded. Problems found:\n" + "\n".join(exc.problems)) from exc
        except FileNotFoundError as exc:
            raise CommandError(f"File not found: {options['file']}") from exc
        self.stdout.write(
            f"{report.rows} comuni read; created {report.comuni_created}, updated {report.comuni_updated}; "
            f"population figures created {report.populations_created}, updated {report.populations_updated}."
        )
