"""Working a case: first contact, outreach attempts, the interaction log, closing, and the
audit rows left by the pages that show referrals and interactions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from post_program import program_settings
from post_program.models import Department, PeerSupporter, Physician, User
from post_program.services import audit_record
from surveys import services as survey_services

from ..models import (
    MAX_DURATION_MINUTES,
    Assignment,
    AssignmentState,
    EscalationResource,
    EventKind,
    Interaction,
    InteractionSource,
    Modality,
    Outcome,
    OutreachAttempt,
    OutreachMethod,
    Referral,
    Status,
    Topic,
    physician_pseudonym,
)
from .transitions import ReferralError, _audit, _check_version, _event, _local_day, _lock, _now


@transaction.atomic
def referral_record_contact(
    *, actor: User | None, referral: Referral | int, at: datetime | None = None
) -> Referral:
    """The first outreach that reached the physician (issue 4 records it from an outreach
    attempt; this is the transition itself)."""
    at = _now(at)
    referral = _lock(referral)
    if referral.status != Status.ACCEPTED or referral.first_contact_at is not None:
        raise ReferralError(
            gettext("Only an accepted referral without a first contact can be contacted.")
        )
    referral.status = Status.CONTACTED
    referral.first_contact_at = at
    referral.version += 1
    referral.save(update_fields=["status", "first_contact_at", "version"])
    _event(
        referral,
        EventKind.CONTACTED,
        actor=actor,
        at=at,
        from_status=Status.ACCEPTED,
        supporter=referral.assigned_to,
    )
    _audit(actor, "referral.contact", referral)
    return referral


@transaction.atomic
def referral_close(
    *,
    actor: User | None,
    referral: Referral | int,
    outcome: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Referral:
    """Close with an outcome. A pending offer to a supporter is withdrawn."""
    if outcome not in Outcome.values:
        raise ReferralError(gettext("Choose an outcome."))
    at = _now(at)
    referral = _lock(referral)
    _check_version(referral, expected_version)
    if not referral.is_open:
        raise ReferralError(gettext("This referral is already closed."))
    Assignment.objects.filter(referral=referral, state=AssignmentState.PENDING).update(
        state=AssignmentState.WITHDRAWN, responded_at=at
    )
    from_status = referral.status
    referral.status = Status.CLOSED
    referral.outcome = outcome
    referral.closed_at = at
    referral.version += 1
    referral.save(update_fields=["status", "outcome", "closed_at", "version"])
    _event(
        referral,
        EventKind.CLOSED,
        actor=actor,
        at=at,
        from_status=from_status,
        supporter=referral.assigned_to,
        outcome=outcome,
    )
    recipient_feedback_schedule(referral)
    _audit(actor, "referral.close", referral, outcome=outcome)
    return referral


def recipient_feedback_source(referral_pk: int) -> str:
    """The source key under which a case asks for its recipient feedback invitation."""
    return f"referral:{referral_pk}"


def recipient_feedback_schedule(referral: Referral) -> None:
    """A case closed as supported asks the survey engine to invite its physician to give
    feedback RECIPIENT_FEEDBACK_DELAY_DAYS after closing (the engine knows nothing of cases)."""
    if (
        referral.outcome == Outcome.SUPPORTED
        and referral.physician_id is not None
        and referral.closed_at is not None
    ):
        survey_services.invitation_schedule(
            instrument="recipient_feedback",
            physician_id=referral.physician_id,
            due_at=referral.closed_at
            + timedelta(days=program_settings.get().recipient_feedback_delay_days),
            source_key=recipient_feedback_source(referral.pk),
        )


def referral_record_view(*, actor: User, referral: Referral) -> None:
    """Every view of a referral page leaves an audit row (who viewed which referral)."""
    _audit(actor, "referral.view", referral)


def referrals_record_list(*, actor: User, page: str, referrals: Iterable[Referral]) -> None:
    """A list that shows identities leaves an audit row naming the referrals it showed."""
    audit_record(
        actor=actor,
        action="referral.list",
        page=page,
        referral_ids=[referral.referral_id for referral in referrals],
    )


class CaseWorkError(ReferralError):
    """Input the case work refuses. `errors` maps form field names (or "" for the whole form)
    to messages fit to show the supporter."""

    def __init__(self, errors: dict[str, str] | str):
        self.errors = errors if isinstance(errors, dict) else {"": errors}
        super().__init__(" ".join(self.errors.values()))


WORKABLE_STATUSES = (Status.ACCEPTED, Status.CONTACTED)
# "Pointed to professional help" names the help: the program counts escalations by resource.
ESCALATED_WITHOUT_RESOURCE = gettext_lazy(
    "Say which professional help you pointed them to (choose the resource), "
    "or untick “I pointed them to professional help”."
)


def _check_holder(referral: Referral, supporter: PeerSupporter) -> None:
    """The supporter must hold the referral and have accepted it."""
    if referral.assigned_to_id != supporter.pk:
        raise CaseWorkError(gettext("Only the supporter holding this case can work on it."))
    if referral.status == Status.ASSIGNED:
        raise CaseWorkError(gettext("Accept the case first."))
    if referral.status not in WORKABLE_STATUSES:
        raise CaseWorkError(gettext("This case is closed."))


def outreach_errors(
    referral: Referral, *, attempted_at: datetime, reached: bool, now: datetime | None = None
) -> dict[str, str]:
    """What is wrong with an outreach attempt on `referral`, by form field."""
    now = _now(now)
    if attempted_at > now:
        return {"attempted_at": gettext("The attempt cannot be in the future.")}
    # Times are entered to the minute: the minute the referral arrived is not "before" it.
    if attempted_at < referral.received_at.replace(second=0, microsecond=0):
        received = timezone.localtime(referral.received_at)
        return {
            "attempted_at": gettext(
                "The referral arrived on %(day)s at %(time)s: the attempt cannot be before that."
            )
            % {"day": f"{received:%Y-%m-%d}", "time": f"{received:%H:%M}"}
        }
    first = referral.first_contact_at
    if reached and first is not None and attempted_at < first:
        return {
            "attempted_at": gettext(
                "First contact is already recorded at %(when)s; a later attempt cannot reach "
                "them earlier. Ask a coordinator if that time is wrong."
            )
            % {"when": f"{timezone.localtime(first):%Y-%m-%d %H:%M}"}
        }
    return {}


@transaction.atomic
def outreach_record(
    *,
    actor: User | None,
    referral: Referral | int,
    supporter: PeerSupporter,
    attempted_at: datetime,
    method: str,
    reached: bool,
    now: datetime | None = None,
) -> OutreachAttempt:
    """Log an attempt to reach the physician. The first attempt that reached them records the
    referral's first contact (the "contacted" transition) at the attempt's time."""
    referral = _lock(referral)
    _check_holder(referral, supporter)
    if method not in OutreachMethod.values:
        raise CaseWorkError({"method": gettext("Choose how you tried to reach them.")})
    errors = outreach_errors(referral, attempted_at=attempted_at, reached=reached, now=now)
    if errors:
        raise CaseWorkError(errors)
    attempted_at = max(attempted_at, referral.received_at)
    attempt = OutreachAttempt.objects.create(
        referral=referral,
        supporter=supporter,
        attempted_at=attempted_at,
        method=method,
        reached=reached,
        logged_by=actor if actor is not None and actor.is_authenticated else None,
    )
    _audit(
        actor,
        "referral.outreach",
        referral,
        attempt_id=attempt.pk,
        method=method,
        reached=reached,
    )
    if reached and referral.status == Status.ACCEPTED:
        referral_record_contact(actor=actor, referral=referral, at=attempted_at)
    return attempt


def interaction_errors(
    *,
    supporter: PeerSupporter,
    occurred_on: date,
    duration_minutes: int,
    successful: bool,
    escalated: bool,
    escalated_to: str,
    topics: Sequence[str],
    modality: str = "",
    referral: Referral | None = None,
    physician: Physician | None = None,
    today: date | None = None,
) -> dict[str, str]:
    """Every rule an interaction must meet, by form field, with a message that says how to
    fix it. The form and the service both ask this, so the page and the shell agree."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if occurred_on > today:
        errors["occurred_on"] = gettext("The date cannot be in the future.")
    elif referral is not None and occurred_on < _local_day(referral.received_at):
        errors["occurred_on"] = gettext(
            "The referral arrived on %(day)s: the interaction cannot be before that day."
        ) % {"day": f"{_local_day(referral.received_at):%Y-%m-%d}"}
    elif occurred_on < supporter.activated_on:
        errors["occurred_on"] = gettext(
            "You became a peer supporter on %(day)s: the interaction cannot be before that day."
        ) % {"day": f"{supporter.activated_on:%Y-%m-%d}"}
    if successful and not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = gettext(
            "A support conversation lasts from 1 to %(most)s minutes (24 hours)."
        ) % {"most": MAX_DURATION_MINUTES}
    elif not 0 <= duration_minutes <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = gettext("Enter 0 to %(most)s minutes.") % {
            "most": MAX_DURATION_MINUTES
        }
    if modality and modality not in Modality.values:
        errors["modality"] = gettext("Choose how you talked from the list.")
    if escalated and not escalated_to:
        errors["escalated_to"] = str(ESCALATED_WITHOUT_RESOURCE)
    elif escalated_to and not escalated:
        errors["escalated_to"] = gettext(
            "You chose a resource: tick “I pointed them to professional help”, or clear it."
        )
    elif escalated_to and escalated_to not in EscalationResource.values:
        errors["escalated_to"] = gettext("Choose the resource from the list.")
    if any(topic not in Topic.values for topic in topics):
        errors["topics"] = gettext("Choose topics from the list.")
    elif successful and not topics:
        errors["topics"] = gettext("Choose at least one topic (“Other” if none fits).")
    if physician is not None and physician.pk == supporter.physician_id:
        errors["colleague"] = gettext("You cannot log an interaction with yourself.")
    return errors


