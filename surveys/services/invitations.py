"""Invitations: the emails that carry links and their reminders, and the invitations other
apps plan (recipient feedback, training evaluations), sent when due."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from post_program.i18n import in_language_of
from post_program.jobs import enqueue_on_commit
from post_program.mail import email_compose, email_connection, email_link, email_send
from post_program.models import Physician
from post_program.services import audit_record
from post_program.tokens import token_new

from ..models import (
    Campaign,
    Instrument,
    Invitation,
    InvitationToken,
    PlannedInvitation,
)
from .campaigns import default_reminder_days
from .links import spent_invitation_ids

logger = logging.getLogger(__name__)

SEND_BATCH = 200
# The instrument each automatic campaign uses, and the other way round.
TRIGGER_INSTRUMENTS: dict[str, str] = {
    Campaign.Trigger.RECIPIENT_FEEDBACK: "recipient_feedback",
    Campaign.Trigger.TRAINING_EVALUATION: "supporter_training",
}
INSTRUMENT_TRIGGERS: dict[str, str] = {
    code: trigger for trigger, code in TRIGGER_INSTRUMENTS.items()
}


def answer_url(token: str) -> str:
    return email_link(reverse("surveys:response_create", kwargs={"token": token}))


def _message(invitation: Invitation, token: str, *, reminder: bool) -> EmailMessage:
    """The email: the link and the closing date; no names, no details of any case. A survey
    sent because of an event (a supported case, a course) is not named: "Recipient feedback"
    in a mailbox would tell its reader that the person was supported. It is written in the
    recipient's language, whoever's request sends it."""
    campaign = invitation.campaign
    recipient = invitation.physician
    assert recipient is not None, "a forgotten invitation is never sent"
    context = {
        "url": answer_url(token),
        "expires_on": invitation.expires_on,
        "reminder": reminder,
        "instrument": None if campaign.trigger else campaign.version.instrument,
        "help_url": email_link(reverse("help_now")),
    }
    with in_language_of(recipient.user):
        subject = render_to_string("surveys/email/invitation_subject.txt", context).strip()
        body = render_to_string("surveys/email/invitation_body.txt", context)
    return email_compose(to=recipient.email, subject=subject, body=body)


def _deliver(
    messages: list[tuple[Invitation, EmailMessage]],
) -> list[Invitation]:
    """Send each message; return the invitations whose message could not be sent."""
    failed = []
    connection = email_connection()
    for invitation, message in messages:
        try:
            email_send(message, connection=connection)
        except Exception as exc:  # any transport error: undo this one and let the next run retry
            # The error's kind only: its text (and a traceback's) can hold the address.
            logger.warning(
                "survey email for invitation %s could not be sent (%s)",
                invitation.pk,
                type(exc).__name__,
            )
            failed.append(invitation)
    return failed


def _claim(queryset: QuerySet[Invitation]) -> list[Invitation]:
    return list(
        queryset.select_for_update(skip_locked=True, of=("self",))
        .select_related("physician__user", "campaign__version__instrument")
        .order_by("pk")[:SEND_BATCH]
    )


def _next_reminder(invitation: Invitation, reminders_sent: int) -> datetime | None:
    days = invitation.campaign.reminder_days or []
    if reminders_sent >= len(days) or invitation.sent_at is None:
        return None
    return invitation.sent_at + timedelta(days=days[reminders_sent])


def _send_claimed(
    pending: QuerySet[Invitation],
    *,
    fields: list[str],
    advance: Callable[[Invitation], None],
    reminder: bool,
    action: str,
) -> int:
    """Email a fresh link to every invitation of `pending`, batch by batch.

    Batches are claimed with SKIP LOCKED, so two workers never send to the same invitation.
    `advance` moves an invitation's `fields` forward in the transaction that claims it, with the
    hash of its new link, so that running twice sends nothing twice. An email that fails is
    undone (its link deleted, the fields put back) so the next run sends it again.
    """
    sent = 0
    skipped: set[int] = set()
    while True:
        with transaction.atomic():
            batch = _claim(pending.exclude(pk__in=skipped))
            if not batch:
                break
            before = {i.pk: {name: getattr(i, name) for name in fields} for i in batch}
            messages, tokens = [], []
            for invitation in batch:
                token, digest = token_new()
                tokens.append(InvitationToken(invitation=invitation, token_hash=digest))
                advance(invitation)
                messages.append((invitation, _message(invitation, token, reminder=reminder)))
            InvitationToken.objects.bulk_create(tokens)
            Invitation.objects.bulk_update(batch, fields)
            audit_record(
                actor=None,
                action=action,
                campaign_ids=sorted({i.campaign_id for i in batch}),
                count=len(batch),
            )
        failed = _deliver(messages)
        if failed:
            with transaction.atomic():
                ids = {invitation.pk for invitation in failed}
                InvitationToken.objects.filter(
                    token_hash__in=[t.token_hash for t in tokens if t.invitation.pk in ids]
                ).delete()
                for invitation in failed:
                    Invitation.objects.filter(pk=invitation.pk).update(**before[invitation.pk])
            skipped.update(ids)
        sent += len(batch) - len(failed)
    if sent:
        logger.info("%s: %s", action, sent)
    return sent


def invitations_send(*, campaign_id: int | None = None) -> int:
    """Email every invitation not sent yet (of one campaign, or of all open campaigns)."""
    pending = Invitation.objects.filter(
        sent_at__isnull=True,
        campaign__status=Campaign.Status.OPEN,
        used=False,
        physician__isnull=False,
    )
    if campaign_id is not None:
        pending = pending.filter(campaign_id=campaign_id)
    now = timezone.now()

    def advance(invitation: Invitation) -> None:
        invitation.sent_at = now
        invitation.next_reminder_at = _next_reminder(invitation, 0)

    return _send_claimed(
        pending,
        fields=["sent_at", "next_reminder_at"],
        advance=advance,
        reminder=False,
        action="survey.invitations_send",
    )


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Remind everyone whose next reminder is due and who has not answered (periodic job).

    Each reminder carries a fresh link (the first cannot be rebuilt from its hash); all links
    of an invitation work until one is used.
    """
    now = now or timezone.now()
    due = Invitation.objects.filter(
        used=False,
        sent_at__isnull=False,
        next_reminder_at__lte=now,
        expires_on__gte=timezone.localdate(now),
        campaign__status=Campaign.Status.OPEN,
    )
    # Answered but not settled yet: the invitation is not marked used, but its link is spent.
    due = due.exclude(pk__in=spent_invitation_ids(due))

    def advance(invitation: Invitation) -> None:
        invitation.reminders_sent += 1
        invitation.next_reminder_at = _next_reminder(invitation, invitation.reminders_sent)

    return _send_claimed(
        due,
        fields=["reminders_sent", "next_reminder_at"],
        advance=advance,
        reminder=True,
        action="survey.reminders_send",
    )


