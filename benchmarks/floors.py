"""The report's floor: its headline figures computed by hand-written SQL, one aggregate per
table, for a period and a scope (department ids, None for the program).

This is about the least work any report of these figures can do on PostgreSQL, so the report's
time is judged against it. The figures follow docs/metrics.md; `check` fails loudly when the
floor and the report's exact numbers disagree, since a floor that computes something else is no
floor.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from interactions.models import Interaction, Referral
from post_program.models import Department, PeerSupporter, Physician
from training.models import TrainingCompletion

# Each headline figure: its name here and where the report holds it.
HEADLINE = {
    "successful_interactions": ("reach", "successful_interactions"),
    "interactions_logged": ("reach", "interactions_logged"),
    "unique_physicians_supported": ("reach", "unique_physicians_supported"),
    "escalated": ("implementation", "escalated"),
    "total_support_hours": ("implementation", "total_support_hours"),
    "median_duration_minutes": ("implementation", "duration_minutes", "median"),
    "eligible_physicians": ("reach", "eligible_physicians"),
    "physicians_total": ("adoption", "physicians_total"),
    "physician_years": ("reach", "physician_years"),
    "departments_total": ("adoption", "departments_total"),
    "departments_adopted": ("adoption", "departments_adopted"),
    "supporters_trained": ("adoption", "supporters_trained"),
    "supporters_active": ("adoption", "supporters_active"),
    "referrals_received": ("implementation", "referrals", "received"),
    "referrals_contacted": ("implementation", "referrals", "contacted"),
    "referrals_within_deadline": ("implementation", "referrals", "within_deadline"),
}


def _scope(column: str, department_ids: Collection[int] | None) -> tuple[str, list]:
    if department_ids is None:
        return "TRUE", []
    return f"{column} = ANY(%s)", [sorted(department_ids)]


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _one(sql: str, params: list) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def headline(
    *, start: date, end: date, department_ids: Collection[int] | None, deadline_hours: int
) -> dict[str, Any]:
    """The headline figures of the report for [start, end] and the scope: five queries, one
    per table read (interactions, physicians, departments, referrals, and the supporters'
    training with their interactions)."""
    interaction = Interaction._meta.db_table
    physician = Physician._meta.db_table
    department = Department._meta.db_table
    referral = Referral._meta.db_table
    completion = TrainingCompletion._meta.db_table
    supporter = PeerSupporter._meta.db_table

    where, ids = _scope("department_id", department_ids)
    (successful, logged, unique, escalated, minutes, median) = _one(
        f"""SELECT count(*) FILTER (WHERE successful), count(*),
                   count(DISTINCT physician_pseudonym)
                       FILTER (WHERE successful AND physician_pseudonym <> ''),
                   count(*) FILTER (WHERE successful AND escalated),
                   coalesce(sum(duration_minutes) FILTER (WHERE successful), 0),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_minutes)
                       FILTER (WHERE successful)
            FROM {interaction} WHERE occurred_on BETWEEN %s AND %s AND {where}""",  # noqa: S608
        [start, end, *ids],
    )

    where, ids = _scope("p.department_id", department_ids)
    employed = (
        "(p.started_on IS NULL OR p.started_on <= %s) AND (p.ended_on IS NULL OR p.ended_on >= %s)"
    )
    adopted = "d.launched_on <= %s AND (d.ended_on IS NULL OR d.ended_on >= %s)"
    lo = "GREATEST(%s, coalesce(p.started_on, %s), d.launched_on)"
    hi = "LEAST(%s, coalesce(p.ended_on, %s), coalesce(d.ended_on, %s))"
    total, eligible, days = _one(
        f"""SELECT count(*) FILTER (WHERE {employed}),
                   count(*) FILTER (WHERE {employed} AND {adopted}),
                   coalesce(sum(GREATEST({hi} - {lo} + 1, 0))
                       FILTER (WHERE d.launched_on IS NOT NULL), 0)
            FROM {physician} p JOIN {department} d ON d.id = p.department_id
            WHERE {where}""",  # noqa: S608
        [end, start, end, start, end, start, *(end,) * 3, *(start,) * 2, *ids],
    )

    where, ids = _scope("id", department_ids)
    departments_total, departments_adopted = _one(
        f"""SELECT count(*), count(*) FILTER (WHERE {adopted.replace("d.", "")})
            FROM {department} WHERE {where}""",  # noqa: S608
        [end, start, *ids],
    )

    where, ids = _scope("department_id", department_ids)
    received, contacted, within = _one(
        f"""SELECT count(*), count(first_contact_at),
                   count(*) FILTER (WHERE first_contact_at <= received_at + %s)
            FROM {referral}
            WHERE received_at >= %s AND received_at < %s AND {where}""",  # noqa: S608
        [timedelta(hours=deadline_hours), _midnight(start), _midnight(end + timedelta(1)), *ids],
    )

    where, ids = _scope("p.department_id", department_ids)
    trained, active = _one(
        f"""WITH first_initial AS (
                SELECT physician_id, min(completed_on) AS first FROM {completion}
                WHERE course = 'initial' GROUP BY physician_id)
            SELECT count(*),
                   count(*) FILTER (WHERE EXISTS (
                       SELECT 1 FROM {interaction} i JOIN {supporter} s ON s.id = i.supporter_id
                       WHERE s.physician_id = p.id AND i.successful
                         AND i.occurred_on BETWEEN %s AND %s))
            FROM {physician} p JOIN first_initial f ON f.physician_id = p.id
            WHERE f.first <= %s AND {where}""",  # noqa: S608
        [start, end, end, *ids],
    )
    return {
        "successful_interactions": successful,
        "interactions_logged": logged,
        "unique_physicians_supported": unique,
        "escalated": escalated,
        "total_support_hours": minutes / 60,
        "median_duration_minutes": median,
        "eligible_physicians": eligible,
        "physicians_total": total,
        "physician_years": days / 365.25,
        "departments_total": departments_total,
        "departments_adopted": departments_adopted,
        "supporters_trained": trained,
        "supporters_active": active,
        "referrals_received": received,
        "referrals_contacted": contacted,
        "referrals_within_deadline": within,
    }


def report_headline(exact: dict[str, Any]) -> dict[str, Any]:
    """The same headline figures read from a report's `exact` numbers."""
    figures = {}
    for name, path in HEADLINE.items():
        value: Any = exact
        for key in path:
            value = value[key]
        figures[name] = value
    return figures


class FloorMismatch(AssertionError):
    """The floor's SQL and the report disagree on a headline figure."""


def check(floor: dict[str, Any], exact: dict[str, Any]) -> None:
    """Raise `FloorMismatch` listing every headline figure where the floor and the report
    differ (floats compared to 1e-9 relative, since the database sums in another order)."""
    report = report_headline(exact)
    wrong = []
    for name in HEADLINE:
        a, b = floor[name], report[name]
        if isinstance(a, float) or isinstance(b, float):
            same = (a is None and b is None) or (
                a is not None and b is not None and abs(a - b) <= 1e-9 * max(1.0, abs(b))
            )
        else:
            same = a == b
        if not same:
            wrong.append(f"{name}: floor {a!r}, report {b!r}")
    if wrong:
        raise FloorMismatch(
            "the floor SQL does not compute the report's figures: " + "; ".join(wrong)
        )
