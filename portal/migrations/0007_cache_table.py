"""The table of the database cache (CACHE_URL=dbcache://..., the default): rate limits, used TOTP codes
and worker heartbeats shared by every process. `createcachetable` is idempotent and does nothing when
the cache is Redis; `make run`, `make serve` and the container's start run it again after migrate, for
a deployment that switches to the database cache later."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("portal", "0006_inbox_messages")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