# --- Automatic invitations -------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationEvent:
    """An event that calls for a survey: `source_key` names it, so it is invited once."""

    source_key: str
    physician_id: int


def _automatic_campaign(trigger: str, today: date) -> Campaign:
    campaign = Campaign.objects.select_for_update().filter(trigger=trigger).open().first()
    if campaign is not None:
        return campaign
    instrument = Instrument.objects.get(code=TRIGGER_INSTRUMENTS[trigger])
    version = instrument.current_version
    if version is None:
        raise LookupError(f"The instrument {instrument.code!r} has no version to send.")
    campaign = Campaign.objects.create(
        name=f"{instrument.name} (automatic, from {today:%Y-%m-%d})",
        version=version,
        audience=Campaign.Audience.AUTOMATIC,
        trigger=trigger,
        opens_on=today,
        reminder_days=default_reminder_days(),
        status=Campaign.Status.OPEN,
    )
    audit_record(actor=None, action="survey.campaign_open", obj=campaign, trigger=trigger)
    return campaign


def invitations_create_for_events(*, trigger: str, events: Sequence[InvitationEvent]) -> int:
    """Invite each event's physician once, in the open automatic campaign of `trigger`.

    The unique `source_key` makes this idempotent: an event already invited (by this run, an
    earlier one or a concurrent one) is skipped. Returns the number of new invitations.
    """
    if not events:
        return 0
    today = timezone.localdate()
    with transaction.atomic():
        campaign = _automatic_campaign(trigger, today)
        keys = [event.source_key for event in events]
        done = set(
            Invitation.objects.filter(source_key__in=keys).values_list("source_key", flat=True)
        )
        expires_on = today + timedelta(days=settings.SURVEY_AUTOMATIC_LINK_DAYS)
        departments = dict(
            Physician.objects.filter(pk__in={event.physician_id for event in events}).values_list(
                "pk", "department_id"
            )
        )
        new = [
            Invitation(
                campaign=campaign,
                physician_id=event.physician_id,
                department_id=departments[event.physician_id],
                source_key=event.source_key,
                expires_on=expires_on,
            )
            for event in events
            if event.source_key not in done
        ]
        Invitation.objects.bulk_create(new, ignore_conflicts=True)
        if new:
            audit_record(
                actor=None,
                action="survey.invitations_create",
                obj=campaign,
                trigger=trigger,
                invitations=len(new),
            )
            enqueue_on_commit("surveys.tasks.invitations_send", campaign.pk, broker_down_ok=True)
    return len(new)


