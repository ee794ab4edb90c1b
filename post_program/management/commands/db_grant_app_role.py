"""Give the PostgreSQL role that runs the web and the workers exactly what they need.

Run as the role that owns the tables (the one `migrate` runs as), after every `migrate`; running
it again changes nothing. The application role may read and write the program's tables, but on
the audit trail only read and append, and clear the actor of a row (retention's
de-identification); it owns nothing, so it cannot truncate the trail, disable or drop its guard
trigger, or drop the table (docs/operations.md).
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from post_program.models import AuditEvent

TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_PRIVILEGES = "USAGE, SELECT"


def program_tables() -> list[str]:
    """Every table of an installed model (many-to-many tables included), sorted."""
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )


def grant_statements(*, role: str, schema: str, tables: list[str], quote) -> list[str]:
    """The statements, with `role`, `schema` and every table name already quoted by `quote`."""
    audit = AuditEvent._meta.db_table
    actor = AuditEvent._meta.get_field("actor").column
    others = ", ".join(quote(table) for table in tables if table != audit)
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT {TABLE_PRIVILEGES} ON TABLE {others} TO {role}",
        # Revoke first: the default privileges below give every new table, this one included
        # when it was created after them, the full set.
        f"REVOKE ALL ON TABLE {quote(audit)} FROM {role}",
        f"GRANT SELECT, INSERT ON TABLE {quote(audit)} TO {role}",
        f"GRANT UPDATE ({quote(actor)}) ON TABLE {quote(audit)} TO {role}",
        # `migrate` with nothing to apply reads it, so the same start command works for both.
        f"GRANT SELECT ON TABLE {quote(MigrationRecorder.Migration._meta.db_table)} TO {role}",
        f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {TABLE_PRIVILEGES} ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {role}",
    ]


class Command(BaseCommand):
    help = (
        "Grant a PostgreSQL role the application's privileges: read and write on the program's "
        "tables, read and append only on the audit trail. Run as the tables' owner after migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role in the web's and the workers' DATABASE_URL")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, role: str, database: str, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError(
                f"Database roles are a PostgreSQL feature; this database is {connection.vendor}."
            )
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute(
                "SELECT quote_ident(rolname), rolsuper, quote_ident(current_schema()) "
                "FROM pg_roles WHERE rolname = %s",
                [role],
            )
            found = cursor.fetchone()
            if found is None:
                raise CommandError(f"There is no PostgreSQL role {role!r}; create it first.")
            quoted, superuser, schema = found
            if superuser:
                raise CommandError(f"{role!r} is a superuser: no grant can restrict it.")
            cursor.execute(
                "SELECT pg_has_role(%s, tableowner, 'MEMBER') FROM pg_tables "
                "WHERE schemaname = current_schema() AND tablename = %s",
                [role, AuditEvent._meta.db_table],
            )
            owns = cursor.fetchone()
            if owns is None:
                raise CommandError("The audit table does not exist yet: run migrate first.")
            if owns[0]:
                raise CommandError(
                    f"{role!r} owns the tables (or is a member of their owner), so it could "
                    "rewrite the audit trail; the application needs a role of its own."
                )
            for statement in grant_statements(
                role=quoted, schema=schema, tables=program_tables(), quote=connection.ops.quote_name
            ):
                cursor.execute(statement)
        self.stdout.write(
            f"{role}: read and write on {len(program_tables())} tables, "
            f"read and append only on {AuditEvent._meta.db_table}."
        )
