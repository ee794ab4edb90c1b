"""Requests for support: a referral from a physician or a colleague, and the referrals a
difficult event opens."""

from __future__ import annotations

import base64
import operator
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import partial, reduce

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Subquery
from django.utils.translation import gettext

from post_program.models import Department, PeerSupporter, Physician, User
from post_program.services import audit_record

from ..models import (
    EVENT_REASON,
    IS_OPEN,
    ContactMethod,
    DepartmentPreference,
    DifficultEvent,
    EventKind,
    NotificationKind,
    Referral,
    ReferralEvent,
    ReminderKind,
    RequestReceipt,
    Source,
    Urgency,
    first_contact_deadline,
    new_referral_id,
    receipt_digest,
)
from .deadlines import _remind, deadlines_bring_forward
from .notifications import _notify, site_coordinators
from .paging import urgent_alert_open
from .transitions import (
    ReferralError,
    _audit,
    _check_version,
    _event,
    _event_row,
    _lock,
    _now,
)


@dataclass(frozen=True)
class RequestResult:
    referral: Referral
    created: bool  # False: the request joined an open referral, or the form was sent twice
    receipt: str = ""  # the code of a request made anonymously, shown to its requester once


RECEIPT_BYTES = 10  # 80 bits, sixteen letters and digits


def _receipt_new(referral: Referral, at: datetime) -> str:
    letters = base64.b32encode(secrets.token_bytes(RECEIPT_BYTES)).decode()
    code = "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))
    RequestReceipt.objects.create(referral=referral, digest=receipt_digest(code), requested_at=at)
    return code


class _Conflict(Exception):
    """The new referral met, in a unique constraint, another request (for the same physician,
    or the same form) that committed after this one looked."""


def _join(
    referral: Referral,
    *,
    requester: User | None,
    source: str,
    urgency: str,
    referrer_may_be_named: bool,
    submission_key: uuid.UUID | None,
    intake: dict[str, str],
    at: datetime,
    notify: bool,
) -> RequestResult:
    """A request for a physician who already has an open referral joins that referral. An
    urgent one raises it to urgent and, until first contact is made, brings its deadline (and
    the reminders of that deadline) forward to this request's urgent deadline, never later."""
    joined = _event_row(
        referral,
        EventKind.REQUESTED_AGAIN,
        actor=requester,
        at=at,
        from_status=referral.status,
        submission_key=submission_key,
        source=source,
        referrer_may_be_named=referrer_may_be_named,
    )
    joined.detail.update(intake)
    events = [joined]
    raised = urgency == Urgency.SAFETY and referral.urgency != Urgency.SAFETY
    if raised:
        referral.urgency = Urgency.SAFETY
        referral.version += 1
        due = first_contact_deadline(at, Urgency.SAFETY)
        sooner = referral.first_contact_at is None and due < referral.first_contact_due_at
        if sooner:
            referral.first_contact_due_at = due
        referral.save(update_fields=["urgency", "first_contact_due_at", "version"])
        if sooner:
            deadlines_bring_forward(referral)
        events.append(_event_row(referral, EventKind.URGENCY_RAISED, actor=requester, at=at))
    ReferralEvent.objects.bulk_create(events)
    if raised and notify:
        urgent_alert_open(referral, at=at)
    _audit(requester, "referral.request_again", referral, urgency_raised=raised, **intake)
    return RequestResult(referral=referral, created=False)


def _sent_before_and_open(
    submission_key: uuid.UUID | None, physician: Physician | None
) -> tuple[Referral | None, Referral | None]:
    """In one query: the referral a form with this key already opened or joined (the same
    form sent twice), and the physician's open referral with its department. The referral
    rows found stay locked until the end of the transaction (the department row does not)."""
    wanted = []
    referrals = Referral.objects.select_for_update(of=("self",)).select_related("department")
    if submission_key is not None:
        joined = ReferralEvent.objects.filter(submission_key=submission_key)
        referrals = referrals.annotate(joined_by_key=Subquery(joined.values("referral_id")[:1]))
        wanted += [Q(submission_key=submission_key), Q(pk=F("joined_by_key"))]
    if physician is not None:
        wanted.append(Q(physician=physician) & IS_OPEN)
    if not wanted:
        return None, None
    sent_before = open_referral = None
    for row in referrals.filter(reduce(operator.or_, wanted)):
        if submission_key is not None and row.submission_key == submission_key:
            sent_before = row  # the referral the form opened
        elif row.pk == getattr(row, "joined_by_key", None) and sent_before is None:
            sent_before = row  # the one it joined
        if physician is not None and row.physician_id == physician.pk and row.is_open:
            open_referral = row
    return sent_before, open_referral


