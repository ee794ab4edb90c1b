"""Keeping the monthly rollups (``interactions.models.rollup``) equal to the raw rows.

A row's *counts* are what it adds to the rollup's cells, computed here and nowhere else. Every
ORM save or delete of an interaction or a referral moves its counts, in the same transaction,
from the cells it was in (the values read from the database) to the ones it is in now, as
increments (``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n``): concurrent writers of
the same cell add up instead of overwriting each other. The import moves the counts of the rows
it writes in bulk (``rollup_rows_written``); the seeders and ``manage.py rollup_rebuild`` count
every row again (``rollup_rebuild``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from post_program.bulk_rows import insert_rows

from ..models import (
    Interaction,
    InteractionMinutes,
    InteractionMonth,
    Referral,
    ReferralContactHours,
    ReferralMonth,
    RolledUp,
    Status,
    SupporterMonth,
)

Cell = tuple[type[models.Model], tuple[Any, ...]]
"""A rollup model and the values of its key (department id, month[, minutes or hours])."""
Counts = dict[Cell, dict[str, int]]

KEYS: dict[type[models.Model], tuple[str, ...]] = {
    InteractionMonth: ("department_id", "month"),
    InteractionMinutes: ("department_id", "month", "minutes"),
    SupporterMonth: ("supporter_id", "month"),
    ReferralMonth: ("department_id", "month"),
    ReferralContactHours: ("department_id", "month", "hours"),
}
ROLLUPS: dict[type[RolledUp], tuple[type[models.Model], ...]] = {
    Interaction: (InteractionMonth, InteractionMinutes, SupporterMonth),
    Referral: (ReferralMonth, ReferralContactHours),
}
"""The rollups each raw model counts in."""

UPSERT_BATCH = 500
"""Cells per statement, within the databases' limits on parameters."""


def month_of(day: date) -> date:
    return day.replace(day=1)


def received_month(received_at: datetime) -> date:
    """The month of a referral's receipt, in UTC."""
    return month_of(received_at.astimezone(UTC).date())


