from django.db import migrations

# The funded-vs-deployed figures of a call (inventory.selectors.funded_vs_deployed) read only these
# columns: on PostgreSQL a covering index answers them with an index-only scan. SQLite has no INCLUDE.
FORWARD = (
    "CREATE INDEX IF NOT EXISTS inventory_device_grant_cover_idx ON inventory_device "
    "(commitment_id, status) INCLUDE (warranty_end, last_seen_at, cost_net, cost_vat)"
)
REVERSE = "DROP INDEX IF EXISTS inventory_device_grant_cover_idx"


def run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("inventory", "0003_expense_report_devices")]

    operations = [migrations.RunPython(run(FORWARD), run(REVERSE))]
