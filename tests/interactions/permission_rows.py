import re
from datetime import time, timedelta

from django.utils import timezone

from interactions import services
from post_program.models import OutboxEmail
from tests.permission_table import Row, everyone, only

from .factories import (
    interaction_logged,
    referral_assigned,
    referral_contacted,
    referral_in_status,
    referral_new,
    trained,
)

PHYSICIANS = ("supporter_a", "supporter_b", "physician")  # everyone on the roster


def _held_by_a(cast) -> dict:
    """A referral in department A (site North) assigned to supporter A, waiting for them."""
    return {
        "pk": referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile).pk
    }


def _new_in_a(cast) -> dict:
    """A new referral in department A, with supporter A (trained) among the suggestions."""
    trained(cast.supporter_a_profile)
    return {"pk": referral_new(department=cast.department_a).pk}


def _new_in_b(cast) -> dict:
    """A referral at site South, where the coordinator has no role."""
    return {"pk": referral_new(department=cast.department_b).pk}


def _others(status: int = 404, **expect) -> dict:
    """`status` for everyone signed in, except as given; anonymous visitors are sent to sign in."""
    return {**everyone(status), **expect}


REQUEST = {
    "for_whom": "self",
    "reason": "adverse_event",
    "urgency": "routine",
    "contact_method": "any",
    "department_preference": "none",
}

ROWS = [
    # The homes of case work (names kept for the home dispatch).
    Row("home_coordinator", only("coordinator")),
    Row("home_coordinator", everyone(405), method="post"),
    Row("home_supporter", only("supporter_a", "supporter_b")),
    Row("home_supporter", everyone(405), method="post"),
    # Requesting support: anyone on the roster.
    Row("interactions:referral_request", only(*PHYSICIANS)),
    Row(
        "interactions:referral_request",
        only(*PHYSICIANS, ok=302),
        method="post",
        data=lambda cast: REQUEST,
    ),
    Row("interactions:referral_request", everyone(405), method="put"),
    # Following a request made anonymously: anyone on the roster holding its code.
    Row("interactions:request_receipt", only(*PHYSICIANS)),
    Row(
        "interactions:request_receipt",
        only(*PHYSICIANS, ok=400),
        method="post",
        data=lambda cast: {"code": "AAAA-BBBB-CCCC-DDDD"},
    ),
    Row("interactions:request_receipt", everyone(405), method="put"),
    Row("interactions:roster_search", only(*PHYSICIANS), method="post"),
    Row("interactions:roster_search", everyone(405)),
    # Without a request just sent, the confirmation sends the requester to "My requests".
    Row("interactions:referral_submitted", only(*PHYSICIANS, ok=302)),
    Row("interactions:referral_submitted", everyone(405), method="post"),
    Row("interactions:my_requests", only(*PHYSICIANS)),
    Row("interactions:my_requests", everyone(405), method="post"),
    Row("interactions:supporter_directory", only(*PHYSICIANS, "coordinator", "director")),
    Row("interactions:supporter_directory", everyone(405), method="post"),
    # Coordinators.
    Row("interactions:queue", only("coordinator")),
    Row("interactions:queue", everyone(405), method="post"),
    Row("interactions:event_record", only("coordinator")),
    # An empty event form comes back with its errors.
    Row("interactions:event_record", only("coordinator"), method="post"),
    Row("interactions:event_record", everyone(405), method="put"),
    # A request taken by phone: the coordinators; an empty form comes back with its errors.
    Row("interactions:call_record", only("coordinator")),
    Row("interactions:call_record", only("coordinator", ok=400), method="post"),
    Row("interactions:call_record", everyone(405), method="put"),
    # Linking a request kept by name to the roster: its site's coordinators.
    Row(
        "interactions:referral_link_physician",
        _others(coordinator=400, supporter_a=403),
        method="post",
        kwargs=_held_by_a,
    ),
    Row("interactions:referral_link_physician", everyone(405), kwargs=_held_by_a),
    # Supporters.
    Row("interactions:case_list", only("supporter_a", "supporter_b")),
    Row("interactions:case_list", everyone(405), method="post"),
    # One referral: its site's coordinators and its supporter; nobody else learns it exists.
    Row(
        "interactions:referral_detail", _others(coordinator=200, supporter_a=200), kwargs=_held_by_a
    ),
    Row("interactions:referral_detail", _others(), kwargs=_new_in_b),
    Row("interactions:referral_detail", everyone(405), method="post", kwargs=_held_by_a),
    Row(
        "interactions:referral_assign",
        _others(coordinator=302),
        method="post",
        kwargs=_new_in_a,
        data=lambda cast: {"supporter": cast.supporter_a_profile.pk, "version": 0},
    ),
    Row(
        "interactions:referral_assign",
        _others(),
        method="post",
        kwargs=_new_in_b,
        data=lambda cast: {"supporter": cast.supporter_b_profile.pk, "version": 0},
    ),
    Row("interactions:referral_assign", everyone(405), kwargs=_new_in_a),
    # Accept or decline: only the supporter it waits on (the coordinator sees it: 403).
    Row(
        "interactions:referral_accept",
        _others(coordinator=403, supporter_a=302),
        method="post",
        kwargs=_held_by_a,
    ),
    Row("interactions:referral_accept", everyone(405), kwargs=_held_by_a),
    Row(
        "interactions:referral_decline",
        _others(coordinator=403, supporter_a=302),
        method="post",
        kwargs=_held_by_a,
        data=lambda cast: {"reason": "capacity"},
    ),
    Row("interactions:referral_decline", everyone(405), kwargs=_held_by_a),
]


