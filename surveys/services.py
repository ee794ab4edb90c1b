"""Writes of the surveys app: instruments, campaigns, invitations, reminders and responses.

Each service runs in one transaction with one audit row, and queues work only after commit
(house style), with two deliberate exceptions explained where they occur:

- Emails that carry a link are sent by the process that created the link, right after the
  commit that stored its hash: the token must never travel through the task broker, and it
  cannot be rebuilt later from its hash.
- An anonymous submission writes no audit row: a timestamped row per response would give each
  response a time of day, which the anonymity rules forbid.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import fmean
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from post_program.jobs import enqueue_on_commit
from post_program.models import Department, Physician, User
from post_program.services import audit_record

from .models import (
    LIKERT_LABELS,
    TEXT_MAX_LENGTH,
    Answer,
    Campaign,
    Instrument,
    InstrumentVersion,
    Invitation,
    InvitationToken,
    PlannedInvitation,
    Question,
    QuestionKind,
    Response,
    Scoring,
    new_public_id,
)

logger = logging.getLogger(__name__)

SEND_BATCH = 200
CODE_PATTERN = r"[a-z][a-z0-9_]{0,49}"
MAX_SCALE_POINTS = 11
MAX_QUESTIONS = 60

BUILTIN_CODES = ("program_evaluation", "recipient_feedback", "supporter_training", "wellbeing")
# The instrument each automatic campaign uses.
TRIGGER_INSTRUMENTS = {
    Campaign.Trigger.RECIPIENT_FEEDBACK: "recipient_feedback",
    Campaign.Trigger.TRAINING_EVALUATION: "supporter_training",
}
INSTRUMENT_TRIGGERS = {code: trigger for trigger, code in TRIGGER_INSTRUMENTS.items()}


# --- Links ---------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_new() -> tuple[str, str]:
    """A fresh single-use link token and the hash that is all the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


class LinkError(Exception):
    """A survey link that cannot be answered; `reason` is "unknown", "used" or "expired"."""

    reason = "unknown"


class LinkUnknown(LinkError):
    reason = "unknown"


class LinkUsed(LinkError):
    reason = "used"


class LinkExpired(LinkError):
    reason = "expired"


def invitation_check(invitation: Invitation | None, *, today: date | None = None) -> Invitation:
    """Raise the right `LinkError` unless the invitation can be answered today."""
    if invitation is None:
        raise LinkUnknown
    if invitation.used:
        raise LinkUsed
    today = today or timezone.localdate()
    if invitation.expires_on < today or not invitation.campaign.accepts_answers_on(today):
        raise LinkExpired
    return invitation


# --- Instruments -----------------------------------------------------------------------------


def instruments_ensure_builtin() -> None:
    """Create the built-in instruments if they are missing.

    The data migration creates them in every database; only a database emptied since (a
    transactional test flushes every table) lacks them. This runs the migration's own
    function, so there is one definition of them."""
    present = set(Instrument.objects.filter(builtin=True).values_list("code", flat=True))
    if present >= set(BUILTIN_CODES):
        return
    from django.apps import apps

    migration = importlib.import_module("surveys.migrations.0002_builtin_instruments")
    migration.create_builtin(apps, None)


@dataclass
class QuestionSpec:
    """A question as the builder describes it, before it is stored."""

    code: str
    text: str
    kind: str
    required: bool = True
    help_text: str = ""
    min_value: int | None = None
    max_value: int | None = None
    options: list = field(default_factory=list)
    scored: bool = False

    @classmethod
    def from_question(cls, question: Question) -> QuestionSpec:
        return cls(
            code=question.code,
            text=question.text,
            kind=question.kind,
            required=question.required,
            help_text=question.help_text,
            min_value=question.min_value,
            max_value=question.max_value,
            options=list(question.options or []),
            scored=question.scored,
        )


