"""A physician asks for support: the form, the roster search, the confirmation, "My requests"
and the supporter directory."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from interactions.models import Referral, ReferralEvent, Source, Status
from interactions.selectors import COLLEAGUE_HANDLED, COLLEAGUE_RECEIVED
from post_program.models import AuditEvent
from tests.factories import PeerSupporterFactory, PhysicianFactory

from .factories import referral_in_status, referral_new, request_form

pytestmark = pytest.mark.django_db

REQUEST_URL = reverse("interactions:referral_request")


def _data(**changes) -> dict:
    data = request_form(**{"note": "", **changes})
    return {key: value for key, value in data.items() if value is not None}


def _errors(response) -> dict[str, list[str]]:
    return {field: list(errors) for field, errors in response.context["form"].errors.items()}


# --- the form ----------------------------------------------------------------------------------


def test_the_form_shows_where_to_get_urgent_help_and_warns_about_patients(cast, settings):
    settings.CRISIS_RESOURCES = "Call the lifeline|tel:988"
    response = cast.client("physician").get(REQUEST_URL)
    page = response.content.decode()
    assert 'href="tel:988"' in page
    assert 'id="crisis-now"' in page  # shown at once when "urgent: safety" is chosen
    assert "Do not name or describe patients" in page
    assert response.context["form"]["submission_key"].value()


def test_a_self_referral(cast):
    client = cast.client("physician")
    response = client.post(REQUEST_URL, _data(contact_method="phone"))
    assert response.status_code == 302
    assert response["Location"] == reverse("interactions:referral_submitted")
    referral = Referral.objects.get()
    assert referral.source == Source.SELF
    assert referral.physician == cast.physician_profile
    assert referral.department == cast.department_a
    assert referral.referrer == cast.physician
    assert referral.contact_method == "phone" and referral.status == Status.NEW


def test_a_colleague_from_the_roster_referrer_hidden_by_default(cast):
    colleague = PhysicianFactory(department=cast.department_c)
    cast.client("physician").post(
        REQUEST_URL, _data(for_whom="colleague", colleague=colleague.pk, note="  Rough week.  ")
    )
    referral = Referral.objects.get()
    assert referral.source == Source.THIRD_PARTY
    assert (referral.physician, referral.department) == (colleague, cast.department_c)
    assert referral.referrer_may_be_named is False
    assert referral.note == "Rough week."


def test_the_referrer_may_consent_to_be_named(cast):
    colleague = PhysicianFactory(department=cast.department_c)
    cast.client("physician").post(
        REQUEST_URL,
        _data(for_whom="colleague", colleague=colleague.pk, referrer_may_be_named="on"),
    )
    assert Referral.objects.get().referrer_may_be_named is True


def test_a_colleague_not_on_the_roster_is_named_with_a_department(cast):
    cast.client("physician").post(
        REQUEST_URL,
        _data(
            for_whom="colleague",
            colleague_not_listed="on",
            colleague_name="Dr. Robin Locum",
            colleague_department=cast.department_b.pk,
        ),
    )
    referral = Referral.objects.get()
    assert referral.physician is None and referral.named_colleague == "Dr. Robin Locum"
    assert referral.department == cast.department_b


def test_preferences_and_a_requested_supporter_are_kept(cast):
    colleague = PhysicianFactory(department=cast.department_c)
    cast.client("physician").post(
        REQUEST_URL,
        _data(
            for_whom="colleague",
            colleague=colleague.pk,
            department_preference="other",
            requested_supporter=cast.supporter_b_profile.pk,
            reason="litigation",
            urgency="soon",
        ),
    )
    referral = Referral.objects.get()
    assert referral.department_preference == "other"
    assert referral.requested_supporter == cast.supporter_b_profile
    assert (referral.reason, referral.urgency) == ("litigation", "soon")


def test_the_directory_link_preselects_a_supporter(cast):
    url = f"{REQUEST_URL}?supporter={cast.supporter_b_profile.pk}"
    form = cast.client("physician").get(url).context["form"]
    assert str(form["requested_supporter"].value()) == str(cast.supporter_b_profile.pk)


BAD_INPUT = [
    ({"for_whom": None}, "for_whom", "Say whether the support is for you or for a colleague."),
    ({"for_whom": "them"}, "for_whom", "Select a valid choice"),
    ({"for_whom": "colleague"}, "colleague", "Find your colleague by name"),
    ({"for_whom": "colleague", "colleague": "999999"}, "colleague", "not on the current roster"),
    ({"for_whom": "colleague", "colleague": "x"}, "colleague", "not on the current roster"),
    (
        {"for_whom": "colleague", "colleague_not_listed": "on"},
        "colleague_name",
        "Enter your colleague's name.",
    ),
    (
        {"for_whom": "colleague", "colleague_not_listed": "on", "colleague_name": "Dr Who"},
        "colleague_department",
        "Choose your colleague's department.",
    ),
    (
        {"for_whom": "colleague", "colleague_not_listed": "on", "colleague_name": "12345"},
        "colleague_name",
        "Enter your colleague's name.",
    ),
    (
        {"for_whom": "colleague", "colleague_not_listed": "on", "colleague_name": "x" * 201},
        "colleague_name",
        "at most 200 characters",
    ),
    ({"reason": None}, "reason", "Choose the category closest to what happened."),
    ({"reason": "bad day"}, "reason", "Select a valid choice"),
    ({"note": "n" * 501}, "note", "at most 500 characters"),
    ({"note": "null\x00byte"}, "note", "Null characters are not allowed."),
    ({"urgency": "whenever"}, "urgency", "Select a valid choice"),
    ({"contact_method": "pigeon"}, "contact_method", "Select a valid choice"),
    ({"department_preference": "mine"}, "department_preference", "Select a valid choice"),
    ({"requested_supporter": "999999"}, "requested_supporter", "not available"),
    ({"submission_key": "not-a-uuid"}, "submission_key", "Enter a valid UUID."),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_input_gets_a_clear_message_and_saves_nothing(cast, changes, field, message):
    response = cast.client("physician").post(REQUEST_URL, _data(**changes))
    assert response.status_code == 200
    errors = _errors(response)
    assert any(message in error for error in errors.get(field, [])), errors
    page = response.content.decode()
    start = page.index('id="error-summary"')
    # The message is in the summary, too.
    assert page.index(escape(errors[field][0]), start) < page.index("</ul>", start)
    assert not Referral.objects.exists()


def test_a_physician_cannot_refer_themself_as_a_colleague(cast):
    response = cast.client("physician").post(
        REQUEST_URL, _data(for_whom="colleague", colleague=cast.physician_profile.pk)
    )
    assert _errors(response) == {"colleague": ["That is you: choose “Myself” instead."]}


def test_a_colleague_who_left_the_roster_cannot_be_chosen(cast):
    gone = PhysicianFactory(department=cast.department_a, ended_on=date(2021, 1, 1))
    response = cast.client("physician").post(
        REQUEST_URL, _data(for_whom="colleague", colleague=gone.pk)
    )
    assert "colleague" in _errors(response)


def test_nobody_is_their_own_supporter(cast):
    response = cast.client("supporter_a").post(
        REQUEST_URL, _data(requested_supporter=cast.supporter_a_profile.pk)
    )
    assert _errors(response) == {
        "requested_supporter": ["The person to be supported cannot be their own supporter."]
    }


def test_a_paused_supporter_cannot_be_requested(cast):
    cast.supporter_b_profile.status = "paused"
    cast.supporter_b_profile.save()
    response = cast.client("physician").post(
        REQUEST_URL, _data(requested_supporter=cast.supporter_b_profile.pk)
    )
    assert "requested_supporter" in _errors(response)


def test_an_invalid_colleague_choice_keeps_the_chosen_colleague_on_a_valid_one(cast):
    colleague = PhysicianFactory(department=cast.department_c, name="Quinn Keeper")
    response = cast.client("physician").post(
        REQUEST_URL, _data(for_whom="colleague", colleague=colleague.pk, reason="")
    )
    page = response.content.decode()
    assert f'value="{colleague.pk}"' in page and "Quinn Keeper" in page
    assert "checked" in page.split(f'value="{colleague.pk}"')[1].split(">")[0]


def test_the_same_form_sent_twice_creates_one_referral(cast):
    client = cast.client("physician")
    data = _data()
    first = client.post(REQUEST_URL, data)
    second = client.post(REQUEST_URL, data)
    assert first.status_code == second.status_code == 302
    assert Referral.objects.count() == 1


def test_two_colleagues_referring_the_same_physician_make_one_referral(cast):
    colleague = PhysicianFactory(department=cast.department_c)
    for member in ("physician", "supporter_a"):
        response = cast.client(member).post(
            REQUEST_URL, _data(for_whom="colleague", colleague=colleague.pk)
        )
        assert response.status_code == 302
    assert Referral.objects.filter(physician=colleague).count() == 1
    # Both see it in "My requests".
    for member in ("physician", "supporter_a"):
        page = cast.client(member).get(reverse("interactions:my_requests")).content.decode()
        assert colleague.name in page


# --- urgent ------------------------------------------------------------------------------------


def test_urgent_alerts_coordinators_and_the_confirmation_points_to_help_now(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.CRISIS_RESOURCES = "Call the lifeline|tel:988"
    client = cast.client("physician")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REQUEST_URL, _data(urgency="safety"))
    assert [m.to for m in mail.outbox] == [[cast.coordinator.email]]
    assert mail.outbox[0].subject.startswith("URGENT: ")
    page = client.get(response["Location"]).content.decode()
    assert "You reported a safety concern" in page and 'href="tel:988"' in page


# --- the confirmation --------------------------------------------------------------------------


def test_the_confirmation_says_what_happens_next_and_by_when(cast, settings):
    settings.FIRST_CONTACT_DEADLINE_HOURS = 24
    client = cast.client("physician")
    colleague = PhysicianFactory(department=cast.department_c)
    response = client.post(REQUEST_URL, _data(for_whom="colleague", colleague=colleague.pk))
    page = client.get(response["Location"])
    referral = Referral.objects.get()
    assert page.context["due"] == referral.first_contact_due_at
    text = page.content.decode()
    assert "What happens next" in text
    assert timezone.localtime(referral.first_contact_due_at).strftime("%H:%M") in text
    assert "Your name is given to your colleague only if you ticked" in text


def test_a_request_joining_an_open_one_gets_the_same_confirmation(cast):
    colleague = PhysicianFactory(department=cast.department_c)
    referral_new(
        department=cast.department_c,
        physician=colleague,
        at=timezone.now() - timedelta(hours=30),
    )
    client = cast.client("physician")
    response = client.post(REQUEST_URL, _data(for_whom="colleague", colleague=colleague.pk))
    page = client.get(response["Location"])
    # It does not reveal the earlier request (nor that it is overdue).
    assert page.context["due"] > timezone.now()
    assert "already" not in page.content.decode()


def test_the_confirmation_without_a_request_goes_to_my_requests(cast):
    response = cast.client("physician").get(reverse("interactions:referral_submitted"))
    assert response["Location"] == reverse("interactions:my_requests")


# --- the roster search -------------------------------------------------------------------------

SEARCH_URL = reverse("interactions:roster_search")


def test_search_shows_name_and_department_only(cast):
    PhysicianFactory(
        department=cast.department_c, name="Harriet Oyelaran", email="harriet@example.org"
    )
    response = cast.client("physician").post(SEARCH_URL, {"colleague_search": "oyel"})
    page = response.content.decode()
    assert "Harriet Oyelaran" in page and "Surgery, North" in page
    assert "harriet@example.org" not in page
    physician = response.context["physicians"][0]
    assert physician.physician_id not in page


def test_search_needs_two_characters(cast):
    PhysicianFactory(department=cast.department_c, name="Al Bo")
    response = cast.client("physician").post(SEARCH_URL, {"colleague_search": " a "})
    assert response.context["physicians"] == []
    assert "Type at least two letters" in response.content.decode()


def test_search_leaves_out_the_requester_and_former_staff(cast):
    PhysicianFactory(
        department=cast.department_a, name="Gone Searchable", ended_on=date(2020, 1, 1)
    )
    PhysicianFactory(department=cast.department_a, name="Here Searchable")
    cast.physician_profile.name = "Me Searchable"
    cast.physician_profile.save()
    response = cast.client("physician").post(SEARCH_URL, {"colleague_search": "searchable"})
    assert [p.name for p in response.context["physicians"]] == ["Here Searchable"]


def test_search_is_rate_limited_per_user(cast, settings):
    settings.ROSTER_SEARCHES_PER_MINUTE = 3
    client = cast.client("physician")
    codes = [client.post(SEARCH_URL, {"colleague_search": "ab"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert (
        "Too many searches" in client.post(SEARCH_URL, {"colleague_search": "ab"}).content.decode()
    )
    # Someone else is not slowed down.
    assert (
        cast.client("supporter_a").post(SEARCH_URL, {"colleague_search": "ab"}).status_code == 200
    )


def test_search_cost_does_not_grow_with_matches(cast, django_assert_max_num_queries):
    for number in range(30):
        PhysicianFactory(department=cast.department_a, name=f"Common Name {number}")
    client = cast.client("physician")
    with django_assert_max_num_queries(6):
        response = client.post(SEARCH_URL, {"colleague_search": "common"})
    assert len(response.context["physicians"]) == 10
    assert "type more of the name" in response.content.decode()


# --- my requests -------------------------------------------------------------------------------


def test_my_requests_show_status_only_and_only_mine(cast):
    mine_closed = referral_in_status(
        "closed",
        department=cast.department_a,
        supporter=cast.supporter_a_profile,
        requester=cast.physician,
    )
    mine_open = referral_new(department=cast.department_c, requester=cast.physician)
    someone_elses = referral_new(department=cast.department_c, requester=cast.supporter_b)
    response = cast.client("physician").get(reverse("interactions:my_requests"))
    page = response.content.decode()
    assert mine_closed.physician.name in page and mine_open.physician.name in page
    assert someone_elses.physician.name not in page
    assert "Closed" not in page and "Supported" not in page  # never the stage nor the outcome
    assert cast.supporter_a_profile.physician.name not in page  # nor who supports them
    audit = AuditEvent.objects.get(action="referral.list", actor=cast.physician)
    assert sorted(audit.detail["referral_ids"]) == sorted(
        [mine_closed.referral_id, mine_open.referral_id]
    )


def test_a_self_referral_reads_myself(cast):
    referral_new(
        department=cast.department_a,
        physician=cast.physician_profile,
        source=Source.SELF,
        requester=cast.physician,
    )
    (item,) = cast.client("physician").get(reverse("interactions:my_requests")).context["requests"]
    assert item.for_self and item.progress == "Received: finding a peer supporter"


@pytest.mark.parametrize("stage", ["new", "assigned", "contacted", "closed"])
def test_asking_for_a_colleague_tells_nothing_of_a_case_they_already_had(cast, stage):
    """The oracle: ask support for a colleague and read "My requests". Whatever case the
    colleague already had, the requester reads what a first request would show, then and later."""
    in_support = PhysicianFactory(department=cast.department_a)
    never_referred = PhysicianFactory(department=cast.department_a)
    referral_in_status(
        stage,
        department=cast.department_a,
        supporter=cast.supporter_a_profile,
        physician=in_support,
    )
    client = cast.client("physician")
    for colleague in (in_support, never_referred):
        response = client.post(REQUEST_URL, _data(for_whom="colleague", colleague=colleague.pk))
        assert response.status_code == 302
    for later in (False, True):
        if later:  # three days on: every request's first-contact deadline has passed
            Referral.objects.update(received_at=F("received_at") - timedelta(days=3))
            ReferralEvent.objects.update(at=F("at") - timedelta(days=3))
        page = client.get(reverse("interactions:my_requests"))
        shown = {item.referral.physician: item.progress for item in page.context["requests"]}
        assert shown[in_support] == shown[never_referred]
        assert set(shown.values()) == {COLLEAGUE_HANDLED if later else COLLEAGUE_RECEIVED}
        text = page.content.decode()
        for stage_word in ("has been asked", "will reach out", "in touch", "Closed", "Supported"):
            assert stage_word not in text
        assert cast.supporter_a_profile.physician.name not in text


# --- the directory -----------------------------------------------------------------------------


def test_the_directory_lists_active_supporters_with_department_and_bio(cast):
    cast.supporter_a_profile.bio = "Night owl; happy to talk."
    cast.supporter_a_profile.save()
    paused = PeerSupporterFactory(physician=PhysicianFactory(department=cast.department_c))
    paused.status = "paused"
    paused.save()
    response = cast.client("physician").get(reverse("interactions:supporter_directory"))
    page = response.content.decode()
    assert "Night owl; happy to talk." in page
    assert cast.supporter_a_profile.physician.name in page and "Emergency Medicine" in page
    assert paused.physician.name not in page
    assert cast.supporter_a_profile.physician.email not in page
    assert "Ask for this supporter" in page


def test_the_directory_filters_by_department_and_keeps_its_query_budget(
    cast, django_assert_max_num_queries
):
    for _ in range(12):
        PeerSupporterFactory(physician=PhysicianFactory(department=cast.department_c))
    client = cast.client("physician")
    with django_assert_max_num_queries(10):
        response = client.get(
            reverse("interactions:supporter_directory"), {"department": cast.department_c.pk}
        )
    assert len(response.context["page"]) == 12


@pytest.mark.parametrize("query", ["ab\x00cd", "x" * 101])
def test_search_text_no_database_can_hold_is_no_search(cast, query):
    PhysicianFactory(department=cast.department_a, name="Abcd Efgh")
    response = cast.client("physician").post(SEARCH_URL, {"colleague_search": query})
    assert response.status_code == 200
    assert response.context["physicians"] == []


def test_the_typed_name_never_travels_in_a_query_string(cast):
    """Query strings land in every proxy's access log: the search is a POST of the input alone."""
    PhysicianFactory(department=cast.department_c, name="Harriet Oyelaran")
    client = cast.client("physician")
    form = client.get(reverse("interactions:referral_request")).content.decode()
    assert f'hx-post="{SEARCH_URL}" hx-params="colleague_search"' in form
    assert f'hx-get="{SEARCH_URL}"' not in form
    refused = client.get(SEARCH_URL, {"colleague_search": "oyel"})
    assert refused.status_code == 405
    assert "Harriet Oyelaran" not in refused.content.decode()
