"""One size of the benchmark, in its own process and its own scratch database.

`python -m benchmarks.size --size F --out FILE [--only GROUPS]`, with DATABASE_URL naming an
empty PostgreSQL database and DJANGO_SETTINGS_MODULE=benchmarks.settings (the parent,
`benchmarks.__main__`, sets both): migrates, seeds the program at F times size L, runs
VACUUM ANALYZE, measures each group and writes the figures (`results.Figure.as_dict`) and the
harness's own phase times to FILE as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Django is set up in main(), before any of these are used
    from benchmarks.seeding import Seeded
    from post_program.models import Department, User
    from reporting.metrics import Window

ROOT = Path(__file__).resolve().parent.parent
GROUPS = ("report", "dashboards", "submissions", "exports", "import")
REPORT_RUNS = 5
DASHBOARD_WARMUP = 3
DASHBOARD_RUNS = 30
LOCUST_USERS = 8
LOCUST_SECONDS = 20
COLLEAGUES = 20_000  # more than a run submits, so each colleague referral is a new one
GUNICORN_WORKERS = 2
IMPORT_ROWS = 100_000


@dataclass
class Context:
    """What every group measures against: the seeded program and its periods."""

    size: float
    end: date
    seeded: Seeded
    director: User
    lead: User
    department: Department
    five_years: Window
    twelve_months: Window
    last_quarter: Window
    workdir: Path

    def env(self) -> dict[str, str]:
        """The environment of the benchmark's subprocesses (manage.py, gunicorn, locust)."""
        return {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}

    def manage(self, *args: str) -> list[str]:
        return [sys.executable, str(ROOT / "manage.py"), *args]

    def psql(self, script: Path, **variables: str) -> list[str]:
        command = [
            "psql",
            "-X",
            "-q",
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            os.environ["DATABASE_URL"],
        ]
        for name, value in variables.items():
            command += ["-v", f"{name}={value}"]
        return [*command, "-f", str(script)]


def _prepare(size: float, workdir: Path, phases: dict[str, float]) -> Context:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from benchmarks import seeding
    from benchmarks.urls import FLOOR_TABLE_SQL
    from post_program.models import Department, User
    from reporting import metrics

    with _phase(phases, "migrate"):
        call_command("migrate", verbosity=0)
    end = timezone.localdate()
    with _phase(phases, "seed"):
        seeded = seeding.seed(size, end)
    with _phase(phases, "vacuum analyze"), connection.cursor() as cursor:
        cursor.execute(FLOOR_TABLE_SQL)
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
        cursor.execute("VACUUM ANALYZE")
    lead = User.objects.get(email=seeded.lead)
    department = Department.objects.select_related("site").get(leads__user=lead, leads__role="lead")
    return Context(
        size=size,
        end=end,
        seeded=seeded,
        director=User.objects.get(email=seeded.director),
        lead=lead,
        department=department,
        five_years=metrics.trailing_window(end, 12 * seeding.YEARS),
        twelve_months=metrics.trailing_window(end, 12),
        last_quarter=metrics.whole_quarters_before(end, 1),
        workdir=workdir,
    )