SCORABLE_KINDS = (QuestionKind.YES_NO, QuestionKind.LIKERT, QuestionKind.SCALE, QuestionKind.NUMBER)
RANGED_KINDS = (QuestionKind.SCALE, QuestionKind.NUMBER)
OPTION_KINDS = (QuestionKind.SCALE, QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


def questions_validate(specs: Sequence[QuestionSpec], *, scoring: str) -> None:
    """Raise a ValidationError listing every problem of a set of questions."""
    errors: list[str] = []
    if not specs:
        errors.append("Add at least one question.")
    if len(specs) > MAX_QUESTIONS:
        errors.append(f"An instrument holds at most {MAX_QUESTIONS} questions.")
    seen: set[str] = set()
    for number, spec in enumerate(specs, start=1):
        where = f"Question {number}"
        if not re.fullmatch(CODE_PATTERN, spec.code or ""):
            errors.append(
                f"{where}: the code must start with a letter and hold only lower-case letters, "
                "digits and underscores."
            )
        elif spec.code in seen:
            errors.append(f"{where}: the code {spec.code!r} is used twice.")
        seen.add(spec.code)
        if spec.kind not in QuestionKind.values:
            errors.append(f"{where}: choose a question type.")
            continue
        if not (spec.text or "").strip():
            errors.append(f"{where}: write the question.")
        if spec.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            codes = [option.get("code") for option in spec.options]
            if len(spec.options) < 2:
                errors.append(f"{where}: a choice question needs at least two options.")
            if len(set(codes)) != len(codes):
                errors.append(f"{where}: two options share a code.")
            if any(not re.fullmatch(CODE_PATTERN, code or "") for code in codes):
                errors.append(
                    f"{where}: option codes must start with a letter and hold only lower-case "
                    "letters, digits and underscores."
                )
        if spec.kind == QuestionKind.SCALE:
            if spec.min_value is None or spec.max_value is None:
                errors.append(f"{where}: a rating scale needs a lowest and a highest value.")
            elif spec.max_value <= spec.min_value:
                errors.append(f"{where}: the highest value must be above the lowest.")
            elif spec.max_value - spec.min_value + 1 > MAX_SCALE_POINTS:
                errors.append(f"{where}: a rating scale has at most {MAX_SCALE_POINTS} points.")
            elif spec.options and len(spec.options) != spec.max_value - spec.min_value + 1:
                errors.append(f"{where}: give one label per point of the scale, or none.")
        if (
            spec.kind == QuestionKind.NUMBER
            and spec.min_value is not None
            and spec.max_value is not None
            and spec.max_value < spec.min_value
        ):
            errors.append(f"{where}: the highest value must not be below the lowest.")
        if spec.scored and spec.kind not in SCORABLE_KINDS:
            errors.append(f"{where}: only yes/no, agreement, rating and number items can count.")
    scored = [spec for spec in specs if spec.scored]
    if scoring in (Scoring.SUM, Scoring.MEAN, Scoring.WHO5) and not scored:
        errors.append("This scoring needs at least one question that counts towards the score.")
    if scoring == Scoring.WHO5 and any(
        spec.kind != QuestionKind.SCALE or (spec.min_value, spec.max_value) != (0, 5)
        for spec in scored
    ):
        errors.append("The WHO-5 index counts only rating items from 0 to 5.")
    if errors:
        raise ValidationError(errors)


def _version_create(
    *,
    actor: User | None,
    instrument: Instrument,
    intro: str,
    scoring: str,
    questions: Sequence[QuestionSpec],
) -> InstrumentVersion:
    questions_validate(questions, scoring=scoring)
    latest = instrument.versions.order_by("-number").values_list("number", flat=True).first()
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        number=(latest or 0) + 1,
        intro=intro,
        scoring=scoring,
        created_by=actor,
    )
    Question.objects.bulk_create(
        Question(
            version=version,
            position=position,
            code=spec.code,
            text=spec.text.strip(),
            help_text=spec.help_text.strip(),
            kind=spec.kind,
            required=spec.required,
            min_value=spec.min_value if spec.kind in RANGED_KINDS else None,
            max_value=spec.max_value if spec.kind in RANGED_KINDS else None,
            options=list(spec.options) if spec.kind in OPTION_KINDS else [],
            scored=spec.scored,
        )
        for position, spec in enumerate(questions, start=1)
    )
    return version


