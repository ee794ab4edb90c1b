"""Let retention forget the actor of an audit row, and nothing else.

The guard of 0002 refused every UPDATE of an audit row. It now lets exactly one through:
setting `actor_id` to NULL while every other column stays as it was, which is what
`post_program.services.audit_actor_forget` does when retention de-identifies a case (the
action, object, time and detail stay; the person goes). Any other UPDATE is refused, and on
PostgreSQL so is every DELETE, as before. On PostgreSQL the whole row but the actor is
compared, so a column added later is guarded too; on SQLite the columns are listed.
"""

from importlib import import_module

from django.db import migrations

MESSAGE = "audit events are append-only; only the actor can be forgotten"

SQLITE = f"""
CREATE TRIGGER post_program_auditevent_no_update
BEFORE UPDATE ON post_program_auditevent
WHEN NOT (
    NEW.actor_id IS NULL
    AND NEW.id IS OLD.id
    AND NEW.at IS OLD.at
    AND NEW.action IS OLD.action
    AND NEW.object_type IS OLD.object_type
    AND NEW.object_id IS OLD.object_id
    AND NEW.detail IS OLD.detail
)
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
"""

POSTGRES = f"""
CREATE OR REPLACE FUNCTION post_program_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
        AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{MESSAGE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER post_program_auditevent_no_change
BEFORE UPDATE OR DELETE ON post_program_auditevent
FOR EACH ROW EXECUTE FUNCTION post_program_auditevent_append_only();
"""

# The guard this one replaces; going back restores it.
previous = import_module("post_program.migrations.0002_audit_append_only")


def forwards(apps, schema_editor):
    sql = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor)
    if sql:
        previous.backwards(apps, schema_editor)
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    previous.backwards(apps, schema_editor)
    previous.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("post_program", "0003_import_job")]

    operations = [migrations.RunPython(forwards, backwards)]
