"""The monthly rollups: the report read from them equals the report read from the raw rows,
for random periods and scopes, and every way of writing a row keeps them equal to a rebuild."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from interactions.models import (
    Interaction,
    InteractionMinutes,
    InteractionMonth,
    Referral,
    ReferralContactHours,
    ReferralMonth,
    SupporterMonth,
)
from interactions.services import interaction_log
from interactions.services.rollup import contact_hours, day_start, rollup_rebuild
from post_program.models import Department, PeerSupporter, Site
from reporting import metrics, selectors
from reporting.report import ReAimReport, scope_for
from tests.factories import DepartmentFactory, PeerSupporterFactory

from .factories import make_interaction, make_referral

TODAY = date(2026, 6, 30)
ROLLUPS = (
    InteractionMonth,
    InteractionMinutes,
    SupporterMonth,
    ReferralMonth,
    ReferralContactHours,
)


def counted_rows() -> dict[str, set[tuple]]:
    """The rollups' rows without the zeros: what a rebuild writes."""
    result = {}
    for rollup in ROLLUPS:
        names = [f.attname for f in rollup._meta.concrete_fields if not f.primary_key]
        keys = ("department_id", "supporter_id", "month", "minutes", "hours")
        count_names = [n for n in names if n not in keys]
        result[rollup.__name__] = {
            row
            for row in rollup.objects.values_list(*names)
            if any(dict(zip(names, row, strict=True))[n] for n in count_names)
        }
    return result


def raw_report(monkeypatch, **kwargs) -> dict:
    """The report with no month read from a rollup."""
    with monkeypatch.context() as patch:
        patch.setattr(
            metrics, "month_split", lambda period, cuts=(): metrics.MonthSplit([], [period])
        )
        patch.setattr(
            selectors,
            "_referral_months",
            lambda start, end: ([], [(day_start(start), day_start(end + timedelta(days=1)))]),
        )
        return ReAimReport(**kwargs).exact


def without_time(report: dict) -> dict:
    return {key: value for key, value in report.items() if key != "generated_at"}


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", "--today", TODAY.isoformat(), stdout=StringIO())


def _scope(rng: random.Random):
    choice = rng.randrange(3)
    if choice == 0:
        return scope_for()
    if choice == 1:
        return scope_for(site=rng.choice(list(Site.objects.all())))
    departments = list(Department.objects.select_related("site"))
    return scope_for(departments=rng.sample(departments, rng.randint(1, 4)))


def _period(rng: random.Random) -> metrics.Window:
    first = date(2022, 1, 1)
    start = first + timedelta(days=rng.randrange((TODAY - first).days))
    if rng.random() < 0.4:  # whole months, as dashboards ask
        start = start.replace(day=1)
    end = start + timedelta(days=rng.randrange(1, 4 * 365))
    return metrics.Window(start, min(end, TODAY))


def test_the_report_from_rollups_equals_the_raw_computation(demo, monkeypatch):
    rng = random.Random(2019)
    periods = [
        metrics.Window(date(2023, 7, 1), TODAY),  # whole months and quarters
        metrics.Window(date(2024, 2, 29), date(2026, 2, 28)),  # years cut months
        metrics.Window(date(2025, 3, 1), date(2025, 3, 31)),  # one month
        metrics.Window(date(2025, 3, 15), date(2025, 3, 15)),  # one day
        *(_period(rng) for _ in range(20)),
    ]
    read = 0
    for period in periods:
        scope = _scope(rng)
        from_rollups = ReAimReport(period=period, scope=scope).exact
        assert without_time(from_rollups) == without_time(
            raw_report(monkeypatch, period=period, scope=scope)
        ), (period, scope)
        read += bool(metrics.month_split(period).months)
    assert read >= 15  # most periods did read months from the rollups


def test_every_way_of_writing_keeps_the_rollups_equal_to_a_rebuild(demo, monkeypatch):
    supporter = PeerSupporter.objects.filter(physician__user__email="supporter@example.org").get()
    department = supporter.physician.department
    # The interaction log's service, the ORM (create, change of counted fields, delete).
    logged = interaction_log(
        actor=supporter.physician.user,
        supporter=supporter,
        occurred_on=TODAY - timedelta(days=40),
        duration_minutes=35,
        successful=True,
        modality="phone",
        topics=["other"],
        department=department,
        today=TODAY,
    )
    other = DepartmentFactory(site=department.site, launched_on=date(2022, 1, 1))
    made = make_interaction(
        department=other, supporter=supporter, occurred_on=date(2025, 5, 31), duration_minutes=50
    )
    made.duration_minutes = 55
    made.occurred_on = date(2025, 6, 1)
    made.save()
    moved = Interaction.objects.only("pk").get(pk=logged.pk)  # read without its counted fields
    moved.department = other
    moved.escalated = True
    moved.save()
    Interaction.objects.filter(successful=True).order_by("pk").first().delete()
    # Referrals: created, contacted, closed and reopened, moved, deleted.
    at = timezone.make_aware(datetime.combine(date(2025, 4, 30), time(23, 30)))
    referral = make_referral(other, at, "self", contact_hours=5)
    referral.status = "closed"
    referral.outcome = "supported"
    referral.closed_at = at + timedelta(days=2)
    referral.save(update_fields=["status", "outcome", "closed_at"])
    referral = Referral.objects.get(pk=referral.pk)
    referral.first_contact_at = at + timedelta(hours=30)
    referral.department = department
    referral.save()
    make_referral(other, at, "event").delete()
    Referral.objects.filter(status="closed").order_by("pk").first().save(update_fields=["note"])

    kept = counted_rows()
    rollup_rebuild()
    rebuilt = counted_rows()
    assert {n: kept[n] ^ rebuilt[n] for n in kept} == {n: set() for n in kept}
    period = metrics.Window(date(2025, 1, 1), TODAY)
    for scope in (scope_for(), scope_for(departments=[other]), scope_for(site=department.site)):
        assert without_time(ReAimReport(period=period, scope=scope).exact) == without_time(
            raw_report(monkeypatch, period=period, scope=scope)
        )