@transaction.atomic
def interaction_log(
    *,
    actor: User | None,
    supporter: PeerSupporter,
    occurred_on: date,
    duration_minutes: int,
    successful: bool,
    modality: str = "",
    topics: Sequence[str] = (),
    escalated: bool = False,
    escalated_to: str = "",
    follow_up_planned: bool = False,
    follow_up_note: str = "",
    referral: Referral | int | None = None,
    department: Department | None = None,
    physician: Physician | None = None,
    today: date | None = None,
) -> Interaction:
    """Log an interaction: on a referral the supporter holds (its source, department and
    physician come from the referral, and first contact must be recorded), or without one
    (`proactive`: the physician's department and, optionally, their roster entry).

    The physician's keyed pseudonym is stored with the interaction; reports count it."""
    if referral is not None:
        referral = _lock(referral)
        _check_holder(referral, supporter)
        if referral.first_contact_at is None:
            raise CaseWorkError(
                gettext("Log the outreach that reached them first: it records the first contact.")
            )
        source = referral.source
        department = referral.department
        physician = referral.physician
    else:
        source = InteractionSource.PROACTIVE
        if physician is not None:
            department = physician.department
        if department is None:
            raise CaseWorkError({"department": gettext("Choose the physician's department.")})
    topics = sorted(set(topics), key=list(Topic.values).index) if topics else []
    errors = interaction_errors(
        supporter=supporter,
        occurred_on=occurred_on,
        duration_minutes=duration_minutes,
        successful=successful,
        escalated=escalated,
        escalated_to=escalated_to,
        topics=topics,
        modality=modality,
        referral=referral,
        physician=physician,
        today=today,
    )
    if errors:
        raise CaseWorkError(errors)
    interaction = Interaction.objects.create(
        occurred_on=occurred_on,
        supporter=supporter,
        physician=physician,
        physician_pseudonym=physician_pseudonym(physician.physician_id) if physician else "",
        department=department,
        duration_minutes=duration_minutes,
        successful=successful,
        source=source,
        modality=modality,
        escalated=escalated,
        escalated_to=escalated_to if escalated else "",
        topics=topics,
        follow_up_planned=follow_up_planned,
        follow_up_note=follow_up_note.strip(),
        referral=referral,
        logged_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        actor=actor,
        action="interaction.log",
        obj=interaction,
        interaction_id=interaction.interaction_id,
        referral_id=referral.referral_id if referral is not None else None,
        supporter_id=supporter.pk,
        source=source,
        successful=successful,
        escalated=escalated,
    )
    return interaction