# --- case work ---------------------------------------------------------------------------------

SUPPORTERS = ("supporter_a", "supporter_b")


def _accepted_by_a(cast) -> dict:
    referral = referral_in_status(
        "accepted", department=cast.department_a, supporter=cast.supporter_a_profile
    )
    return {"pk": referral.pk}


def _contacted_by_a(cast) -> dict:
    return {
        "pk": referral_contacted(
            department=cast.department_a, supporter=cast.supporter_a_profile
        ).pk
    }


def _supported_by_a(cast) -> dict:
    """Contacted, with a support conversation logged: ready to close as supported."""
    referral = referral_contacted(department=cast.department_a, supporter=cast.supporter_a_profile)
    interaction_logged(supporter=cast.supporter_a_profile, referral=referral)
    return {"pk": referral.pk}


def _conflict_of_a(cast) -> dict:
    services.supporter_conflict_declare(
        actor=None, supporter=cast.supporter_a_profile, physician=cast.physician_profile
    )
    return {"physician_pk": cast.physician_profile.pk}


def _away_period_of_a(cast) -> dict:
    today = timezone.localdate()
    period = services.supporter_away_period_add(
        actor=None, supporter=cast.supporter_a_profile, starts_on=today, ends_on=today
    )
    return {"pk": period.pk}


def _contact_window_of_a(cast) -> dict:
    (window,) = services.supporter_contact_windows_add(
        actor=None,
        supporter=cast.supporter_a_profile,
        weekdays=[0],
        starts_at=time(8),
        ends_at=time(9),
    )
    return {"pk": window.pk}


def _debrief_of(member: str):
    def kwargs(cast) -> dict:
        supporter = getattr(cast, f"{member}_profile")
        request, _ = services.debrief_request(
            actor=None, supporter=supporter, trigger="asked", notify=False
        )
        return {"pk": request.pk}

    return kwargs


def _today() -> str:
    return timezone.localdate().isoformat()


INTERACTION = {
    "successful": "yes",
    "duration_minutes": "55",
    "modality": "phone",
    "topics": ["adverse_outcome"],
}

