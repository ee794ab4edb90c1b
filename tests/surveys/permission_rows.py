"""Who may use each surveys URL. Directors run surveys; leads see results of their departments;
everyone, signed in or not, may answer through a link."""

from __future__ import annotations

from tests.permission_table import Row, everyone, only

from .factories import make_campaign, make_invitation, version_of

MANAGERS = ("director",)
READERS = ("director", "lead")


def _campaign_in_a(cast):
    return {"pk": make_campaign(departments=[cast.department_a]).pk}


def _campaign_in_b(cast):
    return {"pk": make_campaign(departments=[cast.department_b]).pk}


def _custom_instrument(cast):
    from surveys import services

    instrument = services.instrument_create(
        actor=cast.director,
        code="pulse",
        name="Pulse",
        questions=[services.QuestionSpec(code="ok", text="All right?", kind="yes_no")],
    )
    return {"pk": instrument.pk}


def _builtin_instrument(cast):
    return {"pk": version_of("wellbeing").instrument_id}


def _token(cast):
    campaign = make_campaign(departments=[cast.department_a])
    _, token = make_invitation(campaign, cast.physician_profile)
    return {"token": token}


ROWS = [
    Row("surveys:campaign_list", only(*READERS)),
    Row("surveys:campaign_list", everyone(405), method="post"),
    Row("surveys:campaign_create", only(*MANAGERS)),
    # An empty form comes back with its errors (200) for the director.
    Row("surveys:campaign_create", only(*MANAGERS), method="post"),
    Row("surveys:campaign_detail", only(*READERS), kwargs=_campaign_in_a),
    Row(
        "surveys:campaign_detail",
        only("director", others=403) | {"lead": 404},
        kwargs=_campaign_in_b,
    ),
    Row("surveys:campaign_detail", everyone(405), kwargs=_campaign_in_a, method="post"),
    Row("surveys:campaign_close", only(*MANAGERS, ok=302), kwargs=_campaign_in_a, method="post"),
    Row("surveys:campaign_close", everyone(405), kwargs=_campaign_in_a),
    Row("surveys:campaign_export", only(*MANAGERS), kwargs=_campaign_in_a),
    Row("surveys:campaign_export", everyone(405), kwargs=_campaign_in_a, method="post"),
    Row("surveys:instrument_list", only(*MANAGERS)),
    Row("surveys:instrument_list", everyone(405), method="post"),
    Row("surveys:instrument_create", only(*MANAGERS)),
    Row("surveys:instrument_create", only(*MANAGERS), method="post"),
    Row("surveys:instrument_detail", only(*MANAGERS), kwargs=_builtin_instrument),
    Row("surveys:instrument_detail", everyone(405), kwargs=_builtin_instrument, method="post"),
    Row("surveys:instrument_version_create", only(*MANAGERS), kwargs=_custom_instrument),
    Row(
        "surveys:instrument_version_create",
        only(*MANAGERS),
        kwargs=_custom_instrument,
        method="post",
    ),
    # Built-in instruments keep their codes and scales: no new version, even for the director.
    Row("surveys:instrument_version_create", only(), kwargs=_builtin_instrument),
    # Public: the link is the credential.
    Row("surveys:response_create", everyone(200, anonymous=200), kwargs=_token),
    # Without answers the form comes back with its messages; nothing is stored.
    Row("surveys:response_create", everyone(200, anonymous=200), kwargs=_token, method="post"),
    Row(
        "surveys:response_create",
        everyone(404, anonymous=404),
        kwargs=lambda cast: {"token": "no-such-link"},
    ),
    Row("surveys:response_create", everyone(405, anonymous=405), kwargs=_token, method="put"),
    Row("surveys:response_thanks", everyone(200, anonymous=200)),
    Row("surveys:response_thanks", everyone(405, anonymous=405), method="post"),
]
