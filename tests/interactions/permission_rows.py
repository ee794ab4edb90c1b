from tests.permission_table import Row, everyone, only

from .factories import referral_assigned, referral_new, trained

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
    # Requesting support: anyone on the roster.
    Row("interactions:referral_request", only(*PHYSICIANS)),
    Row(
        "interactions:referral_request",
        only(*PHYSICIANS, ok=302),
        method="post",
        data=lambda cast: REQUEST,
    ),
    Row("interactions:referral_request", everyone(405), method="put"),
    Row("interactions:roster_search", only(*PHYSICIANS)),
    Row("interactions:roster_search", everyone(405), method="post"),
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