def day_start(day: date) -> datetime:
    """Midnight starting ``day`` in the program's time zone (the ``TIME_ZONE`` setting)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def month_start(month: date) -> datetime:
    """The instant a referral month starts (UTC midnight of its first day)."""
    return datetime.combine(month, time.min, tzinfo=UTC)


def contact_hours(received_at: datetime, first_contact_at: datetime) -> int:
    """Whole hours from receipt to first contact, rounded up (exactly, in microseconds)."""
    return -(-(first_contact_at - received_at) // timedelta(microseconds=1) // 3_600_000_000)


def interaction_counts(values: tuple[Any, ...]) -> Counts:
    """What one interaction counts (its ``rollup_fields`` values)."""
    department_id, supporter_id, occurred_on, successful, source, escalated, minutes = values
    month = month_of(occurred_on)
    cell = {"logged": 1}
    counts: Counts = {(InteractionMonth, (department_id, month)): cell}
    if successful:
        cell["successful"] = 1
        cell[f"source_{source}"] = 1
        if escalated:
            cell["escalated"] = 1
        counts[InteractionMinutes, (department_id, month, minutes)] = {"n": 1}
        counts[SupporterMonth, (supporter_id, month)] = {"successful": 1}
    return counts


def referral_counts(values: tuple[Any, ...]) -> Counts:
    """What one referral counts (its ``rollup_fields`` values)."""
    department_id, received_at, source, first_contact_at, status, outcome = values
    month = received_month(received_at)
    cell = {"received": 1, f"source_{source}": 1}
    counts: Counts = {(ReferralMonth, (department_id, month)): cell}
    if status != Status.CLOSED:
        cell["outcome_open"] = 1
    elif outcome:
        cell[f"outcome_{outcome}"] = 1
    if first_contact_at is not None:
        cell["contacted"] = 1
        hours = contact_hours(received_at, first_contact_at)
        counts[ReferralContactHours, (department_id, month, hours)] = {"n": 1}
    return counts


COUNTS = {Interaction: interaction_counts, Referral: referral_counts}


def _add(total: Counts, counts: Counts, sign: int = 1) -> None:
    for cell, values in counts.items():
        into = total.setdefault(cell, {})
        for name, n in values.items():
            into[name] = into.get(name, 0) + sign * n


def _count_columns(rollup: type[models.Model]) -> list[str]:
    """The counts of ``rollup`` (their columns are their names, as are the keys')."""
    keys = KEYS[rollup]
    return [
        f.attname
        for f in rollup._meta.concrete_fields
        if not f.primary_key and f.attname not in keys
    ]


def _upsert(rollup: type[models.Model], cells: list[tuple[tuple[Any, ...], dict[str, int]]]):
    """Add ``cells``' counts to ``rollup`` in one statement: on PostgreSQL one array per
    column (``unnest``), whatever the number of cells; elsewhere a row of values per cell."""
    keys = KEYS[rollup]
    columns = _count_columns(rollup)
    quote = connection.ops.quote_name
    table = quote(rollup._meta.db_table)
    names = [*keys, *columns]
    rows = [(*key, *(values.get(c, 0) for c in columns)) for key, values in cells]
    if connection.vendor == "postgresql":
        types = [rollup._meta.get_field(name).db_type(connection) for name in names]
        casts = ", ".join(f"%s::{t}[]" for t in types)  # the models' own column types
        source = f"SELECT * FROM unnest({casts})"  # noqa: S608  # nosec B608
        params: list[Any] = [list(column) for column in zip(*rows, strict=True)]
    else:
        source = "VALUES " + ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(rows))
        params = [
            connection.ops.adapt_datefield_value(v) if isinstance(v, date) else v
            for row in rows
            for v in row
        ]
    # Table and column names come from the models, never from input; values are parameters.
    names_sql = ", ".join(quote(c) for c in names)
    keys_sql = ", ".join(quote(c) for c in keys)
    added = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in columns)
    sql = (
        f"INSERT INTO {table} ({names_sql}) {source} "  # nosec B608
        f"ON CONFLICT ({keys_sql}) DO UPDATE SET {added}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rollup_apply(counts: Counts) -> None:
    """Add ``counts`` (negative to take away) to the rollups, one statement per rollup (in
    batches where the database limits the parameters of a statement)."""
    by_rollup: dict[type[models.Model], dict[tuple[Any, ...], dict[str, int]]] = defaultdict(dict)
    for (rollup, key), values in counts.items():
        if any(values.values()):
            by_rollup[rollup][key] = values
    batch = None if connection.vendor == "postgresql" else UPSERT_BATCH
    for rollup, cells in by_rollup.items():
        items = sorted(cells.items())  # in key order: the upserts walk the index in order
        for first in range(0, len(items), batch or len(items)):
            _upsert(rollup, items[first : first + (batch or len(items))])


def rollup_moved(model: type[RolledUp], before: Iterable, after: Iterable) -> None:
    """Move the counts of rows from their values ``before`` to their values ``after``
    (``rollup_fields`` tuples; either side may be empty for rows added or removed)."""
    count = COUNTS[model]
    total: Counts = {}
    for values in before:
        _add(total, count(values), -1)
    for values in after:
        _add(total, count(values))
    rollup_apply(total)


def rollup_rows_written(
    model: type[RolledUp], *, replaced: Iterable[Mapping[str, Any]], written: Iterable
) -> None:
    """After a bulk write of ``model``: the rows ``written`` (instances, or values by attname)
    replaced the stored rows ``replaced`` (values by attname) and added the others."""
    fields = model.rollup_fields
    rollup_moved(
        model,
        [tuple(row[name] for name in fields) for row in replaced],
        [
            row.rollup_current() if isinstance(row, RolledUp) else tuple(row[n] for n in fields)
            for row in written
        ],
    )


# --- ORM writes (connected in apps.ready) ---------------------------------------------------


def _values_in_database(instance: RolledUp) -> tuple[Any, ...] | None:
    model = type(instance)
    return model._default_manager.filter(pk=instance.pk).values_list(*model.rollup_fields).first()


def before_save(sender, instance: RolledUp, raw=False, update_fields=None, **kwargs) -> None:
    """A row saved without the values it was read with (built by hand, or read with deferred
    fields) reads them now, so that its save can move its counts."""
    if raw or instance._state.adding or instance.rollup_values is not None:
        return
    if update_fields is not None and not set(update_fields) & _counted_names(sender):
        return
    instance.rollup_values = _values_in_database(instance)


def after_save(sender, instance: RolledUp, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and not set(update_fields) & _counted_names(sender):
        return
    before = [] if created or instance.rollup_values is None else [instance.rollup_values]
    # A row with deferred fields saved only those it had: the others are in the database.
    instance.rollup_values = instance.rollup_current() or _values_in_database(instance)
    after = [instance.rollup_values]
    if before != after:
        rollup_moved(sender, before, after)


def after_delete(sender, instance: RolledUp, **kwargs) -> None:
    values = instance.rollup_values or instance.rollup_current()
    if values is not None:
        rollup_moved(sender, [values], [])


def _counted_names(model) -> set[str]:
    """``rollup_fields`` as ``update_fields`` may name them (attribute or field names)."""
    return {*model.rollup_fields, *(name.removesuffix("_id") for name in model.rollup_fields)}


# --- Bulk writers and the rebuild ----------------------------------------------------------


def _count_all(model: type[RolledUp]) -> None:
    """Count every raw row of ``model`` again into its rollups, replacing their rows."""
    total: Counts = {}
    rows = model._default_manager.order_by().values_list(*model.rollup_fields)
    for values in rows.iterator(chunk_size=5000):
        _add(total, COUNTS[model](values))
    for rollup in ROLLUPS[model]:
        rollup._default_manager.all().delete()
        keys = KEYS[rollup]
        insert_rows(
            rollup,
            [
                {**dict(zip(keys, key, strict=True)), **_all_counts(rollup, values)}
                for (kind, key), values in total.items()
                if kind is rollup
            ],
        )


def _all_counts(rollup: type[models.Model], values: dict[str, int]) -> dict[str, int]:
    """Every count column of ``rollup``, as ``insert_rows`` wants each row to name them."""
    return {name: values.get(name, 0) for name in _count_columns(rollup)}


def _lock(model: type[RolledUp]) -> None:
    """Hold off other writers of ``model``'s rollups until this transaction ends (PostgreSQL;
    SQLite has one writer at a time). Increments made before wait for their transactions."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(r._meta.db_table) for r in ROLLUPS[model])
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


@transaction.atomic
def rollup_rebuild() -> dict[str, int]:
    """Build every rollup again from the raw rows; returns the rows written per rollup."""
    for model in ROLLUPS:
        _lock(model)
        _count_all(model)
    return {
        rollup._meta.label: rollup._default_manager.count()
        for rollups in ROLLUPS.values()
        for rollup in rollups
    }


def rollup_build_after_migrate(**kwargs) -> None:
    """``migrate`` builds the rollups of a database whose rows were never counted (one that
    had them before the rollups existed)."""
    if any(
        model._default_manager.exists() and not rollup._default_manager.exists()
        for model, rollups in ROLLUPS.items()
        for rollup in rollups
    ):
        rollup_rebuild()