def referral_request(
    *,
    requester: User,
    source: str,
    department: Department,
    reason: str,
    physician: Physician | None = None,
    named_colleague: str = "",
    note: str = "",
    urgency: str = Urgency.ROUTINE,
    contact_method: str = ContactMethod.ANY,
    department_preference: str = DepartmentPreference.NONE,
    requested_supporter: PeerSupporter | None = None,
    referrer_may_be_named: bool = False,
    submission_key: uuid.UUID | None = None,
    event: DifficultEvent | None = None,
    caller_role: str = "",
    caller_contact: str = "",
    channel: str = "",
    anonymous: bool = False,
    referral_id: str = "",
    at: datetime | None = None,
    notify: bool = True,
) -> RequestResult:
    """Record a request for support. A physician with an open referral keeps that one: the
    request joins it (and can raise it to urgent). The same form sent twice is one request.

    `caller_role`: a coordinator (`requester`) took the request from someone who called or
    wrote (`channel`), described by role and an optional contact, who is not the referrer.
    `anonymous`: nothing stored ties the request to `requester` (no referrer, no actor of its
    history or audit rows); they get a receipt code instead (`RequestResult.receipt`).
    `notify`: the site's coordinators get an email (a safety concern pages the site's on-call
    person instead, until someone acknowledges: services.paging), and the first-contact
    deadline is scheduled. `referral_id`: a stable key given by the caller
    (imports, the demo); a new random one otherwise.
    """
    at = _now(at)
    if caller_role or anonymous:
        referrer_may_be_named = False
    asked_by = None if anonymous else requester
    if physician is not None:
        department = physician.department
        named_colleague = ""
    new = partial(
        Referral,
        referral_id=referral_id or new_referral_id(),
        received_at=at,
        first_contact_due_at=first_contact_deadline(at, urgency),
        source=source,
        physician=physician,
        named_colleague=named_colleague.strip(),
        department=department,
        referrer=None if caller_role else asked_by,
        referrer_may_be_named=referrer_may_be_named and source == Source.THIRD_PARTY,
        caller_role=caller_role,
        caller_contact=caller_contact.strip(),
        reason=reason,
        note=note.strip(),
        urgency=urgency,
        contact_method=contact_method,
        department_preference=department_preference,
        requested_supporter=requested_supporter,
        event=event,
        submission_key=submission_key,
    )
    attempt = partial(
        _request,
        new,
        requester=asked_by,
        source=source,
        urgency=urgency,
        referrer_may_be_named=referrer_may_be_named,
        submission_key=submission_key,
        physician=physician,
        intake={"caller_role": caller_role, "channel": channel} if caller_role else {},
        at=at,
        notify=notify,
    )

    def tries() -> RequestResult:
        try:
            return attempt(last_try=False)
        except _Conflict:
            # Another request for the same physician (or the same form) committed in between;
            # asked again, this one finds its referral and joins it (or is that same request).
            return attempt(last_try=True)

    if not anonymous:
        return tries()
    with transaction.atomic():  # the request and its receipt, or neither
        result = tries()
        return replace(result, receipt=_receipt_new(result.referral, at))


