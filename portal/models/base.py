"""Shared model machinery: append-only rows for the ledger and the audit trail."""

from django.db import models
from django.utils.translation import gettext_lazy as _

ERROR_APPEND_ONLY = _("This record is append-only: corrections are new entries, never edits or deletions.")


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row of an append-only table."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(str(ERROR_APPEND_ONLY))

    def delete(self):
        raise AppendOnlyError(str(ERROR_APPEND_ONLY))


class AppendOnlyModel(models.Model):
    """A row written once. PostgreSQL enforces the same with a trigger (see migrations)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(str(ERROR_APPEND_ONLY))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(str(ERROR_APPEND_ONLY))


def append_only_trigger_sql(table: str, immutable_columns: list[str] | None = None) -> tuple[str, str]:
    """PostgreSQL trigger that refuses DELETE, and UPDATE of `immutable_columns` (all columns if None).

    TRUNCATE stays allowed, for test flushes.
    """
    function = f"{table}_append_only"
    update = f"UPDATE OF {', '.join(immutable_columns)}" if immutable_columns else "UPDATE"
    forward = f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'table {table} is append-only' USING ERRCODE = 'restrict_violation';
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER {function}_trg BEFORE {update} OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {function}();
    """
    reverse = f"DROP TRIGGER IF EXISTS {function}_trg ON {table}; DROP FUNCTION IF EXISTS {function}();"
    return forward, reverse


def append_only_migration_operation(table: str, immutable_columns: list[str] | None = None):
    """A migration operation installing the trigger on PostgreSQL (a no-op elsewhere)."""
    from django.db import migrations

    forward, reverse = append_only_trigger_sql(table, immutable_columns)

    def apply(sql):
        def run(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql)

        return run

    return migrations.RunPython(apply(forward), apply(reverse))


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