ROWS += [
    # The supporter who holds an accepted case works it; its coordinator sees it (403 to act);
    # nobody else learns it exists.
    Row(
        "interactions:referral_outreach",
        _others(coordinator=403, supporter_a=302),
        method="post",
        kwargs=_accepted_by_a,
        data=lambda cast: {
            "attempted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "method": "phone",
            "reached": "yes",
        },
    ),
    # Not accepted yet: accept first.
    Row(
        "interactions:referral_outreach",
        _others(coordinator=403, supporter_a=403),
        method="post",
        kwargs=_held_by_a,
        data=lambda cast: {"attempted_at": "", "method": "phone", "reached": "yes"},
    ),
    Row("interactions:referral_outreach", everyone(405), kwargs=_accepted_by_a),
    Row(
        "interactions:referral_interaction_log",
        _others(coordinator=403, supporter_a=200),
        kwargs=_contacted_by_a,
    ),
    Row(
        "interactions:referral_interaction_log",
        _others(coordinator=403, supporter_a=302),
        method="post",
        kwargs=_contacted_by_a,
        data=lambda cast: {**INTERACTION, "occurred_on": _today()},
    ),
    Row("interactions:referral_interaction_log", everyone(405), method="put", kwargs=_held_by_a),
    Row(
        "interactions:referral_close",
        _others(coordinator=403, supporter_a=302),
        method="post",
        kwargs=_supported_by_a,
        data=lambda cast: {"outcome": "supported"},
    ),
    Row("interactions:referral_close", everyone(405), kwargs=_supported_by_a),
    # The note for the next supporter and handing a case back: the case's supporter alone.
    Row(
        "interactions:referral_handoff_note",
        _others(coordinator=403, supporter_a=302),
        method="post",
        kwargs=_contacted_by_a,
        data=lambda cast: {"handoff-handoff_note": "Evenings are best"},
    ),
    Row("interactions:referral_handoff_note", everyone(405), kwargs=_contacted_by_a),
    Row(
        "interactions:referral_hand_back",
        _others(coordinator=403, supporter_a=302),
        method="post",
        kwargs=_contacted_by_a,
        data=lambda cast: {"hand_back-reason": "capacity"},
    ),
    Row("interactions:referral_hand_back", everyone(405), kwargs=_contacted_by_a),
    # A supporter's own pages.
    Row("interactions:interaction_list", only(*SUPPORTERS)),
    Row("interactions:interaction_list", everyone(405), method="post"),
    Row("interactions:interaction_new", only(*SUPPORTERS)),
    Row(
        "interactions:interaction_new",
        only(*SUPPORTERS, ok=302),
        method="post",
        data=lambda cast: {
            **INTERACTION,
            "occurred_on": _today(),
            "department": cast.department_c.pk,
        },
    ),
    Row("interactions:interaction_new", everyone(405), method="put"),
    Row("interactions:availability", only(*SUPPORTERS)),
    Row(
        "interactions:availability",
        only(*SUPPORTERS, ok=302),
        method="post",
        data=lambda cast: {"accepting_referrals": "no", "caseload_cap": "2"},
    ),
    Row("interactions:availability", everyone(405), method="put"),
    Row(
        "interactions:away_period_add",
        only(*SUPPORTERS, ok=302),
        method="post",
        data=lambda cast: {"starts_on": _today(), "ends_on": _today()},
    ),
    Row("interactions:away_period_add", everyone(405)),
    # Only supporter A is away then: supporter B has no such period to remove.
    Row(
        "interactions:away_period_remove",
        only(*SUPPORTERS, ok=302) | {"supporter_b": 404},
        method="post",
        kwargs=_away_period_of_a,
    ),
    Row("interactions:away_period_remove", everyone(405), kwargs=_away_period_of_a),
    Row(
        "interactions:contact_window_add",
        only(*SUPPORTERS, ok=302),
        method="post",
        data=lambda cast: {"weekdays": ["0", "4"], "starts_at": "08:00", "ends_at": "17:00"},
    ),
    Row("interactions:contact_window_add", everyone(405)),
    Row(
        "interactions:contact_window_remove",
        only(*SUPPORTERS, ok=302) | {"supporter_b": 404},
        method="post",
        kwargs=_contact_window_of_a,
    ),
    Row("interactions:contact_window_remove", everyone(405), kwargs=_contact_window_of_a),
    Row(
        "interactions:conflict_declare",
        only(*SUPPORTERS, ok=302),
        method="post",
        data=lambda cast: {"physician": cast.physician_profile.pk},
    ),
    Row("interactions:conflict_declare", everyone(405)),
    # Only supporter A declared this conflict: supporter B has none to withdraw.
    Row(
        "interactions:conflict_withdraw",
        only(*SUPPORTERS, ok=302) | {"supporter_b": 404},
        method="post",
        kwargs=_conflict_of_a,
    ),
    Row("interactions:conflict_withdraw", everyone(405), kwargs=_conflict_of_a),
    Row("interactions:supporter_care", only(*SUPPORTERS)),
    Row("interactions:supporter_care", everyone(405), method="post"),
    Row(
        "interactions:debrief_request",
        only(*SUPPORTERS, ok=302),
        method="post",
        data=lambda cast: {"trigger": "asked"},
    ),
    Row("interactions:debrief_request", everyone(405)),
    # Coordinators: the supporters of their sites, as counts.
    Row("interactions:supporter_load", only("coordinator")),
    Row("interactions:supporter_load", everyone(405), method="post"),
    Row(
        "interactions:debrief_held",
        only("coordinator", ok=302),
        method="post",
        kwargs=_debrief_of("supporter_a"),
    ),
    # Supporter B works at South, where the coordinator has no role.
    Row(
        "interactions:debrief_held",
        only("coordinator", ok=404),
        method="post",
        kwargs=_debrief_of("supporter_b"),
    ),
    Row("interactions:debrief_held", everyone(405), kwargs=_debrief_of("supporter_a")),
]


