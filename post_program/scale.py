"""A program at regional scale, for the benchmarks (`manage.py seed_scale`).

The demo builds a two-hospital program through the services; this builds one of any size, fast:
rows are drawn from seeded generators and streamed into the tables (COPY on PostgreSQL, batched
`bulk_create` elsewhere), never held as model objects. Each app writes its own tables in
`<app>/scale.py`, called in settings.LOCAL_APPS order with the same `ScaleContext`; this module
holds the sizes, the context, the writer, and the core's part: sites, departments, the roster,
the peer supporters and a handful of sign-in accounts.
"""

from __future__ import annotations

import json
import random
import time
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from datetime import time as clock
from itertools import islice
from math import cos, floor, pi
from typing import Any

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from . import services
from .demo import DEMO_PASSWORD, FIRST_NAMES, LAST_NAMES, SITES, grant_cast_roles
from .models import Department, PeerSupporter, Physician, RoleAssignment, Site, User

ACCOUNTS = [
    ("director", "director@scale.example.org", "Dana Director"),
    ("coordinator", "coordinator@scale.example.org", "Casey Coordinator"),
    ("lead", "lead@scale.example.org", "Lee Lead"),
    ("supporter", "supporter@scale.example.org", "Sam Supporter"),
]
SPECIALTIES = sorted({name for names in SITES.values() for name in names})
BATCH = 2000  # rows per bulk_create where there is no COPY

# The shape of the program (shares of departments, physicians, supporters).
LAUNCH_SHARE = 0.85  # departments that adopt the program at some point
ENDED_SHARE = 0.08  # of those, departments where it stopped
JOINED_SHARE = 0.12  # physicians who started during the period
LEFT_SHARE = 0.12  # physicians who left during the period
PAUSED_SHARE = 0.05  # supporters who paused


@dataclass(frozen=True)
class ScaleSizes:
    """How many rows of each kind. `L` is the regional program the benchmarks use."""

    sites: int
    departments: int
    physicians: int
    supporters: int
    interactions: int
    referrals: int
    responses: int

    def scaled(self, factor: float) -> ScaleSizes:
        """Every size times `factor`, with at least one site, department and physician."""
        values = {f.name: round(getattr(self, f.name) * factor) for f in fields(self)}
        for name in ("sites", "departments", "physicians"):
            values[name] = max(1, values[name])
        values["departments"] = max(values["departments"], values["sites"])
        return replace(self, **values)


L = ScaleSizes(
    sites=20,
    departments=400,
    physicians=100_000,
    supporters=4_000,
    interactions=1_000_000,
    referrals=300_000,
    responses=100_000,
)


@dataclass(frozen=True)
class DepartmentPlan:
    """A department as the later apps draw from it: its id, its site and its dates."""

    pk: int
    site_index: int
    launched_on: date | None
    ended_on: date | None
    size: int = 0  # physicians on its roster

    def adopted_until(self, end: date) -> date:
        return min(self.ended_on or end, end)


@dataclass(frozen=True)
class SupporterPlan:
    pk: int
    physician_index: int
    department_index: int
    activated_on: date


@dataclass
class Timing:
    table: str
    rows: int
    seconds: float


@dataclass
class ScaleContext:
    """What each app's scale seeder shares: sizes, the period, the seed and what was built.

    Physicians are kept as compact arrays indexed from 0 (their ids are `physician_first_pk`
    onwards); dates as ordinals, 0 for none."""

    sizes: ScaleSizes
    end: date
    years: int
    seed: int
    timings: list[Timing] = field(default_factory=list)
    accounts: dict[str, User] = field(default_factory=dict)
    departments: list[DepartmentPlan] = field(default_factory=list)
    site_pks: list[int] = field(default_factory=list)
    physician_first_pk: int = 1
    physician_department: array = field(default_factory=lambda: array("i"))
    physician_started: array = field(default_factory=lambda: array("i"))
    physician_ended: array = field(default_factory=lambda: array("i"))
    supporters: list[SupporterPlan] = field(default_factory=list)
    # Filled by training: for each supporter index, the first day their training is no
    # longer current (None when it stays current to the end).
    training_lapses_on: dict[int, date] = field(default_factory=dict)

    @property
    def start(self) -> date:
        return self.end - relativedelta(years=self.years) + timedelta(days=1)

    @property
    def end_at(self) -> datetime:
        """The program's clock stops at midnight starting the end day: no time is later."""
        return local_at(self.end, 0)

    @property
    def last_day(self) -> date:
        """The last day before the clock stops."""
        return self.end - timedelta(days=1)

    def rng(self, name: str) -> random.Random:
        """Dice of one app's own, so that one part can change without moving the others."""
        return random.Random(f"{name}:{self.seed}")

    def physician_id(self, index: int) -> str:
        return f"S{self.physician_first_pk + index:06d}"

    def employed_on(self, index: int, ordinal: int) -> bool:
        started, ended = self.physician_started[index], self.physician_ended[index]
        return (not started or started <= ordinal) and (not ended or ended >= ordinal)

    def timed(self, table: str, rows: int, started: float) -> None:
        self.timings.append(Timing(table, rows, time.perf_counter() - started))


