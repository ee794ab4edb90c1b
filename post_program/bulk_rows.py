"""Many rows read by key and written at once: what an import (`import_export`) does with its
files' rows, at a cost that follows the files and not the database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection
from psycopg.adapt import PyFormat, Transformer

# Keys in one query when an import reads the rows its files name: within SQLite's limit on
# parameters, and few enough for PostgreSQL to look each up in the key's index.
LOOKUP_CHUNK = 500


def matching(queryset, key: str, keys: Iterable[Any]) -> Iterator[Any]:
    """The rows of `queryset` (a `values()` or `values_list()` one) whose `key` is one of `keys`,
    in no particular order: an import reads the rows its files name, never a whole table, so its
    cost follows the files and not the database."""
    wanted = list(dict.fromkeys(value for value in keys if value is not None))
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        yield from queryset.filter(**{f"{key}__in": chunk}).order_by()


def with_changes(model, stored: dict[str, Any], values: dict[str, Any]):
    """The `stored` row (its pk and fields, as `values()` reads them) with `values` over it, as
    an instance of `model` to `bulk_update`; None when no value differs."""
    if all(stored[name] == value for name, value in values.items()):
        return None
    return model(**{**stored, **values})


def insert_rows(model, rows: list[dict[str, Any]]) -> None:
    """Insert new rows of `model`, each as its fields' values by attname (every row naming the
    same fields; the others take their defaults). On PostgreSQL this is one COPY of the values
    as they are (dates, numbers, text and ids, which the database takes without Django's
    preparation), without model instances, so that a large file writes at about the speed of
    the database; elsewhere it is `bulk_create`."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        return
    given = list(rows[0])
    defaults = {
        field.attname: field.get_db_prep_save(field.get_default(), connection)
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname not in given
    }
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column)
        for name in [*given, *defaults]
    )
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        # The defaults as the text COPY sends, dumped once rather than once a row.
        transformer = Transformer(cursor.connection)
        fixed = [_copy_text(transformer, value) for value in defaults.values()]
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([*map(row.__getitem__, given), *fixed])


def _copy_text(transformer, value: Any) -> str | None:
    """A value as the text COPY sends for it (None for NULL)."""
    dumped = None if value is None else transformer.get_dumper(value, PyFormat.TEXT).dump(value)
    return None if dumped is None else bytes(dumped).decode()