@transaction.atomic
def instrument_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    description: str = "",
    intro: str = "",
    scoring: str = Scoring.NONE,
    questions: Sequence[QuestionSpec],
) -> Instrument:
    """A director's own instrument, with its first version."""
    if not re.fullmatch(CODE_PATTERN, code or ""):
        raise ValidationError(
            {"code": "Start with a letter; use lower-case letters, digits and underscores."}
        )
    if Instrument.objects.filter(code=code).exists():
        raise ValidationError({"code": "An instrument with this code exists already."})
    instrument = Instrument.objects.create(code=code, name=name, description=description)
    version = _version_create(
        actor=actor, instrument=instrument, intro=intro, scoring=scoring, questions=questions
    )
    audit_record(
        actor=actor,
        action="survey.instrument_create",
        obj=instrument,
        version=version.number,
        questions=len(questions),
    )
    return instrument


@transaction.atomic
def instrument_version_create(
    *,
    actor: User | None,
    instrument: Instrument,
    intro: str,
    scoring: str,
    questions: Sequence[QuestionSpec],
) -> InstrumentVersion:
    """A new wording of a custom instrument; earlier responses keep their own version."""
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if instrument.builtin:
        raise ValidationError("Built-in instruments keep the codes and scales they came with.")
    version = _version_create(
        actor=actor, instrument=instrument, intro=intro, scoring=scoring, questions=questions
    )
    audit_record(
        actor=actor,
        action="survey.instrument_version_create",
        obj=instrument,
        version=version.number,
        questions=len(questions),
    )
    return version


# --- Campaigns -------------------------------------------------------------------------------


def default_reminder_days() -> list[int]:
    return list(settings.SURVEY_REMINDER_DAYS)


def audience_physicians(campaign: Campaign, *, on: date) -> QuerySet[Physician]:
    """Who a campaign invites: physicians on the roster that day who have an email address."""
    physicians = Physician.objects.employed_on(on).exclude(email="")
    if campaign.audience == Campaign.Audience.DEPARTMENTS:
        return physicians.filter(department__in=campaign.departments.all())
    if campaign.audience == Campaign.Audience.SUPPORTERS:
        return physicians.filter(supporter__status="active")
    return physicians.none()


@transaction.atomic
def campaign_create(
    *,
    actor: User | None,
    name: str,
    version: InstrumentVersion,
    audience: str,
    departments: Iterable[Department] = (),
    opens_on: date,
    closes_on: date,
    reminder_days: Sequence[int] | None = None,
) -> Campaign:
    """Plan a campaign; it opens (and its invitations go out) on `opens_on`."""
    departments = list(departments)
    if reminder_days is None:  # the defaults that fit between opening and closing
        reminder_days = [d for d in default_reminder_days() if d <= (closes_on - opens_on).days]
    reminder_days = sorted(set(reminder_days))
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if audience == Campaign.Audience.DEPARTMENTS and not departments:
        errors["departments"] = "Choose at least one department."
    if audience == Campaign.Audience.SUPPORTERS and departments:
        errors["departments"] = "Leave departments empty when inviting all supporters."
    if audience not in (Campaign.Audience.DEPARTMENTS, Campaign.Audience.SUPPORTERS):
        errors["audience"] = "Choose an audience."
    if opens_on < today:
        errors["opens_on"] = "The opening date cannot be in the past."
    if closes_on < opens_on:
        errors["closes_on"] = "The closing date must be on or after the opening date."
    elif any(day < 1 or day > (closes_on - opens_on).days for day in reminder_days):
        errors["reminder_days"] = (
            "Each reminder must fall after the opening day and before the closing date."
        )
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(
        name=name,
        version=version,
        audience=audience,
        opens_on=opens_on,
        closes_on=closes_on,
        reminder_days=reminder_days,
        created_by=actor,
    )
    campaign.departments.set(departments)
    audit_record(
        actor=actor,
        action="survey.campaign_create",
        obj=campaign,
        version_id=version.pk,
        audience=audience,
        department_ids=[d.pk for d in departments],
    )
    if opens_on <= today:
        enqueue_on_commit("surveys.tasks.campaign_open", campaign.pk)
    return campaign


