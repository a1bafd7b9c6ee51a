from django.db import migrations

from portal.models.base import append_only_migration_operation


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [append_only_migration_operation("inventory_devicestatuschange")]