# --- the on-call roster -----------------------------------------------------------------------

ON_CALL = ("director", "coordinator", "supporter_a", "supporter_b")
ON_CALL_FEED = ("coordinator", "supporter_a", "supporter_b")


def _shift_of(member: str):
    """A weekly shift at North held by `member` (the coordinator or supporter A)."""

    def kwargs(cast) -> dict:
        shift = services.on_call_shift_add(
            actor=cast.director,
            site=cast.north,
            user=getattr(cast, member),
            weekday=0,
            starts=time(8),
            ends=time(17),
        )
        return {"pk": shift.pk}

    return kwargs


def _time_off_of(member: str):
    def kwargs(cast) -> dict:
        starts_at = timezone.now() + timedelta(days=1)
        exception = services.on_call_exception_add(
            actor=cast.director,
            site=cast.north,
            user=getattr(cast, member),
            kind="off",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=4),
        )
        return {"pk": exception.pk}

    return kwargs


def _feed_of_a(cast) -> dict:
    return {"token": services.on_call_feed_issue(user=cast.supporter_a)}


def _tomorrow_at(hour: int) -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat() + f"T{hour:02d}:00"


def _removal_rows(name: str, of) -> list[Row]:
    """Removing a shift or time off at North: whoever edits North's roster; a supporter only
    their own (South's supporter learns nothing of North's)."""
    return [
        Row(
            name,
            only(*ON_CALL, ok=302) | {"supporter_b": 404},
            method="post",
            kwargs=of("supporter_a"),
        ),
        Row(
            name,
            only(*ON_CALL, ok=302) | {"supporter_a": 403, "supporter_b": 404},
            method="post",
            kwargs=of("coordinator"),
        ),
        Row(name, everyone(405), kwargs=of("supporter_a")),
    ]