def local_at(day: date, hour: float) -> datetime:
    """`hour` (fractions allowed) of `day` in the program's time zone."""
    return timezone.make_aware(datetime.combine(day, clock())) + timedelta(hours=hour)


def next_pk(model: type[models.Model]) -> int:
    """The first free id of a table: rows are written with their ids, so that the rows of
    later tables can point at them without reading them back."""
    return (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def write(
    ctx: ScaleContext,
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """Stream `rows` (tuples of `columns`, by field name) into `model`'s table and return how
    many: COPY on PostgreSQL, `bulk_create` in batches elsewhere. JSON values are lists,
    given as tuples. When the rows carry ids, the table's sequence is moved past them.

    The rows are drawn while the connection is busy writing: drawing them must not query
    (on PostgreSQL such a query would wait for the COPY forever), and one that does fails at
    once, on every backend."""
    started = time.perf_counter()
    rows = _drawn_without_queries(rows, model)
    meta = model._meta
    json_at = [
        i for i, name in enumerate(columns) if isinstance(meta.get_field(name), models.JSONField)
    ]
    count = 0
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        column_of = {f.attname: f.column for f in meta.concrete_fields if f.column}
        # The fields the rows leave out take their constant defaults, as an ORM write would
        # (a column COPY is not given is NULL).
        fixed = {
            f.attname: f.get_default()
            for f in meta.concrete_fields
            if f.column
            and not f.primary_key
            and f.attname not in columns
            and not (f.has_default() and callable(f.default))
        }
        statement = "COPY {} ({}) FROM STDIN".format(
            quote(meta.db_table), ", ".join(quote(column_of[c]) for c in [*columns, *fixed])
        )
        tail = list(fixed.values())
        encoded: dict[tuple, str] = {}
        with connection.cursor() as cursor:
            rebuild = _drop_secondary_indexes(cursor, meta.db_table)
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:
                            value = row[i]
                            if value not in encoded:
                                encoded[value] = json.dumps(list(value))
                            row[i] = encoded[value]
                    copy.write_row([*row, *tail] if tail else row)
                    count += 1
            if rebuild:
                # An index cannot be built while the rows' foreign keys wait to be checked
                # at commit: check them now, then defer again.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                for definition in rebuild:
                    cursor.execute(definition)
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH)):
            objects = []
            for row in batch:
                values = dict(zip(columns, row, strict=True))
                for i in json_at:
                    values[columns[i]] = list(row[i])
                objects.append(model(**values))
            model._default_manager.bulk_create(objects)
            count += len(objects)
    if "id" in columns:
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)
    ctx.timed(meta.db_table, count, started)
    return count


DRAWN_AT_ONCE = 1000


def _drawn_without_queries(rows: Iterable[Sequence[Any]], model) -> Iterator[Sequence[Any]]:
    """``rows``, refusing any query made while drawing them (a thousand at a time)."""

    def refuse(execute, sql, params, many, context):
        raise RuntimeError(
            f"drawing the rows of {model.__name__} queried the database ({sql[:60]}…): read "
            "what the rows need before writing them"
        )

    iterator = iter(rows)
    while True:
        with connection.execute_wrapper(refuse):
            drawn = list(islice(iterator, DRAWN_AT_ONCE))
        if not drawn:
            return
        yield from drawn


def _drop_secondary_indexes(cursor, table: str) -> list[str]:
    """Drop the table's indexes that check nothing (not unique, not the primary key) and
    return the statements that build them again: building an index once after the load is
    several times faster than keeping it up to date row by row (a million interactions:
    about 10 s against 75 s). The unique ones stay, so every row is still checked."""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid"
        " WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _, definition in indexes]


