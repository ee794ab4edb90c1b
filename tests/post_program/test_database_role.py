"""The web and the workers can run as a PostgreSQL role that does not own the tables: it reads
and writes the program, reads and appends to the audit trail, and cannot rewrite the trail —
no update (but of the actor), no delete, no truncate, no disabling or dropping of its guard.

Roles exist on PostgreSQL only; each test creates a login role and connects as it (the test
cluster trusts local connections), and drops it at the end."""

from __future__ import annotations

import io
import secrets

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from post_program.models import AuditEvent, Site

AUDIT = AuditEvent._meta.db_table
TRIGGER = "post_program_auditevent_no_change"


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "Database roles and privileges exist on PostgreSQL only; this test runs on "
            "PostgreSQL (DATABASE_URL)"
        )


def _owner(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def role():
    """A fresh login role, unique in the cluster, dropped with everything granted to it."""
    _postgres_only()
    name = f"post_dbrole_app_{secrets.token_hex(4)}"
    _owner(f'CREATE ROLE "{name}" LOGIN')
    yield name
    _owner(f'DROP OWNED BY "{name}"')
    _owner(f'DROP ROLE "{name}"')


def _grant(role: str) -> str:
    out = io.StringIO()
    call_command("db_grant_app_role", role, stdout=out)
    return out.getvalue()


@pytest.fixture
def app(role):
    """A connection as the application role, after the documented deploy step."""
    _grant(role)
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=role,
        autocommit=True,
    ) as conn:
        yield conn


def _one(conn, sql: str, params=None):
    return conn.execute(sql, params).fetchone()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_app_role_appends_and_reads_audit_rows(app):
    (pk,) = _one(
        app,
        "INSERT INTO post_program_auditevent (at, action, object_type, object_id, detail) "
        "VALUES (now(), 'site.create', 'post_program.site', '7', '{}') RETURNING id",
    )
    assert _one(
        app, "SELECT action, object_id FROM post_program_auditevent WHERE id = %s", [pk]
    ) == (
        "site.create",
        "7",
    )
    assert AuditEvent.objects.get(pk=pk).action == "site.create"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_app_role_reads_and_writes_the_program_tables(app):
    (site_id,) = _one(app, "INSERT INTO post_program_site (name) VALUES ('North') RETURNING id")
    _one(
        app,
        "INSERT INTO post_program_department (site_id, name) VALUES (%s, 'Surgery') RETURNING id",
        [site_id],
    )
    app.execute("UPDATE post_program_site SET name = 'North campus' WHERE id = %s", [site_id])
    assert Site.objects.get(pk=site_id).name == "North campus"
    app.execute("DELETE FROM post_program_department WHERE site_id = %s", [site_id])
    app.execute("DELETE FROM post_program_site WHERE id = %s", [site_id])
    assert not Site.objects.filter(pk=site_id).exists()
    # Sessions and the beat schedule are written by every request and by the workers.
    assert _one(app, "SELECT count(*) FROM django_session") == (0,)
    assert _one(app, "SELECT count(*) FROM django_celery_beat_periodictask") is not None
    # `migrate` with nothing to apply reads the migration history; only the owner writes it.
    assert _one(app, "SELECT count(*) FROM django_migrations")[0] > 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app.execute("DELETE FROM django_migrations")


REWRITES = {
    "update": "UPDATE post_program_auditevent SET action = 'nothing.happened'",
    "delete": "DELETE FROM post_program_auditevent",
    "truncate": f"TRUNCATE {AUDIT}",
    "disable the guard": f"ALTER TABLE {AUDIT} DISABLE TRIGGER {TRIGGER}",
    "disable every trigger": f"ALTER TABLE {AUDIT} DISABLE TRIGGER ALL",
    "drop the guard": f"DROP TRIGGER {TRIGGER} ON {AUDIT}",
    "replace the guard's function": (
        "CREATE OR REPLACE FUNCTION post_program_auditevent_append_only() RETURNS trigger "
        "AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql"
    ),
    "drop the table": f"DROP TABLE {AUDIT} CASCADE",
    "take the table": f"ALTER TABLE {AUDIT} RENAME TO post_program_auditevent_old",
}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", REWRITES, ids=list(REWRITES))
def test_the_app_role_cannot_rewrite_the_audit_trail(app, attempt):
    event = AuditEvent.objects.create(action="role.grant", object_type="x", object_id="1")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app.execute(REWRITES[attempt])
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.object_id) == ("role.grant", "1")
    assert _owner(
        "SELECT tgenabled FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass",
        [TRIGGER, AUDIT],
    ) == [("O",)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_the_audit_columns_only_the_actor_may_be_updated(app, role):
    """Retention clears the actor of a request's row; nothing else of a row ever changes."""
    updatable = {
        column
        for (column,) in _owner(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND has_column_privilege(%s, table_name::regclass, column_name, 'UPDATE')",
            [AUDIT, role],
        )
    }
    assert updatable == {"actor_id"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_tables_of_later_migrations_are_granted_and_a_second_run_restricts_again(app, role):
    _owner("CREATE TABLE post_program_later (id bigint GENERATED BY DEFAULT AS IDENTITY)")
    try:
        app.execute("INSERT INTO post_program_later DEFAULT VALUES")
        assert _one(app, "SELECT count(*) FROM post_program_later") == (1,)
    finally:
        _owner("DROP TABLE post_program_later")
    # A DBA's broad grant (or an audit table recreated under the default privileges) is taken
    # back by the next run of the deploy step.
    _owner(f'GRANT ALL ON TABLE {AUDIT} TO "{role}"')
    _grant(role)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app.execute("DELETE FROM post_program_auditevent")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_role_that_could_rewrite_the_trail_is_refused(role):
    with pytest.raises(CommandError, match="superuser"):
        _grant(connection.settings_dict["USER"] or "postgres")
    (owner,) = _owner("SELECT tableowner FROM pg_tables WHERE tablename = %s", [AUDIT])[0]
    _owner(f'GRANT "{owner}" TO "{role}"')
    with pytest.raises(CommandError, match="owns the tables"):
        _grant(role)
    with pytest.raises(CommandError, match="no PostgreSQL role"):
        _grant(f"{role}_missing")


@pytest.mark.django_db
def test_on_sqlite_the_command_says_roles_are_postgresql_only():
    if connection.vendor == "postgresql":
        pytest.skip("the message for databases without roles; PostgreSQL is tested above")
    with pytest.raises(CommandError, match="PostgreSQL"):
        _grant("post_app")
