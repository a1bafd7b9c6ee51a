from django.db import migrations

from portal.models.base import append_only_migration_operation

ENTRY_COLUMNS = ["amount", "act_type", "act_number", "act_date", "description", "created_at", "created_by_id"]


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]
    operations = [
        append_only_migration_operation("funding_reservation", [*ENTRY_COLUMNS, "action_id", "chapter_id"]),
        append_only_migration_operation(
            "funding_commitment", [*ENTRY_COLUMNS, "reservation_id", "beneficiary_id", "cup"]
        ),
        append_only_migration_operation("funding_liquidation"),
        append_only_migration_operation("funding_economy"),
    ]