def campaign_open(*, campaign_id: int, actor: User | None = None) -> int:
    """Open a scheduled campaign whose day has come: create one invitation per recipient, then
    send them. Returns the number of invitations created (0 when there was nothing to do)."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        today = timezone.localdate()
        if campaign.status != Campaign.Status.SCHEDULED or campaign.opens_on > today:
            return 0
        recipients = list(audience_physicians(campaign, on=today).values_list("pk", flat=True))
        Invitation.objects.bulk_create(
            [
                Invitation(campaign=campaign, physician_id=pk, expires_on=campaign.closes_on)
                for pk in recipients
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        campaign.status = Campaign.Status.OPEN
        campaign.save(update_fields=["status"])
        audit_record(
            actor=actor, action="survey.campaign_open", obj=campaign, invitations=len(recipients)
        )
        enqueue_on_commit("surveys.tasks.invitations_send", campaign.pk)
    logger.info("survey campaign %s opened with %s invitations", campaign.pk, len(recipients))
    return len(recipients)


def campaign_close(*, actor: User | None, campaign: Campaign) -> Campaign:
    """Close a campaign: its links stop working; results stay."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status == Campaign.Status.CLOSED:
            return campaign
        campaign.status = Campaign.Status.CLOSED
        campaign.save(update_fields=["status"])
        audit_record(actor=actor, action="survey.campaign_close", obj=campaign)
    logger.info("survey campaign %s closed", campaign.pk)
    return campaign


def campaigns_open_due(*, today: date | None = None) -> int:
    """Open every scheduled campaign whose opening day has come (periodic job)."""
    today = today or timezone.localdate()
    due = Campaign.objects.filter(status=Campaign.Status.SCHEDULED, opens_on__lte=today)
    return sum(1 for pk in due.values_list("pk", flat=True) if campaign_open(campaign_id=pk))


def campaigns_close_due(*, today: date | None = None) -> int:
    """Close every campaign past its closing date (periodic job)."""
    today = today or timezone.localdate()
    due = Campaign.objects.open().filter(closes_on__lt=today)
    closed = 0
    for campaign in due:
        campaign_close(actor=None, campaign=campaign)
        closed += 1
    return closed


# --- Emails with links -----------------------------------------------------------------------


def answer_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "surveys:response_create", kwargs={"token": token}
    )


def _message(invitation: Invitation, token: str, *, reminder: bool) -> mail.EmailMessage:
    """The email: the link and the closing date; no names, no details of any case."""
    context = {
        "url": answer_url(token),
        "expires_on": invitation.expires_on,
        "reminder": reminder,
        "instrument": invitation.campaign.version.instrument,
        "help_url": settings.SITE_URL.rstrip("/") + reverse("help_now"),
    }
    subject = render_to_string("surveys/email/invitation_subject.txt", context).strip()
    body = render_to_string("surveys/email/invitation_body.txt", context)
    return mail.EmailMessage(subject, body, to=[invitation.physician.email])


def _deliver(
    messages: list[tuple[Invitation, mail.EmailMessage]],
) -> list[Invitation]:
    """Send each message; return the invitations whose message could not be sent."""
    failed = []
    connection = mail.get_connection()
    for invitation, message in messages:
        message.connection = connection
        try:
            message.send()
        except Exception:  # any transport error: undo this one and let the next run retry
            logger.exception("survey email for invitation %s could not be sent", invitation.pk)
            failed.append(invitation)
    return failed