def test_import_keeps_the_rollups_equal_to_a_rebuild(demo, tmp_path):
    call_command("export_program", str(tmp_path), "--identified", stdout=StringIO())
    text = (tmp_path / "interactions.csv").read_text()
    header, *lines = text.splitlines()
    # Every interaction a day later and five minutes longer: rows move between months.
    columns = header.split(",")
    day, minutes = columns.index("occurred_on"), columns.index("duration_minutes")
    changed = []
    for line in lines:
        cells = line.split(",")
        if len(cells) == len(columns) and cells[minutes].isdigit() and int(cells[minutes]) > 0:
            cells[day] = (date.fromisoformat(cells[day]) + timedelta(days=1)).isoformat()
            cells[minutes] = str(int(cells[minutes]) + 5)
        changed.append(",".join(cells))
    (tmp_path / "interactions.csv").write_text("\n".join([header, *changed]) + "\n")
    before = counted_rows()
    call_command("import_program", str(tmp_path), stdout=StringIO())
    kept = counted_rows()
    assert kept != before
    rollup_rebuild()
    assert counted_rows() == kept


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
def test_the_referral_rollups_hold_in_any_time_zone(demo, settings, monkeypatch, zone):
    """Referral months are UTC months: a program in another zone reads them as they are,
    with the hours of its period outside whole UTC months read raw."""
    settings.TIME_ZONE = zone
    department = Department.objects.order_by("pk").first()
    first = datetime(2025, 3, 1, tzinfo=timezone.get_default_timezone())
    for hours in (-13, -1, 0, 1, 13):  # both sides of local and UTC month boundaries
        make_referral(department, first + timedelta(hours=hours), "self", contact_hours=3)
    for period in (
        metrics.Window(date(2025, 3, 1), date(2025, 5, 31)),
        metrics.Window(date(2024, 12, 1), date(2025, 2, 28)),
        metrics.Window(date(2024, 7, 1), TODAY),
    ):
        referrals = ReAimReport(period=period).exact["implementation"]["referrals"]
        raw = raw_report(monkeypatch, period=period)["implementation"]["referrals"]
        assert referrals == raw


@pytest.mark.parametrize(
    ("delay", "hours"),
    [
        (timedelta(0), 0),
        (timedelta(microseconds=1), 1),
        (timedelta(hours=24), 24),
        (timedelta(hours=24, microseconds=1), 25),
        (timedelta(hours=23, minutes=59, seconds=59), 24),
    ],
)
def test_contact_hours_round_up_exactly(delay, hours):
    received = datetime(2025, 3, 9, 1, 30, tzinfo=timezone.get_default_timezone())
    assert contact_hours(received, received + delay) == hours


def test_rebuild_command_reports_the_rows_it_wrote(db):
    department = DepartmentFactory()
    make_interaction(
        department=department,
        supporter=PeerSupporterFactory(),
        occurred_on=date(2025, 1, 10),
        duration_minutes=20,
    )
    InteractionMonth.objects.all().delete()
    out = StringIO()
    call_command("rollup_rebuild", stdout=out)
    assert InteractionMonth.objects.get().logged == 1
    assert "interactions.InteractionMonth: 1" in out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writers_of_the_same_month_at_once_all_count(transactional_db):
    """Eight transactions adding interactions and referrals to one cell at the same moment
    (each with a pause inside, so that they overlap): every one counts."""
    from django.db import connection, transaction

    from tests.concurrency import race

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time; this race runs on PostgreSQL")
    department = DepartmentFactory()
    supporter = PeerSupporterFactory()
    at = datetime(2025, 3, 10, 12, tzinfo=UTC)

    def write():
        with transaction.atomic():
            make_interaction(
                department=department,
                supporter=supporter,
                occurred_on=date(2025, 3, 10),
                duration_minutes=30,
            )
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(0.2)")
            make_referral(department, at, "self", contact_hours=2, supporter=supporter)

    assert race(*[write] * 8) == [None] * 8
    month = InteractionMonth.objects.get(department=department)
    assert (month.logged, month.successful) == (8, 8)
    assert ReferralMonth.objects.get(department=department).received == 8
    kept = counted_rows()
    rollup_rebuild()
    assert counted_rows() == kept
