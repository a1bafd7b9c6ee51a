"""The deliverable's timeline stays append-only, except that a transaction that deletes a deliverable
(projects.services.workplan.deliverable_delete: never past pending, never submitted) may delete that
deliverable's own lines: it says which one in the local setting projects.deleting_deliverable."""

from django.db import migrations

FUNCTION = "projects_deliverableevent_append_only"

FORWARD = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('projects.deleting_deliverable', true) = OLD.deliverable_id::text THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'table projects_deliverableevent is append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""

REVERSE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table projects_deliverableevent is append-only' USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_deliverable_event_append_only")]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE))]
