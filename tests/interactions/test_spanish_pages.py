"""The referral, case and on-call pages in Spanish: dates in the Spanish order, form errors and
messages in Spanish, and the calendar feed in its owner's language whoever reads it."""

from __future__ import annotations

from datetime import time

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from interactions import services
from interactions.models import Weekday

from .factories import referral_assigned

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_on_call_week_reads_its_dates_the_spanish_way(cast):
    client = cast.client("coordinator")
    url = reverse("on_call:calendar")
    spanish = client.get(url, {"week": "2026-11-30"}, **SPANISH).content.decode()
    assert "Semana del 30 de noviembre de 2026 al 6 de diciembre de 2026" in spanish
    assert "lunes, 30 de noviembre" in spanish and "Nadie de guardia." in spanish
    english = client.get(url, {"week": "2026-11-30"}, **ENGLISH).content.decode()
    assert "Week of Nov. 30, 2026 to Dec. 6, 2026" in english
    assert "Monday, November 30" in english


@freeze_time("2026-12-02 15:00:00")
def test_a_deadline_on_the_supporter_s_home_is_day_month_year_in_spanish(cast):
    referral = referral_assigned(
        department=cast.department_a, supporter=cast.supporter_a_profile, actor=cast.coordinator
    )
    client = cast.client("supporter_a")
    response = client.get(reverse("home_supporter"), **SPANISH)
    spanish = response.content.decode()
    [waiting] = response.context["waiting"]
    assert waiting == referral
    due = timezone.localtime(waiting.accept_due_at)
    assert f'Aceptar o rechazar antes del <time datetime="{due.isoformat()}">' in spanish
    assert f"{due:%d/%m/%Y %H:%M}</time>" in spanish
    english = client.get(reverse("home_supporter"), **ENGLISH).content.decode()
    assert f'Accept or decline by <time datetime="{due.isoformat()}">{due:%m/%d/%Y}' in english


def test_a_form_error_and_a_message_read_in_spanish(cast):
    client = cast.client("supporter_a")
    url = reverse("interactions:availability")
    response = client.post(url, {"accepting_referrals": "yes", "caseload_cap": "51"}, **SPANISH)
    assert response.status_code == 400
    assert response.context["form"].errors["caseload_cap"] == [
        "Escriba un número entero del 1 al 50."
    ]
    response = client.post(
        url, {"accepting_referrals": "yes", "caseload_cap": "4"}, follow=True, **SPANISH
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Disponibilidad guardada. Los casos nuevos se ofrecen en consecuencia."
    ]


def test_the_calendar_feed_is_in_its_owner_s_language_whoever_reads_it(cast, client):
    cast.supporter_a.language = "es"
    cast.supporter_a.save(update_fields=["language"])
    services.on_call_shift_add(
        actor=cast.director,
        site=cast.north,
        user=cast.supporter_a,
        weekday=Weekday.MONDAY,
        starts=time(8),
        ends=time(17),
    )
    token = services.on_call_feed_issue(user=cast.supporter_a)
    path = reverse("on_call:feed_ics", kwargs={"token": token})
    parsed = icalendar.Calendar.from_ical(client.get(path, **ENGLISH).content.decode())
    assert str(parsed["X-WR-CALNAME"]) == "De guardia · POST"
    summaries = {str(event["SUMMARY"]) for event in parsed.walk("VEVENT")}
    assert summaries and all(summary.startswith("De guardia (") for summary in summaries)
