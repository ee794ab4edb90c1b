"""The director's audit page: filters by person, object, action and period, pages, a CSV
download through the one cell-escaping helper, every view and download itself audited, no
requester shown, and a fixed number of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interactions.models import Source
from post_program.models import AuditEvent
from post_program.services import audit_record, site_create
from tests.factories import PhysicianFactory, UserFactory
from tests.interactions.factories import referral_assigned, referral_new

pytestmark = pytest.mark.django_db

CANARY = "Canary Quillfeather"


def _page(cast, **params):
    return cast.client("director").get(reverse("audit_list"), params)


def _csv(cast, **params) -> list[dict]:
    response = cast.client("director").get(reverse("audit_export"), params)
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def _views(cast, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=cast.director, action=action))


def test_the_page_lists_events_with_actor_action_and_object(cast):
    site = site_create(actor=cast.coordinator, name="East")
    response = _page(cast)
    assert response.status_code == 200
    page = response.content.decode()
    assert cast.coordinator.name in page
    assert "site.create" in page
    assert f"post_program.site:{site.pk}" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "role.grant"}, {"role.grant"}),
        ({"object_type": "post_program.site"}, {"site.create"}),
        ({"person": "coordinator"}, {"site.create"}),
    ],
    ids=["action", "object type", "person"],
)
def test_filters_narrow_the_events(cast, params, expected):
    site_create(actor=cast.coordinator, name="East")
    audit_record(actor=cast.director, action="role.grant", obj=cast.lead)
    if params.get("person") == "coordinator":
        params = {"person": cast.coordinator.email.upper()}
    rows = _csv(cast, **params)
    assert {row["action"] for row in rows} == expected


def test_an_object_and_a_period_select_exactly_their_events(cast):
    first = site_create(actor=cast.director, name="East")
    second = site_create(actor=cast.director, name="West")
    rows = _csv(cast, object_type="post_program.site", object_id=str(second.pk))
    assert [row["object"] for row in rows] == [f"post_program.site:{second.pk}"]
    assert first.pk != second.pk
    today = timezone.localdate()
    dated = AuditEvent.objects.create(
        action="role.revoke", at=timezone.now() - timedelta(days=40), object_type="x"
    )
    rows = _csv(
        cast,
        start=(today - timedelta(days=41)).isoformat(),
        end=(today - timedelta(days=39)).isoformat(),
    )
    assert [row["action"] for row in rows] == [dated.action]


def test_a_person_can_be_given_by_account_number(cast):
    site_create(actor=cast.coordinator, name="East")
    rows = _csv(cast, person=str(cast.coordinator.pk))
    assert [(row["actor_id"], row["actor"]) for row in rows] == [
        (str(cast.coordinator.pk), cast.coordinator.name)
    ]


def test_the_page_holds_fifty_events_and_pages_on(cast):
    for n in range(51):
        AuditEvent.objects.create(action="site.create", object_type="x", object_id=str(n))
    first = _page(cast, action="site.create").content.decode()
    assert "Page 1 of 2" in first
    assert "<code>x:50</code>" in first and "<code>x:0</code>" not in first
    second = _page(cast, action="site.create", page=2).content.decode()
    assert "<code>x:0</code>" in second


def test_viewing_and_downloading_are_audited_with_the_filters(cast):
    site_create(actor=cast.coordinator, name="East")
    _page(cast, action="site.create", person=cast.coordinator.email, start="2026-01-01")
    (view,) = _views(cast, "audit.view")
    assert view.detail == {
        "filters": {
            "action": "site.create",
            "person_id": cast.coordinator.pk,
            "start": "2026-01-01",
        },
        "page": 1,
    }
    _csv(cast, object_type="post_program.site", object_id="3")
    (export,) = _views(cast, "audit.export")
    assert export.detail == {"filters": {"object_type": "post_program.site", "object_id": "3"}}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-13-45"}, "Enter a valid date."),
        (
            {"start": "2026-03-02", "end": "2026-03-01"},
            "The end of the period is before its start.",
        ),
        ({"action": "nothing.happened"}, "No audit event has the action “nothing.happened”."),
        ({"object_type": "spaceship"}, "No audit event is about a “spaceship”."),
        ({"object_id": "7"}, "Choose the type of the object too."),
        (
            {"person": "nobody@example.org"},
            "No account has the email or number “nobody@example.org”.",
        ),
        ({"person": "99999999999999999999"}, "No account has the email or number"),
    ],
    ids=[
        "bad date",
        "reversed period",
        "unknown action",
        "unknown type",
        "id alone",
        "unknown person",
        "huge number",
    ],
)
@pytest.mark.parametrize("url_name", ["audit_list", "audit_export"])
def test_bad_filters_say_why_show_no_event_and_write_nothing(cast, params, message, url_name):
    site_create(actor=cast.coordinator, name="East")
    director = cast.client("director")  # signing in is audited: count after it
    before = AuditEvent.objects.count()
    response = director.get(reverse(url_name), params)
    page = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert message in page
    assert "site.create" not in page.split("</form>")[-1]
    assert AuditEvent.objects.count() == before


def test_the_csv_cells_cannot_run_as_formulas(cast):
    cast.coordinator.name = '=HYPERLINK("http://evil.example")'
    cast.coordinator.save()
    AuditEvent.objects.create(actor=cast.coordinator, action="@SUM(A1)")
    (row,) = _csv(cast, person=cast.coordinator.email)
    assert row["actor"] == """'=HYPERLINK("http://evil.example")"""
    assert row["action"] == "'@SUM(A1)"


