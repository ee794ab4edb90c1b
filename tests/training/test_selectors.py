"""The training gate: who is current on a day, and until when."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext

from post_program.models import PeerSupporter
from tests.factories import PeerSupporterFactory
from training.models import CourseKind
from training.selectors import (
    current_until,
    supporters_training_current,
    supporters_training_lapsed,
    supporters_training_lapsing,
    training_current_until,
)

from .factories import TrainingCompletionFactory

pytestmark = pytest.mark.django_db


def _supporter_with(*completions: tuple[str, date]) -> PeerSupporter:
    supporter = PeerSupporterFactory()
    for course, day in completions:
        TrainingCompletionFactory(physician=supporter.physician, course=course, completed_on=day)
    return supporter


def _current_ids(on: date) -> set[int]:
    return set(
        supporters_training_current(PeerSupporter.objects.all(), on=on).values_list("pk", flat=True)
    )


@pytest.fixture(autouse=True)
def _two_years(settings):
    settings.REFRESHER_MONTHS = 24


def test_never_trained_is_not_current():
    supporter = _supporter_with()
    assert supporter.pk not in _current_ids(date(2022, 1, 1))
    assert training_current_until(supporter_ids=[supporter.pk]) == {supporter.pk: None}


def test_initial_course_is_current_through_the_refresher_interval():
    supporter = _supporter_with((CourseKind.INITIAL, date(2020, 3, 15)))
    assert supporter.pk in _current_ids(date(2020, 3, 15))
    assert supporter.pk in _current_ids(date(2022, 3, 15))
    assert supporter.pk not in _current_ids(date(2022, 3, 16))
    # A course completed after the day does not count on that day.
    assert supporter.pk not in _current_ids(date(2020, 3, 14))


def test_refresher_renews_and_lapse_is_visible_in_between():
    supporter = _supporter_with(
        (CourseKind.INITIAL, date(2019, 1, 10)), (CourseKind.REFRESHER, date(2021, 6, 1))
    )
    assert supporter.pk in _current_ids(date(2021, 1, 10))
    assert supporter.pk not in _current_ids(date(2021, 5, 31))  # lapsed
    assert supporter.pk in _current_ids(date(2021, 6, 1))  # renewed
    assert supporter.pk in _current_ids(date(2023, 6, 1))
    assert supporter.pk not in _current_ids(date(2023, 6, 2))
    lapsed = supporters_training_lapsed(PeerSupporter.objects.all(), on=date(2021, 5, 31))
    assert list(lapsed) == [supporter]


def test_setting_changes_the_interval(settings):
    settings.REFRESHER_MONTHS = 12
    supporter = _supporter_with((CourseKind.INITIAL, date(2020, 3, 15)))
    assert supporter.pk in _current_ids(date(2021, 3, 15))
    assert supporter.pk not in _current_ids(date(2021, 3, 16))
    assert training_current_until(supporter_ids=[supporter.pk])[supporter.pk] == date(2021, 3, 15)


def test_selector_keeps_the_callers_filter():
    a = _supporter_with((CourseKind.INITIAL, date(2021, 1, 1)))
    _supporter_with((CourseKind.INITIAL, date(2021, 1, 1)))
    narrowed = PeerSupporter.objects.filter(pk=a.pk)
    assert list(supporters_training_current(narrowed, on=date(2021, 6, 1))) == [a]


def test_current_until_uses_the_latest_completion_in_one_query():
    a = _supporter_with(
        (CourseKind.INITIAL, date(2018, 2, 1)), (CourseKind.REFRESHER, date(2020, 1, 31))
    )
    b = _supporter_with((CourseKind.INITIAL, date(2021, 7, 4)))
    never = _supporter_with()
    with CaptureQueriesContext(connection) as queries:
        result = training_current_until(supporter_ids=[a.pk, b.pk, never.pk, 999_999])
    assert len(queries) == 1
    assert result == {
        a.pk: date(2022, 1, 31),
        b.pk: date(2023, 7, 4),
        never.pk: None,
        999_999: None,
    }
    assert training_current_until(supporter_ids=[]) == {}


@pytest.mark.parametrize("months", [1, 2, 12, 24])
@pytest.mark.parametrize(
    "completed_on",
    [
        date(2020, 2, 29),
        date(2020, 1, 31),
        date(2019, 12, 31),
        date(2020, 1, 30),
        date(2021, 8, 31),
    ],
)
def test_current_until_agrees_with_the_selector_at_month_ends(settings, months, completed_on):
    """The last current day from `current_until` is exactly where the selector flips."""
    settings.REFRESHER_MONTHS = months
    supporter = _supporter_with((CourseKind.INITIAL, completed_on))
    until = current_until(completed_on)
    assert until >= completed_on + relativedelta(months=months)
    assert supporter.pk in _current_ids(until)
    assert supporter.pk not in _current_ids(until + timedelta(days=1))


def test_training_lapsing_within_days_is_current_today_and_over_by_the_last_day():
    """The SQL of the director's list agrees with `current_until` day by day, month ends and
    leap days included: listed when the training is current on `on` and its last current day
    comes before `on + within_days`."""
    on, within = date(2020, 11, 15), 60
    days = [on - relativedelta(months=24) - timedelta(days=n) for n in range(-3, within + 5)]
    days += [date(2018, 12, 31), date(2019, 1, 13), date(2019, 1, 14), date(2018, 2, 28)]
    supporters = {_supporter_with((CourseKind.INITIAL, day)).pk: day for day in dict.fromkeys(days)}
    retired = _supporter_with((CourseKind.INITIAL, date(2018, 12, 20)))
    retired.status = PeerSupporter.Status.RETIRED
    retired.save()
    with CaptureQueriesContext(connection) as queries:
        listed = set(
            supporters_training_lapsing(on=on, within_days=within).values_list("pk", flat=True)
        )
    assert len(queries) == 1
    expected = {
        pk
        for pk, day in supporters.items()
        if on <= current_until(day) < on + timedelta(days=within)
    }
    assert expected and listed == expected