# Without ?site= the calendar shows the first site one sees: North for all but supporter B
# (South), who may put only themself on call, and so not supporter A.
ROWS += [
    Row("on_call:calendar", only(*ON_CALL)),
    # South: the director and South's supporter; North's coordinator and supporter learn nothing.
    Row(
        "on_call:calendar",
        only(*ON_CALL) | {"coordinator": 404, "supporter_a": 404},
        data=lambda cast: {"site": cast.south.pk},
    ),
    Row("on_call:calendar", everyone(405), method="post"),
    Row(
        "on_call:shift_add",
        only(*ON_CALL, ok=302) | {"supporter_b": 400},
        method="post",
        data=lambda cast: {
            "shift-user": cast.supporter_a.pk,
            "shift-weekday": "0",
            "shift-starts": "08:00",
            "shift-ends": "17:00",
            "shift-position": "1",
        },
    ),
    Row("on_call:shift_add", everyone(405)),
    *_removal_rows("on_call:shift_remove", _shift_of),
    Row(
        "on_call:exception_add",
        only(*ON_CALL, ok=302) | {"supporter_b": 400},
        method="post",
        data=lambda cast: {
            "exception-user": cast.supporter_a.pk,
            "exception-kind": "off",
            "exception-starts_at": _tomorrow_at(9),
            "exception-ends_at": _tomorrow_at(12),
            "exception-position": "1",
        },
    ),
    Row("on_call:exception_add", everyone(405)),
    *_removal_rows("on_call:exception_remove", _time_off_of),
    # One's own feed: whoever may be on call (the director holds no shift).
    Row("on_call:feed", only(*ON_CALL_FEED)),
    Row("on_call:feed", everyone(405), method="post"),
    Row("on_call:feed_issue", only(*ON_CALL_FEED), method="post"),
    Row("on_call:feed_issue", everyone(405)),
    Row("on_call:feed_revoke", only(*ON_CALL_FEED, ok=302), method="post"),
    Row("on_call:feed_revoke", everyone(405)),
    # The feed itself: the token is the key, with or without signing in.
    Row("on_call:feed_ics", everyone(200, anonymous=200), kwargs=_feed_of_a),
    Row("on_call:feed_ics", everyone(404, anonymous=404), kwargs=lambda cast: {"token": "x" * 43}),
    Row("on_call:feed_ics", everyone(405, anonymous=405), method="post", kwargs=_feed_of_a),
]

# The REST API takes API tokens only: a signed-in session is no token (401), and so is none.
# What each token may do: tests/interactions/test_api_intake.py.
ROWS += [
    Row("api_event_record", everyone(401, anonymous=401), method="post"),
    Row("api_event_record", everyone(401, anonymous=401)),
]


# --- paging of urgent referrals -----------------------------------------------------------------


def _urgent_in_a(cast) -> dict:
    """An urgent referral of department A, paged (by email) and not acknowledged yet."""
    return {"pk": referral_new(department=cast.department_a, urgency="safety", notify=True).pk}


def _reply_link(cast) -> dict:
    """The token of the reply link in the page an urgent referral sent the coordinator."""
    referral_new(department=cast.department_a, urgency="safety", notify=True)
    body = OutboxEmail.objects.filter(kind="interactions.urgent").latest("pk").body
    return {"token": re.search(r"/page/([^/\s]+)/", body).group(1)}


ROWS += [
    # The site's coordinators acknowledge on the referral page; its supporter and everyone
    # else cannot (nobody else learns it exists).
    Row(
        "interactions:referral_acknowledge",
        _others(coordinator=302),
        method="post",
        kwargs=_urgent_in_a,
    ),
    Row("interactions:referral_acknowledge", everyone(405), kwargs=_urgent_in_a),
    # The reply link of a page: whoever holds it, signed in or not; it shows nothing of the case.
    Row("interactions:page_acknowledge", everyone(200, anonymous=200), kwargs=_reply_link),
    Row(
        "interactions:page_acknowledge",
        everyone(200, anonymous=200),
        method="post",
        kwargs=_reply_link,
    ),
    Row(
        "interactions:page_acknowledge",
        everyone(404, anonymous=404),
        kwargs=lambda cast: {"token": "no-such-page"},
    ),
    Row(
        "interactions:page_acknowledge",
        everyone(405, anonymous=405),
        method="put",
        kwargs=_reply_link,
    ),
]