def _lookback_start(now: datetime) -> datetime:
    """Invitations due at or before this are never sent (so a job turned on late, or history
    brought in by an import, does not mail the past)."""
    return now - timedelta(days=settings.SURVEY_AUTOMATIC_LOOKBACK_DAYS)


def invitation_schedule(
    *, instrument: str, physician_id: int, due_at: datetime, source_key: str
) -> None:
    """Ask for an invitation to the built-in `instrument` (`recipient_feedback`,
    `supporter_training`) for one physician, to go out at `due_at`.

    This is how other apps ask for a survey: the engine does not know why. `source_key` names
    the event (`referral:17`): it is planned once, and invited once (`invitations_create_due`
    skips a source already invited). Runs in the caller's transaction: if that rolls back,
    nothing is planned. An invitation already past the look-back window (history brought in by
    an import) is not planned: it would never be sent.
    """
    trigger = INSTRUMENT_TRIGGERS.get(instrument)
    if trigger is None:
        raise ValueError(f"{instrument!r} is not an instrument other apps can schedule.")
    if due_at <= _lookback_start(timezone.now()):
        return
    PlannedInvitation.objects.bulk_create(
        [
            PlannedInvitation(
                trigger=trigger, physician_id=physician_id, due_at=due_at, source_key=source_key
            )
        ],
        ignore_conflicts=True,
    )


def invitations_create_due(*, now: datetime | None = None) -> dict[str, int]:
    """Turn the planned invitations that are due into invitations, by trigger.

    A plan more than SURVEY_AUTOMATIC_LOOKBACK_DAYS past due is dropped unsent (so a job
    turned on late does not mail the past), and so is one whose physician has no email
    address. Returns the number of new invitations for each trigger."""
    now = now or timezone.now()
    earliest = _lookback_start(now)
    created = {}
    with transaction.atomic():
        PlannedInvitation.objects.filter(due_at__lte=earliest).delete()
        due = list(
            PlannedInvitation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(due_at__lte=now)
            .exclude(physician__email="")
            .order_by("due_at", "pk")
            .values_list("pk", "trigger", "source_key", "physician_id")
        )
        for trigger in TRIGGER_INSTRUMENTS:
            events = [
                InvitationEvent(source_key, physician_id)
                for _, kind, source_key, physician_id in due
                if kind == trigger
            ]
            created[str(trigger)] = invitations_create_for_events(trigger=trigger, events=events)
        PlannedInvitation.objects.filter(
            Q(pk__in=[pk for pk, *_ in due]) | Q(due_at__lte=now, physician__email="")
        ).delete()
    return created


def invitations_forget(*, source_keys: Collection[str]) -> int:
    """Forget who was invited because of these events, once retention de-identified them.

    A plan still waiting is dropped. An invitation loses its recipient, its source and its
    pending reminder, and its links stop working (their hashes are deleted); it keeps its
    campaign, department and whether it was used, so response rates stay the same. Runs in the
    caller's transaction, whose audit row says why. Returns the number of invitations
    forgotten; running it again finds nothing to do."""
    keys = sorted(set(source_keys))
    PlannedInvitation.objects.filter(source_key__in=keys).delete()
    invitations = Invitation.objects.filter(source_key__in=keys)
    InvitationToken.objects.filter(invitation__in=invitations).delete()
    return invitations.update(physician=None, source_key="", next_reminder_at=None)