@transaction.atomic
def _request(
    new: Callable[[], Referral],
    *,
    requester: User | None,
    source: str,
    urgency: str,
    referrer_may_be_named: bool,
    submission_key: uuid.UUID | None,
    physician: Physician | None,
    intake: dict[str, str],
    at: datetime,
    notify: bool,
    last_try: bool,
) -> RequestResult:
    """One try of `referral_request`, in one transaction and without a savepoint of its own:
    a unique constraint met by a concurrent request rolls the whole try back (_Conflict)."""
    sent_before, open_referral = _sent_before_and_open(submission_key, physician)
    if sent_before is not None:
        return RequestResult(referral=sent_before, created=False)
    if open_referral is not None:
        return _join(
            open_referral,
            requester=requester,
            source=source,
            urgency=urgency,
            referrer_may_be_named=referrer_may_be_named,
            submission_key=submission_key,
            intake=intake,
            at=at,
            notify=notify,
        )
    referral = new()
    try:
        referral.save()
    except IntegrityError:
        if last_try:
            raise
        raise _Conflict from None
    _event(referral, EventKind.RECEIVED, actor=requester, at=at, source=source, **intake)
    _audit(requester, "referral.request", referral, source=source, urgency=urgency, **intake)
    if notify:
        if urgency == Urgency.SAFETY:
            urgent_alert_open(referral, at=at)  # pages until someone acknowledges
        else:
            # A coordinator recording an event needs no email about their own referrals.
            coordinators = site_coordinators(referral.department.site_id)
            _notify(NotificationKind.NEW_REFERRAL, referral, users=coordinators, skip=requester)
        _remind(referral, ReminderKind.CONTACT_OVERDUE, referral.first_contact_due_at)
    return RequestResult(referral=referral, created=True)


@transaction.atomic
def event_record(
    *,
    actor: User,
    occurred_on: date,
    department: Department,
    category: str,
    physicians: Iterable[Physician],
    referral_ids: Sequence[str] = (),
    at: datetime | None = None,
    notify: bool = True,
) -> tuple[DifficultEvent, list[RequestResult]]:
    """Record a difficult event and open one referral per physician involved (source
    `event`); a physician who already has an open referral keeps it. `referral_ids` gives
    stable keys to the new referrals, in the order of `physicians` (the demo)."""
    at = _now(at)
    physicians = list(physicians)
    keys = [*referral_ids, *[""] * (len(physicians) - len(referral_ids))][: len(physicians)]
    event = DifficultEvent.objects.create(
        occurred_on=occurred_on,
        department=department,
        category=category,
        recorded_by=actor,
        recorded_at=at,
    )
    results = [
        referral_request(
            requester=actor,
            source=Source.EVENT,
            department=department,
            physician=physician,
            reason=EVENT_REASON[category],
            event=event,
            referral_id=referral_id,
            at=at,
            notify=notify,
        )
        for physician, referral_id in zip(physicians, keys, strict=True)
    ]
    audit_record(
        actor=actor,
        action="event.record",
        obj=event,
        department_id=department.pk,
        category=category,
        referral_ids=[result.referral.referral_id for result in results],
    )
    return event, results


@transaction.atomic
def referral_link_physician(
    *,
    actor: User | None,
    referral: Referral | int,
    physician: Physician,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Referral:
    """A request kept by name (a physician not on the roster when it came) linked to the
    physician's roster entry once there is one, in the referral's department. The name typed
    is dropped: the roster entry names them now."""
    at = _now(at)
    referral = _lock(referral)
    _check_version(referral, expected_version)
    if referral.physician_id is not None:
        raise ReferralError(gettext("This referral is already linked to a roster entry."))
    if not referral.is_open:
        raise ReferralError(gettext("This referral is closed."))
    if physician.department_id != referral.department_id:
        raise ReferralError(gettext("Choose a physician of the referral's department."))
    other = Referral.objects.filter(physician=physician).filter(IS_OPEN).first()
    if other is not None:
        raise ReferralError(
            gettext(
                "This physician already has an open referral (%(referral_id)s); close one of "
                "the two first."
            )
            % {"referral_id": other.referral_id}
        )
    referral.physician = physician
    referral.named_colleague = ""
    referral.version += 1
    referral.save(update_fields=["physician", "named_colleague", "version"])
    _event(referral, EventKind.LINKED, actor=actor, at=at, from_status=referral.status)
    _audit(actor, "referral.link_physician", referral, physician_id=physician.pk)
    return referral
