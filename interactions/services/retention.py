"""Retention: de-identifying the cases closed more than RETENTION_DAYS ago."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils.translation import gettext

from post_program import program_settings
from post_program.models import AuditEvent, OutboxEmail
from post_program.services import audit_actor_forget, audit_record
from surveys import services as survey_services

from ..models import (
    EventKind,
    HandoffNote,
    Interaction,
    Notification,
    Page,
    Referral,
    ReferralEvent,
    RequestReceipt,
    Status,
    physician_pseudonym,
)
from .casework import recipient_feedback_source
from .transitions import _local_day, _now

# Events recorded by whoever asked for support: their actor is the referrer (or, for a
# self-referral, the physician), so retention forgets it.
REQUESTER_EVENT_KINDS = (EventKind.RECEIVED, EventKind.REQUESTED_AGAIN, EventKind.URGENCY_RAISED)


@dataclass
class PurgeResult:
    cutoff: datetime
    referrals: int = 0
    interactions: int = 0
    physician_links: int = 0
    colleague_names: int = 0
    caller_contacts: int = 0
    notes: int = 0
    referrer_links: int = 0
    requester_events: int = 0
    audit_actors: int = 0
    follow_up_notes: int = 0
    handoff_notes: int = 0
    outbox_rows: int = 0
    survey_invitations: int = 0
    referral_ids: list[str] | None = None

    def add(self, other: PurgeResult) -> None:
        for name in (
            "referrals",
            "interactions",
            "physician_links",
            "colleague_names",
            "caller_contacts",
            "notes",
            "referrer_links",
            "requester_events",
            "audit_actors",
            "follow_up_notes",
            "handoff_notes",
            "outbox_rows",
            "survey_invitations",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_counts(self) -> dict[str, int]:
        return {
            "referrals": self.referrals,
            "interactions": self.interactions,
            "physician_links": self.physician_links,
            "colleague_names": self.colleague_names,
            "caller_contacts": self.caller_contacts,
            "notes": self.notes,
            "referrer_links": self.referrer_links,
            "requester_events": self.requester_events,
            "audit_actors": self.audit_actors,
            "follow_up_notes": self.follow_up_notes,
            "handoff_notes": self.handoff_notes,
            "outbox_rows": self.outbox_rows,
            "survey_invitations": self.survey_invitations,
        }


class RetentionError(Exception):
    """A batch could not be de-identified; nothing of it was changed."""


@dataclass
class _Case:
    """What ties a referral to people: who they are (accounts of the physician and of everyone
    who asked) and how a row can name the case (its objects and public ids)."""

    people: set[int] = field(default_factory=set)
    keys: set[tuple[str, str]] = field(default_factory=set)


def _names_in(object_type: str, object_id: str, detail: object) -> Iterator[tuple[str, str]]:
    """Every case key an audit row holds: its object, and the public ids in its detail."""
    yield object_type, object_id
    if not isinstance(detail, dict):
        return
    for name in ("referral_id", "interaction_id"):
        values = detail.get(name), *(detail.get(f"{name}s") or ())
        yield from ((name, str(value)) for value in values if value)


def _audit_rows_of_people(cases: list[_Case]) -> list[int]:
    """The audit rows in which one of a case's people acted on that case: their request, a
    second request, the "My requests" list that showed it. Only these lose their actor; the
    supporter's and coordinators' work on the case stays attributed."""
    people = set().union(*(case.people for case in cases))
    rows = AuditEvent.objects.filter(actor_id__in=people).values_list(
        "pk", "actor_id", "object_type", "object_id", "detail"
    )
    found = []
    for pk, actor_id, object_type, object_id, detail in rows.iterator():
        names = set(_names_in(object_type, object_id, detail))
        if any(actor_id in case.people and not case.keys.isdisjoint(names) for case in cases):
            found.append(pk)
    return found


def _cases(referrals: list[Referral]) -> list[_Case]:
    """Read, before anything is emptied, what ties each referral to people."""
    requesters: dict[int, set[int]] = {}
    for referral_id, actor_id in ReferralEvent.objects.filter(
        referral__in=referrals, kind__in=REQUESTER_EVENT_KINDS, actor__isnull=False
    ).values_list("referral_id", "actor_id"):
        requesters.setdefault(referral_id, set()).add(actor_id)
    interactions: dict[int, list[tuple[int, str]]] = {}
    for referral_id, pk, public_id in Interaction.objects.filter(
        referral__in=referrals
    ).values_list("referral_id", "pk", "interaction_id"):
        interactions.setdefault(referral_id, []).append((pk, public_id))
    cases = []
    for referral in referrals:
        physician_user = referral.physician.user_id if referral.physician is not None else None
        people = {referral.referrer_id, physician_user, *requesters.get(referral.pk, ())}
        keys = {
            ("interactions.referral", str(referral.pk)),
            ("referral_id", referral.referral_id),
        }
        for pk, public_id in interactions.get(referral.pk, ()):
            keys |= {("interactions.interaction", str(pk)), ("interaction_id", public_id)}
        cases.append(_Case(people={pk for pk in people if pk is not None}, keys=keys))
    return cases


def retention_cutoff(now: datetime | None = None) -> datetime:
    return _now(now) - timedelta(days=program_settings.get().retention_days)


def retention_setting_problems(values) -> Iterator[tuple[str, str]]:
    """A check of the program's settings (post_program.program_settings): retention may not be
    shorter than the longest open case, so that no case the program still works on is already
    older than a closed one may be kept."""
    oldest = Referral.objects.open().aggregate(oldest=Min("received_at"))["oldest"]
    if oldest is None:
        return
    open_days = (_now(None) - oldest).days
    if values.retention_days < open_days:
        yield (
            "retention_days",
            gettext(
                "The longest open case has been open %(days)s days: retention cannot be "
                "shorter than that."
            )
            % {"days": open_days},
        )


def _expired_referrals(cutoff: datetime):
    return Referral.objects.filter(
        status=Status.CLOSED, closed_at__lt=cutoff, deidentified_at__isnull=True
    )


def _expired_proactive(cutoff: datetime):
    """Interactions without a referral are each their own case, closed the day they happened."""
    return Interaction.objects.filter(
        referral__isnull=True,
        occurred_on__lt=_local_day(cutoff),
        deidentified_at__isnull=True,
    )


def retention_due(*, now: datetime | None = None) -> dict[str, int]:
    """How many closed cases and proactive interactions are due for de-identification."""
    cutoff = retention_cutoff(now)
    return {
        "referrals": _expired_referrals(cutoff).count(),
        "proactive_interactions": _expired_proactive(cutoff).count(),
    }


@transaction.atomic
def _purge_referrals(ids: list[int], *, now: datetime, cutoff: datetime) -> PurgeResult:
    result = PurgeResult(cutoff=cutoff)
    referrals = list(
        Referral.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, status=Status.CLOSED, deidentified_at__isnull=True)
        .select_related("physician")
        .order_by("pk")
    )
    cases = _cases(referrals)
    for referral in referrals:
        result.physician_links += referral.physician_id is not None
        result.colleague_names += bool(referral.named_colleague)
        result.caller_contacts += bool(referral.caller_contact)
        result.notes += bool(referral.note)
        result.referrer_links += referral.referrer_id is not None
        if referral.physician is not None:
            referral.physician_pseudonym = physician_pseudonym(referral.physician.physician_id)
        referral.physician = None
        referral.named_colleague = ""
        referral.caller_contact = ""
        referral.note = ""
        referral.referrer = None
        referral.requested_supporter = None
        referral.submission_key = None
        referral.deidentified_at = now
    Referral.objects.bulk_update(
        referrals,
        [
            "physician_pseudonym",
            "physician",
            "named_colleague",
            "caller_contact",
            "note",
            "referrer",
            "requested_supporter",
            "submission_key",
            "deidentified_at",
        ],
    )
    purged = [referral.pk for referral in referrals]
    result.referrals = len(purged)
    result.requester_events = ReferralEvent.objects.filter(
        referral_id__in=purged, kind__in=REQUESTER_EVENT_KINDS, actor__isnull=False
    ).update(actor=None)
    ReferralEvent.objects.filter(referral_id__in=purged, submission_key__isnull=False).update(
        submission_key=None
    )
    result.audit_actors = audit_actor_forget(
        event_ids=_audit_rows_of_people(cases), reason="retention.purge"
    )
    result.handoff_notes, _ = HandoffNote.objects.filter(referral_id__in=purged).delete()
    RequestReceipt.objects.filter(referral_id__in=purged).delete()
    # Whom the case paged, like whom it emailed, goes with it (history and audit keep rounds).
    Page.objects.filter(alert__referral_id__in=purged).delete()
    notified = Notification.objects.filter(referral_id__in=purged)
    OutboxEmail.objects.filter(notification__in=notified).delete()
    result.outbox_rows, _ = notified.delete()
    result.survey_invitations = survey_services.invitations_forget(
        source_keys=[recipient_feedback_source(pk) for pk in purged]
    )
    interactions = Interaction.objects.filter(referral_id__in=purged, deidentified_at__isnull=True)
    result.add(_purge_interactions(interactions, now=now, cutoff=cutoff))
    result.referral_ids = [referral.referral_id for referral in referrals]
    if purged:
        audit_record(
            actor=None,
            action="retention.purge",
            cutoff=cutoff.isoformat(),
            referral_ids=result.referral_ids,
            **result.as_counts(),
        )
    return result


def _purge_interactions(interactions, *, now: datetime, cutoff: datetime) -> PurgeResult:
    """Empty the physician link (the pseudonym stays: it was stored when the interaction was
    logged, or is computed now for a row that lacks it) and the private follow-up note."""
    result = PurgeResult(cutoff=cutoff)
    rows = list(
        interactions.select_for_update(of=("self",)).select_related("physician").order_by("pk")
    )
    for interaction in rows:
        if interaction.physician_id is not None:
            result.physician_links += 1
            if not interaction.physician_pseudonym:
                interaction.physician_pseudonym = physician_pseudonym(
                    interaction.physician.physician_id
                )
        result.follow_up_notes += bool(interaction.follow_up_note)
        interaction.physician = None
        interaction.follow_up_note = ""
        interaction.deidentified_at = now
    Interaction.objects.bulk_update(
        rows, ["physician", "physician_pseudonym", "follow_up_note", "deidentified_at"]
    )
    result.interactions = len(rows)
    return result


@transaction.atomic
def _purge_proactive(ids: list[int], *, now: datetime, cutoff: datetime) -> PurgeResult:
    result = _purge_interactions(
        Interaction.objects.filter(pk__in=ids, deidentified_at__isnull=True), now=now, cutoff=cutoff
    )
    if result.interactions:
        audit_record(
            actor=None,
            action="retention.purge",
            cutoff=cutoff.isoformat(),
            interaction_ids=list(
                Interaction.objects.filter(pk__in=ids).values_list("interaction_id", flat=True)
            ),
            **result.as_counts(),
        )
    return result


def _batch(purge, ids: list[int], *, now: datetime, cutoff: datetime, done: PurgeResult):
    """Purge one batch in its own transaction; a failure undoes the whole batch."""
    try:
        return purge(ids, now=now, cutoff=cutoff)
    except Exception as error:
        raise RetentionError(
            f"De-identification stopped ({type(error).__name__}) in a batch of {len(ids)} "
            f"case(s) or interaction(s): nothing of it was changed. The "
            f"{done.referrals} case(s) and {done.interactions} interaction(s) before it are "
            "de-identified. Run it again once the cause is fixed."
        ) from error


def retention_purge(*, now: datetime | None = None, batch_size: int = 500) -> PurgeResult:
    """De-identify every case closed more than RETENTION_DAYS ago (and every proactive
    interaction older than that): remove notes, free-text names, the referrer and the case's
    outbox rows, replace each link to the supported physician with its keyed pseudonym, make
    the case's survey invitation forget its recipient, and forget the requester (or the
    physician) as the actor of the audit rows of their requests.

    Nothing a report counts changes: dates, sources, outcomes, durations, departments and
    supporters stay, and unique physicians are counted on the pseudonym. Runs in batches, one
    transaction and one audit row each, so a large backlog never holds long locks and an error
    leaves no case half de-identified (RetentionError says so); running it again finds
    nothing to do."""
    now = _now(now)
    cutoff = retention_cutoff(now)
    referral_ids: list[str] = []
    total = PurgeResult(cutoff=cutoff, referral_ids=referral_ids)
    while True:
        ids = list(
            _expired_referrals(cutoff).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        batch = _batch(_purge_referrals, ids, now=now, cutoff=cutoff, done=total)
        total.add(batch)
        referral_ids.extend(batch.referral_ids or [])
    while True:
        ids = list(
            _expired_proactive(cutoff).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        total.add(_batch(_purge_proactive, ids, now=now, cutoff=cutoff, done=total))
    return total