def test_no_requester_and_no_referred_physician_is_shown(cast):
    """A self-referral's actor is the referred physician; a colleague's request names the
    referrer. Neither appears, in the page or the file, nor can a filter on them find it."""
    physician = PhysicianFactory(department=cast.department_a, name=CANARY)
    user = UserFactory(name=CANARY, email=physician.email)
    physician.user = user
    physician.save()
    referral_new(
        department=cast.department_a, requester=user, physician=physician, source=Source.SELF
    )
    referral_assigned(
        department=cast.department_a,
        requester=cast.physician,
        supporter=cast.supporter_a_profile,
        actor=cast.coordinator,
    )
    page = _page(cast).content.decode()
    body = str(_csv(cast))
    for shown in (page, body):
        assert CANARY not in shown
        assert cast.physician.name not in shown
    assert "referral.request" in page
    assert cast.coordinator.name in page  # the coordinator's assignment is staff work, shown
    for person in (user, cast.physician):
        assert _csv(cast, person=person.email) == []
        events = _page(cast, person=str(person.pk)).content.decode().split("</form>")[-1]
        assert "referral.request" not in events


def _queries(cast, django_assert_max_num_queries, url_name: str) -> int:
    client = cast.client("director")
    with django_assert_max_num_queries(12) as captured:
        response = client.get(reverse(url_name))
        if url_name == "audit_export":
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_name", ["audit_list", "audit_export"])
def test_the_page_and_the_file_keep_their_query_budget(
    cast, url_name, django_assert_max_num_queries
):
    def add(n: int) -> None:
        for _ in range(n):
            actor = UserFactory()
            audit_record(actor=actor, action="role.grant", obj=cast.lead, user_id=actor.pk)
            audit_record(actor=None, action="retention.purge")

    add(1)
    few = _queries(cast, django_assert_max_num_queries, url_name)
    add(30)
    assert _queries(cast, django_assert_max_num_queries, url_name) == few


@pytest.mark.parametrize("member", ["director", "coordinator", "lead", "physician"])
def test_only_the_directors_home_and_menu_link_the_audit_page(cast, member):
    page = cast.client(member).get(reverse(f"home_{member}")).content.decode()
    assert (reverse("audit_list") in page) is (member == "director")