def analyze(ctx: ScaleContext, tables: Iterable[str]) -> None:
    """Fresh planner statistics for the tables just filled (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    ctx.timed("(analyze)", 0, started)


def seasonal(day: date) -> float:
    """More difficult events in winter, fewer on weekends."""
    winter = 1 + 0.25 * cos(2 * pi * (day.timetuple().tm_yday - 15) / 365.25)
    return winter * (0.6 if day.weekday() >= 5 else 1.0)


def spread(
    rng: random.Random, total: int, start: date, end: date, weight: Callable[[date], float]
) -> Iterator[tuple[date, int]]:
    """`total` events over the days of [start, end], day by day, each day's share following
    `weight` with some noise; the counts add up to `total` exactly (systematic sampling)."""
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    weights = [weight(day) * rng.lognormvariate(0, 0.25) for day in days]
    mass = sum(weights)
    if total <= 0 or mass <= 0:
        return
    offset, cumulative, taken = rng.random(), 0.0, 0
    last = max(n for n, w in enumerate(weights) if w > 0)
    for n, (day, w) in enumerate(zip(days, weights, strict=True)):
        cumulative += w * total / mass
        reached = total if n == last else min(total, floor(cumulative + offset))
        if reached > taken:
            yield day, reached - taken
            taken = reached


class WeightedPick:
    """Draw indices with the given weights, fast: one bisect per draw."""

    def __init__(self, items: Sequence[int], weights: Sequence[float]):
        self.items = list(items)
        self.cumulative: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self.cumulative.append(total)
        self.total = total

    def __bool__(self) -> bool:
        return self.total > 0

    def pick(self, rng: random.Random) -> int:
        index = bisect_right(self.cumulative, rng.random() * self.total)
        return self.items[min(index, len(self.items) - 1)]


# --- The core's part ------------------------------------------------------------------------


def seed(ctx: ScaleContext) -> None:
    rng = ctx.rng("post_program")
    _sites_and_departments(ctx, rng)
    _physicians(ctx, rng)
    _supporters(ctx, rng)
    _accounts(ctx)
    analyze(ctx, ["post_program_site", "post_program_department", "post_program_physician"])


def _sites_and_departments(ctx: ScaleContext, rng: random.Random) -> None:
    sizes, start, end = ctx.sizes, ctx.start, ctx.end
    first_site = next_pk(Site)
    ctx.site_pks = [first_site + n for n in range(sizes.sites)]
    write(
        ctx,
        Site,
        ["id", "name"],
        ((pk, f"Regional Medical Center {n + 1:02d}") for n, pk in enumerate(ctx.site_pks)),
    )
    # Launches spread over the first four fifths of the period, more of them early; the first
    # department of every site launches on the first day, so each site runs the program.
    span = (end - start).days
    first_department = next_pk(Department)
    rows = []
    in_site: dict[int, int] = {}
    for n in range(sizes.departments):
        site_index = n * sizes.sites // sizes.departments
        rank = in_site.get(site_index, 0)
        in_site[site_index] = rank + 1
        name = SPECIALTIES[rank % len(SPECIALTIES)]
        if rank >= len(SPECIALTIES):
            name = f"{name} {rank // len(SPECIALTIES) + 1}"
        launched_on = ended_on = None
        if rank == 0:
            launched_on = start
        elif rng.random() < LAUNCH_SHARE:
            launched_on = start + timedelta(days=int(span * 0.8 * rng.betavariate(1.2, 2)))
            if rng.random() < ENDED_SHARE and (end - launched_on).days > 240:
                ended_on = launched_on + timedelta(
                    days=rng.randrange(180, (end - launched_on).days - 30)
                )
        plan = DepartmentPlan(first_department + n, site_index, launched_on, ended_on)
        ctx.departments.append(plan)
        rows.append((plan.pk, ctx.site_pks[site_index], name, launched_on, ended_on))
    write(ctx, Department, ["id", "site_id", "name", "launched_on", "ended_on"], rows)


def _physicians(ctx: ScaleContext, rng: random.Random) -> None:
    """The roster: department sizes that vary, some who joined and some who left."""
    start, end = ctx.start, ctx.end
    span = (end - start).days
    pick = WeightedPick(
        range(len(ctx.departments)),
        [rng.lognormvariate(0, 0.5) for _ in ctx.departments],
    )
    counts = [0] * len(ctx.departments)
    ctx.physician_first_pk = next_pk(Physician)

    def rows():
        for index in range(ctx.sizes.physicians):
            department = index if index < len(counts) else pick.pick(rng)
            counts[department] += 1
            started_on = ended_on = None
            dice = rng.random()
            if dice < JOINED_SHARE:
                started_on = start + timedelta(days=rng.randrange(span))
            elif dice < JOINED_SHARE + LEFT_SHARE:
                ended_on = start + timedelta(days=rng.randrange(span))
            ctx.physician_department.append(department)
            ctx.physician_started.append(started_on.toordinal() if started_on else 0)
            ctx.physician_ended.append(ended_on.toordinal() if ended_on else 0)
            pk = ctx.physician_first_pk + index
            yield (
                pk,
                ctx.physician_id(index),
                ctx.departments[department].pk,
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                f"s{pk:06d}@scale.example.org",
                started_on,
                ended_on,
            )

    columns = ["id", "physician_id", "department_id", "name", "email", "started_on", "ended_on"]
    write(ctx, Physician, columns, rows())
    ctx.departments = [replace(d, size=n) for d, n in zip(ctx.departments, counts, strict=True)]


def _supporters(ctx: ScaleContext, rng: random.Random) -> None:
    """Supporters in the adopting departments, in proportion to their rosters, activated in
    the months after their department launched; still employed at the end."""
    adopters = [i for i, d in enumerate(ctx.departments) if d.launched_on and d.size]
    roster: dict[int, list[int]] = {i: [] for i in adopters}
    for index, department in enumerate(ctx.physician_department):
        if department in roster and not ctx.physician_ended[index]:
            roster[department].append(index)
    pick = WeightedPick(adopters, [len(roster[i]) for i in adopters])
    wanted = min(ctx.sizes.supporters, sum(len(r) for r in roster.values()))
    # The lead department (the first) gets the first supporter: the supporter account's.
    chosen: list[tuple[int, int]] = []
    taken: set[int] = set()
    while len(chosen) < wanted:
        department = 0 if not chosen and roster.get(0) else pick.pick(rng)
        candidates = roster[department]
        if not candidates:
            continue
        index = candidates[rng.randrange(len(candidates))]
        if index not in taken:
            taken.add(index)
            chosen.append((department, index))
    first_pk = next_pk(PeerSupporter)
    rows = []
    for n, (department, index) in enumerate(chosen):
        plan = ctx.departments[department]
        launched = plan.launched_on or ctx.start
        started = ctx.physician_started[index]
        earliest = max(launched, date.fromordinal(started) if started else launched)
        activated_on = min(ctx.end, earliest + timedelta(days=rng.randrange(0, 150)))
        if n == 0:
            activated_on = min(ctx.end, earliest + timedelta(days=30))
        status = PeerSupporter.Status.ACTIVE
        if n and rng.random() < PAUSED_SHARE:
            status = PeerSupporter.Status.PAUSED
        ctx.supporters.append(SupporterPlan(first_pk + n, index, department, activated_on))
        rows.append(
            (
                first_pk + n,
                ctx.physician_first_pk + index,
                status,
                True,
                rng.choice([2, 3, 3, 4, 5]),
                "",
                activated_on,
            )
        )
    columns = [
        "id",
        "physician_id",
        "status",
        "accepting_referrals",
        "caseload_cap",
        "bio",
        "activated_on",
    ]
    write(ctx, PeerSupporter, columns, rows)


def _accounts(ctx: ScaleContext) -> None:
    """The sign-in accounts, with the demo's password: a director, a coordinator of the first
    site, a lead of its first department, and the first supporter's account."""
    started = time.perf_counter()
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow by design
    for role, email, name in ACCOUNTS:
        user = User.objects.create(email=email, password=password, name=name)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        ctx.accounts[role] = user
    director = ctx.accounts["director"]
    services.role_grant(actor=None, user=director, role=RoleAssignment.Role.DIRECTOR)
    lead_department = Department.objects.select_related("site").get(pk=ctx.departments[0].pk)
    grant_cast_roles(ctx.accounts, lead_department=lead_department)
    if ctx.supporters:
        Physician.objects.filter(
            pk=ctx.physician_first_pk + ctx.supporters[0].physician_index
        ).update(user=ctx.accounts["supporter"])
    ctx.timed("(accounts)", len(ACCOUNTS), started)