def _claim(queryset: QuerySet[Invitation]) -> list[Invitation]:
    return list(
        queryset.select_for_update(skip_locked=True, of=("self",))
        .select_related("physician", "campaign__version__instrument")
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
        sent_at__isnull=True, campaign__status=Campaign.Status.OPEN, used=False
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
    campaign = Campaign.objects.create(
        name=f"{instrument.name} (automatic, from {today:%Y-%m-%d})",
        version=instrument.current_version,
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
        new = [
            Invitation(
                campaign=campaign,
                physician_id=event.physician_id,
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
            enqueue_on_commit("surveys.tasks.invitations_send", campaign.pk)
    return len(new)


def invitation_schedule(
    *, instrument: str, physician_id: int, due_at: datetime, source_key: str
) -> None:
    """Ask for an invitation to the built-in `instrument` (`recipient_feedback`,
    `supporter_training`) for one physician, to go out at `due_at`.

    This is how other apps ask for a survey: the engine does not know why. `source_key` names
    the event (`referral:17`), so asking twice, or after the invitation went out, changes
    nothing. Runs in the caller's transaction: if that rolls back, nothing is planned.
    """
    trigger = INSTRUMENT_TRIGGERS.get(instrument)
    if trigger is None:
        raise ValueError(f"{instrument!r} is not an instrument other apps can schedule.")
    if Invitation.objects.filter(source_key=source_key).exists():
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
    earliest = now - timedelta(days=settings.SURVEY_AUTOMATIC_LOOKBACK_DAYS)
    created = {}
    with transaction.atomic():
        PlannedInvitation.objects.filter(due_at__lte=earliest).delete()
        due = list(
            PlannedInvitation.objects.select_for_update(skip_locked=True)
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


# --- Answers and responses -------------------------------------------------------------------


def answer_columns(question: Question, value: Any) -> dict[str, Any] | None:
    """The Answer columns for one cleaned value, or None for no answer.

    Raises ValidationError when the value does not fit the question's type or scale (the
    answer form shows friendlier messages first; this is the last line of defence).
    """
    if value is None or value == "" or value == []:
        if question.required:
            raise ValidationError(f"{question.code}: an answer is required.")
        return None
    kind = question.kind
    if kind == QuestionKind.YES_NO:
        if not isinstance(value, bool):
            raise ValidationError(f"{question.code}: answer yes or no.")
        return {"value_bool": value}
    if kind in (QuestionKind.LIKERT, QuestionKind.SCALE, QuestionKind.NUMBER):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"{question.code}: answer with a whole number.")
        low, high = _bounds(question)
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValidationError(f"{question.code}: {value} is outside the scale.")
        return {"value_int": value}
    codes = [code for code, _ in question.choices]
    if kind == QuestionKind.SINGLE_CHOICE:
        if value not in codes:
            raise ValidationError(f"{question.code}: {value!r} is not one of the options.")
        return {"value_text": value}
    if kind == QuestionKind.MULTIPLE_CHOICE:
        chosen = set(value)
        if not chosen <= set(codes):
            raise ValidationError(f"{question.code}: an option is not one of the choices.")
        return {"value_text": ";".join(code for code in codes if code in chosen)}
    text = str(value).strip()
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(f"{question.code}: at most {TEXT_MAX_LENGTH} characters.")
    if not text:
        return answer_columns(question, None)
    return {"value_text": text}


def _bounds(question: Question) -> tuple[int | None, int | None]:
    if question.kind == QuestionKind.LIKERT:
        return min(LIKERT_LABELS), max(LIKERT_LABELS)
    return question.min_value, question.max_value


def score_compute(scoring: str, numbers: Sequence[int]) -> float | None:
    """The score of one response from its scored answers (yes = 1, no = 0).

    `who5` needs every scored item answered; the caller passes None for a missing one.
    """
    if scoring == Scoring.NONE or not numbers:
        return None
    if scoring == Scoring.WHO5:
        if any(n is None for n in numbers):
            return None
        return float(4 * sum(numbers))
    present = [n for n in numbers if n is not None]
    if not present:
        return None
    return float(sum(present)) if scoring == Scoring.SUM else fmean(present)


def _score(version: InstrumentVersion, questions, columns_by_code) -> float | None:
    numbers = []
    for question in questions:
        if not question.scored:
            continue
        columns = columns_by_code.get(question.code) or {}
        if "value_bool" in columns:
            numbers.append(int(columns["value_bool"]))
        else:
            numbers.append(columns.get("value_int"))
    return score_compute(version.scoring, numbers)


def response_submit(*, token: str, answers: Mapping[str, Any]) -> Response:
    """Record the answers sent through a link, once.

    The invitation is locked (SELECT ... FOR UPDATE) and then flipped to used with a
    conditional UPDATE, so two submissions racing on the same link (a double click) store one
    response; the second raises `LinkUsed`. The response gets the respondent's department and
    today's date, nothing else about them, and no audit row (see the module docstring).
    """
    digest = token_hash(token)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("campaign__version", "physician")
            .filter(tokens__token_hash=digest)
            .first()
        )
        invitation_check(invitation)
        campaign = invitation.campaign
        version = campaign.version
        questions = list(version.questions.order_by("position"))
        columns_by_code = {}
        errors = []
        for question in questions:
            try:
                columns = answer_columns(question, answers.get(question.code))
            except ValidationError as error:
                errors.extend(error.messages)
                continue
            if columns is not None:
                columns_by_code[question.code] = columns
        if errors:
            raise ValidationError(errors)
        if Invitation.objects.filter(pk=invitation.pk, used=False).update(used=True) != 1:
            raise LinkUsed
        response = Response.objects.create(
            campaign=campaign,
            version=version,
            department_id=invitation.physician.department_id,
            submitted_on=timezone.localdate(),
            score=_score(version, questions, columns_by_code),
        )
        Answer.objects.bulk_create(
            Answer(response=response, question=question, **columns_by_code[question.code])
            for question in questions
            if question.code in columns_by_code
        )
    logger.info("survey response recorded for campaign %s", campaign.pk)
    return response


@dataclass(frozen=True)
class ResponseRow:
    """One response to store in bulk: answers by question code, as `answer_columns` takes."""

    department_id: int | None
    submitted_on: date
    answers: Mapping[str, Any]
    public_id: str | None = None


@transaction.atomic
def responses_record(
    *,
    actor: User | None,
    version: InstrumentVersion,
    rows: Sequence[ResponseRow],
    campaign: Campaign | None = None,
    require_all: bool = True,
) -> int:
    """Store many responses of one version at once (history brought in from elsewhere, the
    demo): every answer checked against its question, scored, and written in bulk. Returns the
    number of responses. Raises ValidationError listing the rows that do not fit.

    `require_all=False` accepts rows that skip required questions (imported history often
    does); the WHO-5 index is then left empty for a response that lacks an item."""
    questions = list(version.questions.order_by("position"))
    prepared, errors = [], []
    for number, row in enumerate(rows, start=1):
        columns_by_code = {}
        unknown = set(row.answers) - {q.code for q in questions}
        if unknown:
            errors.append(f"Response {number}: unknown question {sorted(unknown)[0]!r}.")
        for question in questions:
            value = row.answers.get(question.code)
            if not require_all and value in (None, "", []):
                continue
            try:
                columns = answer_columns(question, value)
            except ValidationError as error:
                errors.extend(f"Response {number}: {message}" for message in error.messages)
                continue
            if columns is not None:
                columns_by_code[question.code] = columns
        prepared.append((row, columns_by_code))
    if errors:
        raise ValidationError(errors)
    responses = [
        Response(
            public_id=row.public_id or new_public_id(),
            campaign=campaign,
            version=version,
            department_id=row.department_id,
            submitted_on=row.submitted_on,
            score=_score(version, questions, columns_by_code),
        )
        for row, columns_by_code in prepared
    ]
    Response.objects.bulk_create(responses, batch_size=500)
    pks = dict(
        Response.objects.filter(public_id__in=[r.public_id for r in responses]).values_list(
            "public_id", "pk"
        )
    )
    Answer.objects.bulk_create(
        (
            Answer(response_id=pks[response.public_id], question=question, **columns[question.code])
            for response, (_, columns) in zip(responses, prepared, strict=True)
            for question in questions
            if question.code in columns
        ),
        batch_size=2000,
    )
    audit_record(
        actor=actor,
        action="survey.responses_record",
        obj=campaign,
        version_id=version.pk,
        responses=len(responses),
    )
    return len(responses)


@transaction.atomic
def responses_export_record(*, actor: User, campaign: Campaign) -> None:
    """Audit the download of a campaign's responses."""
    audit_record(actor=actor, action="survey.responses_export", obj=campaign)