@contextmanager
def _phase(phases: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    phases[name] = time.perf_counter() - started
    print(f"  {name}: {phases[name]:.1f} s", flush=True)


# --- The report ---------------------------------------------------------------------------


def _scopes(ctx: Context):
    from reporting.report import PROGRAM_SCOPE, scope_for

    return {
        "program": PROGRAM_SCOPE,
        "site": scope_for(site=ctx.department.site),
        "department": scope_for(departments=[ctx.department]),
    }


def _floor_seconds(period, scope) -> float:
    """The median time of the floor SQL for the period and scope, after checking that it
    computes the report's exact headline figures."""
    from django.conf import settings

    from benchmarks import floors, timing
    from reporting.report import ReAimReport

    def compute() -> dict:
        return floors.headline(
            start=period.start,
            end=period.end,
            department_ids=scope.department_ids,
            deadline_hours=settings.FIRST_CONTACT_DEADLINE_HOURS,
        )

    floors.check(compute(), ReAimReport(period=period, scope=scope).exact)
    return timing.median(timing.samples(compute, REPORT_RUNS))


def measure_report(ctx: Context):
    from benchmarks import seeding, timing
    from benchmarks.results import RATIO_AT_MOST, Figure, Target
    from reporting.report import ReAimReport

    for name, scope in _scopes(ctx).items():

        def build(scope=scope):
            return ReAimReport(period=ctx.five_years, scope=scope).data

        build()
        seconds = timing.median(timing.samples(build, REPORT_RUNS))
        yield Figure(
            f"report, {name}, {seeding.YEARS} years",
            "s",
            seconds,
            _floor_seconds(ctx.five_years, scope),
            Target(RATIO_AT_MOST, 1.5),
        )


# --- Dashboards ---------------------------------------------------------------------------


def measure_dashboards(ctx: Context):
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from benchmarks import timing
    from benchmarks.results import BELOW, SAME_ACROSS_SIZES, Figure, Target
    from post_program import program_settings

    scopes = _scopes(ctx)
    five = ctx.five_years
    pages = [
        (
            "program dashboard, 12 months",
            ctx.director,
            reverse("reporting:program_dashboard") + "?period=last_12_months",
            ctx.twelve_months,
            scopes["program"],
            1.0,
        ),
        (
            "program dashboard, 5 years",
            ctx.director,
            reverse("reporting:program_dashboard")
            + f"?period=custom&start={five.start}&end={five.end}",
            five,
            scopes["program"],
            1.0,
        ),
        (
            "department dashboard, last quarter (lead)",
            ctx.lead,
            reverse("reporting:department_dashboard", kwargs={"pk": ctx.department.pk})
            + "?period=last_quarter",
            ctx.last_quarter,
            scopes["department"],
            0.3,
        ),
    ]
    for name, user, url, period, scope, limit in pages:
        client = Client()
        client.force_login(user)

        def get(client=client, url=url):
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url}: {response.status_code}")

        for _ in range(DASHBOARD_WARMUP):
            get()
        times = timing.samples(get, DASHBOARD_RUNS)
        queries: list[str] = []

        def count(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        # Once a minute a request also renews the session's idle limit and reads the program
        # settings again (one statement each): the count is taken just after both, so that it
        # says what the page itself needs at this size.
        client.force_login(user)
        cache.delete(program_settings.CACHE_KEY)
        program_settings.get()
        with connection.execute_wrapper(count):
            get()
        floor = _floor_seconds(period, scope)
        yield Figure(f"{name}, median", "s", timing.median(times), floor)
        yield Figure(f"{name}, p95", "s", timing.p95(times), floor, Target(BELOW, limit))
        yield Figure(f"{name}, queries", "queries", len(queries), None, Target(SAME_ACROSS_SIZES))


# --- Submissions --------------------------------------------------------------------------


def _physician_accounts(ctx: Context, count: int) -> list[str]:
    """Sign-in accounts for `count` employed physicians of adopting departments, made here
    (with the seed's password, verified email) for the ones that have none."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from post_program.models import Physician, User

    physicians = list(
        Physician.objects.filter(
            user__isnull=True,
            ended_on__isnull=True,
            department__launched_on__isnull=False,
            department__ended_on__isnull=True,
            supporter__isnull=True,
        ).order_by("pk")[:count]
    )
    if len(physicians) < count:
        raise RuntimeError(f"only {len(physicians)} physicians without an account to sign in as")
    password = make_password(ctx.seeded.password)
    emails = []
    for i, physician in enumerate(physicians):
        email = f"bench-physician-{i}@bench.example.org"
        user = User.objects.create(email=email, name=f"Bench physician {i}", password=password)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        physician.user = user
        physician.save(update_fields=["user"])
        emails.append(email)
    return emails


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _gunicorn(ctx: Context) -> Iterator[str]:
    port = _free_port()
    log = (ctx.workdir / "gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(GUNICORN_WORKERS),
            "post_program.wsgi:application",
        ],
        cwd=ROOT,
        env=ctx.env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    host = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{host}/healthz/", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn did not answer on {host}; see {log.name}")
        yield host
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _locust(
    ctx: Context, host: str, user_class: str, accounts: list[str], colleagues: Path | None = None
) -> float:
    """Requests per second of the `submit` requests of a headless Locust run; fails if any
    failed."""
    prefix = ctx.workdir / f"locust-{user_class}"
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--only-summary",
            "-u",
            str(len(accounts)),
            "-r",
            str(len(accounts)),
            "-t",
            f"{LOCUST_SECONDS}s",
            "--host",
            host,
            "--csv",
            str(prefix),
            user_class,
        ],
        env={
            **ctx.env(),
            "BENCH_ACCOUNTS": ",".join(accounts),
            "BENCH_PASSWORD": ctx.seeded.password,
            "BENCH_COLLEAGUES": str(colleagues or ""),
        },
        capture_output=True,
        text=True,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    submit = rows.get("submit")
    failed = sum(int(row["Failure Count"]) for row in rows.values() if row["Name"] != "Aggregated")
    if done.returncode != 0 or submit is None or failed:
        failures = Path(f"{prefix}_failures.csv")
        raise RuntimeError(
            f"locust {user_class}: {failed} failed requests ({done.returncode}):\n"
            + (failures.read_text() if failures.exists() else "")
            + done.stderr[-3000:]
        )
    return float(submit["Requests/s"])


def _colleagues(ctx: Context, accounts: list[str]) -> Path:
    """A file of ids of employed physicians of adopting departments, other than the signed-in
    ones, one a line in a fixed random order: whom `ColleagueReferral` asks support for."""
    from post_program.models import Physician

    ids = list(
        Physician.objects.filter(
            ended_on__isnull=True,
            department__launched_on__isnull=False,
            department__ended_on__isnull=True,
        )
        .exclude(user__email__in=accounts)
        .values_list("pk", flat=True)
    )
    random.Random(2019).shuffle(ids)
    path = ctx.workdir / "colleagues.txt"
    path.write_text("".join(f"{pk}\n" for pk in ids[:COLLEAGUES]))
    return path


def measure_submissions(ctx: Context):
    from benchmarks.results import RATIO_AT_LEAST, Figure, Target

    accounts = _physician_accounts(ctx, LOCUST_USERS)
    colleagues = _colleagues(ctx, accounts)
    with _gunicorn(ctx) as host:
        floor = _locust(ctx, host, "FloorInsert", accounts)
        for user_class, name in (
            ("SelfReferral", "referral submissions, for oneself (joining the open one)"),
            ("ColleagueReferral", "referral submissions, for a colleague (new referrals)"),
        ):
            value = _locust(ctx, host, user_class, accounts, colleagues=colleagues)
            yield Figure(name, "req/s", value, floor, Target(RATIO_AT_LEAST, 0.5))


# --- Exports ------------------------------------------------------------------------------


def _copy_script(ctx: Context, name: str, queries: dict[str, str]) -> Path:
    folder = ctx.workdir / name
    folder.mkdir()
    script = ctx.workdir / f"{name}.sql"
    script.write_text(
        "".join(
            f"\\copy ({query}) TO '{folder / table}.csv' WITH (FORMAT csv, HEADER)\n"
            for table, query in queries.items()
        )
    )
    return script


def _program_tables() -> list[str]:
    from interactions.models import Interaction, Referral
    from post_program.models import Department, Physician
    from surveys.models import Answer, Response
    from training.models import TrainingCompletion

    return [
        model._meta.db_table
        for model in (
            Department,
            Physician,
            TrainingCompletion,
            Referral,
            Interaction,
            Response,
            Answer,
        )
    ]


def measure_exports(ctx: Context):
    from benchmarks import timing
    from benchmarks.results import BELOW, RATIO_AT_MOST, Figure, Target
    from interactions.models import Interaction, Referral
    from post_program.models import Physician

    env = ctx.env()
    export = timing.timed(ctx.manage("export_program", str(ctx.workdir / "export")), env=env)
    copy = timing.timed(
        ctx.psql(
            _copy_script(ctx, "copy", {t: f"SELECT * FROM {t}" for t in _program_tables()})  # noqa: S608
        ),
        env=env,
    )
    yield Figure(
        "export_program, time", "s", export.seconds, copy.seconds, Target(RATIO_AT_MOST, 3)
    )
    yield Figure(
        "export_program, peak memory", "MB", export.peak_mb, copy.peak_mb, Target(BELOW, 200)
    )

    period = ctx.five_years
    between = f"BETWEEN '{period.start}' AND '{period.end}'"
    inputs = _copy_script(
        ctx,
        "report-inputs",
        {
            Interaction._meta.db_table: f"SELECT * FROM {Interaction._meta.db_table} "  # noqa: S608
            f"WHERE occurred_on {between}",
            Referral._meta.db_table: f"SELECT * FROM {Referral._meta.db_table} "  # noqa: S608
            f"WHERE received_at::date {between}",
            Physician._meta.db_table: f"SELECT * FROM {Physician._meta.db_table}",  # noqa: S608
        },
    )
    floor = timing.timed(ctx.psql(inputs), env=env)
    for fmt in ("csv", "xlsx", "pdf"):
        run = timing.timed(
            ctx.manage(
                "reaim_report",
                "--start",
                str(period.start),
                "--end",
                str(period.end),
                "--format",
                fmt,
                "--output",
                str(ctx.workdir / f"report.{fmt}"),
            ),
            env=env,
        )
        yield Figure(f"report export {fmt}, program 5 years, time", "s", run.seconds, floor.seconds)
        yield Figure(
            f"report export {fmt}, program 5 years, peak memory", "MB", run.peak_mb, floor.peak_mb
        )


# --- Import -------------------------------------------------------------------------------


def _interactions_csv(ctx: Context, rows: int) -> Path:
    """`rows` new successful proactive interactions of the seeded program's supporters with
    its roster, over the last five years, as interactions.csv (docs/data-formats.md)."""
    from post_program.models import PeerSupporter, Physician

    rng = random.Random(2019)
    supporters = list(
        PeerSupporter.objects.filter(physician__training_completions__course="initial")
        .values_list("physician__physician_id", flat=True)
        .distinct()
    )
    physicians = list(
        Physician.objects.values_list("physician_id", "department__site__name", "department__name")
    )
    if not supporters or not physicians:
        raise RuntimeError("the seeded program has no trained supporter or no physician")
    days = (ctx.end - ctx.five_years.start).days
    folder = ctx.workdir / "import"
    folder.mkdir()
    path = folder / "interactions.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "interaction_id",
                "occurred_on",
                "supporter_id",
                "physician_id",
                "site",
                "department",
                "duration_minutes",
                "successful",
                "source",
                "modality",
                "escalated",
                "referral_id",
            ]
        )
        for i in range(rows):
            physician_id, site, department = rng.choice(physicians)
            writer.writerow(
                [
                    f"bench-import-{i:06d}",
                    ctx.five_years.start + timedelta(days=rng.randrange(days)),
                    rng.choice(supporters),
                    physician_id,
                    site,
                    department,
                    rng.randint(5, 120),
                    "yes",
                    "proactive",
                    rng.choice(["in_person", "phone", "video", "message"]),
                    rng.choice(["yes", "no", "no", "no"]),
                    "",
                ]
            )
    return path


IMPORT_FLOOR_SQL = """
BEGIN;
CREATE TEMP TABLE staging (
    interaction_id text, occurred_on text, supporter_id text, physician_id text, site text,
    department text, duration_minutes text, successful text, source text, modality text,
    escalated text, referral_id text);
\\copy staging FROM '{file}' WITH (FORMAT csv, HEADER)
INSERT INTO {interaction} (interaction_id, occurred_on, supporter_id, physician_id,
    physician_pseudonym, department_id, duration_minutes, successful, source, modality,
    escalated, escalated_to, topics, follow_up_planned, follow_up_note, referral_id, logged_at)
SELECT s.interaction_id, s.occurred_on::date, ps.id, p.id,
    coalesce(encode(hmac(p.physician_id, :'key', 'sha256'), 'hex'), ''), d.id,
    s.duration_minutes::int, s.successful = 'yes', s.source, coalesce(s.modality, ''),
    coalesce(s.escalated, 'no') = 'yes', '', '[]'::jsonb, false, '', r.id, now()
FROM staging s
JOIN {site} st ON st.name = s.site
JOIN {department} d ON d.site_id = st.id AND d.name = s.department
JOIN {physician} sp ON sp.physician_id = s.supporter_id
JOIN {supporter} ps ON ps.physician_id = sp.id
LEFT JOIN {physician} p ON p.physician_id = s.physician_id
LEFT JOIN {referral} r ON r.referral_id = s.referral_id;
SELECT count(*) FROM {interaction} WHERE interaction_id LIKE 'bench-import-%';
ROLLBACK;
"""


def measure_import(ctx: Context):
    from django.conf import settings

    from benchmarks import timing
    from benchmarks.results import RATIO_AT_MOST, Figure, Target
    from interactions.models import Interaction, Referral
    from post_program.models import Department, PeerSupporter, Physician, Site

    path = _interactions_csv(ctx, IMPORT_ROWS)
    env = ctx.env()
    run = timing.timed(ctx.manage("import_program", "--dry-run", str(path.parent)), env=env)
    if f"interactions.csv: {IMPORT_ROWS} rows, {IMPORT_ROWS} new" not in run.stdout:
        raise RuntimeError(f"import_program did not add every row:\n{run.stdout}")
    script = ctx.workdir / "import-floor.sql"
    script.write_text(
        IMPORT_FLOOR_SQL.format(
            interaction=Interaction._meta.db_table,
            site=Site._meta.db_table,
            department=Department._meta.db_table,
            physician=Physician._meta.db_table,
            supporter=PeerSupporter._meta.db_table,
            referral=Referral._meta.db_table,
            file=str(path).replace("'", "''"),
        )
    )
    floor = timing.timed(ctx.psql(script, key=settings.PSEUDONYM_KEY), env=env)
    if floor.stdout.split() != [str(IMPORT_ROWS)]:
        raise RuntimeError(f"the import floor did not insert every row: {floor.stdout!r}")
    yield Figure(
        f"import {IMPORT_ROWS:,} interactions, time",
        "s",
        run.seconds,
        floor.seconds,
        Target(RATIO_AT_MOST, 2),
    )
    yield Figure(
        f"import {IMPORT_ROWS:,} interactions, peak memory", "MB", run.peak_mb, floor.peak_mb
    )


MEASURES = {
    "report": measure_report,
    "dashboards": measure_dashboards,
    "submissions": measure_submissions,
    "exports": measure_exports,
    "import": measure_import,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.size")
    parser.add_argument("--size", type=float, required=True)
    parser.add_argument("--only", default=",".join(GROUPS))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    import django

    django.setup()
    phases: dict[str, float] = {}
    figures = []
    with tempfile.TemporaryDirectory(prefix="post-bench-") as scratch:
        ctx = _prepare(args.size, Path(scratch), phases)
        for group in args.only.split(","):
            with _phase(phases, group):
                figures += [figure.as_dict() for figure in MEASURES[group](ctx)]
    args.out.write_text(
        json.dumps({"seeder": ctx.seeded.seeder, "figures": figures, "harness_seconds": phases})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