def close_errors(referral: Referral, outcome: str) -> dict[str, str]:
    """What must be true before a supporter closes a case with `outcome`."""
    if outcome not in Outcome.values:
        return {"outcome": gettext("Choose an outcome.")}
    contacted = referral.first_contact_at is not None
    if outcome == Outcome.UNREACHABLE:
        if contacted:
            return {
                "outcome": gettext("You reached them, so they are not unreachable: choose another.")
            }
        if not referral.outreach_attempts.exists():
            return {"outcome": gettext("Log the attempts you made to reach them before closing.")}
        return {}
    if not contacted:
        return {
            "outcome": gettext("Log the outreach that reached them first, or close as unreachable.")
        }
    if outcome == Outcome.SUPPORTED and not referral.interactions.filter(successful=True).exists():
        return {
            "outcome": gettext("Log the support conversation before closing the case as supported.")
        }
    return {}


@transaction.atomic
def case_close(
    *,
    actor: User | None,
    referral: Referral | int,
    supporter: PeerSupporter,
    outcome: str,
    at: datetime | None = None,
) -> Referral:
    """The supporter closes the case they hold with its outcome."""
    referral = _lock(referral)
    _check_holder(referral, supporter)
    errors = close_errors(referral, outcome)
    if errors:
        raise CaseWorkError(errors)
    return referral_close(actor=actor, referral=referral, outcome=outcome, at=at)


def interactions_record_list(*, actor: User, page: str, interactions: Iterable) -> None:
    """A list of interactions that names physicians leaves an audit row with their ids."""
    audit_record(
        actor=actor,
        action="interaction.list",
        page=page,
        interaction_ids=[interaction.interaction_id for interaction in interactions],
    )
