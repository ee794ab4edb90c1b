"""Make the audit trail append-only in the database itself, not only in the ORM.

An UPDATE of an audit row is refused by a trigger on SQLite and on PostgreSQL; on PostgreSQL a
DELETE is refused too (TRUNCATE, which the test runner uses between tests, is not a DELETE).
"""

from django.db import migrations

SQLITE = """
CREATE TRIGGER post_program_auditevent_no_update
BEFORE UPDATE ON post_program_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""

POSTGRES = """
CREATE OR REPLACE FUNCTION post_program_auditevent_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit events are append-only'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER post_program_auditevent_no_change
BEFORE UPDATE OR DELETE ON post_program_auditevent
FOR EACH ROW EXECUTE FUNCTION post_program_auditevent_append_only();
"""

DROP = {
    "sqlite": "DROP TRIGGER IF EXISTS post_program_auditevent_no_update;",
    "postgresql": (
        "DROP TRIGGER IF EXISTS post_program_auditevent_no_change ON post_program_auditevent;"
        "DROP FUNCTION IF EXISTS post_program_auditevent_append_only();"
    ),
}


def forwards(apps, schema_editor):
    sql = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    sql = DROP.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("post_program", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
