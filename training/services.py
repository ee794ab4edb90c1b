"""Writes to the training records. Each runs in one transaction and leaves one audit row;
emails are written to the core outbox in the same transaction and sent after it commits.

Named `<entity>_<action>` with keyword-only arguments. Callers (views, tasks, the demo, an
importer) pass objects and values; nothing here reads the request. Rule violations raise
`django.core.exceptions.ValidationError` with a message fit to show the user.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from post_program.i18n import in_language_of
from post_program.mail import email_link
from post_program.models import PeerSupporter, Physician, User
from post_program.outbox import outbox_write
from post_program.services import audit_record, supporter_activate
from surveys import services as survey_services

from .models import (
    Course,
    CourseKind,
    Enrollment,
    RefresherReminder,
    TrainingCompletion,
    TrainingSession,
)
from .selectors import current_until

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# --- Courses ---------------------------------------------------------------------------------


@transaction.atomic
def course_create(
    *, actor: User | None, name: str, kind: str, hours: Decimal, topics: str = ""
) -> Course:
    course = Course.objects.create(name=name, kind=kind, hours=hours, topics=topics)
    audit_record(actor=actor, action="training.course.create", obj=course, kind=kind)
    return course


@transaction.atomic
def course_update(*, actor: User | None, course: Course, **fields) -> Course:
    allowed = {"name", "kind", "hours", "topics", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"course_update does not change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(course, name, value)
    course.save(update_fields=sorted(fields))
    audit_record(actor=actor, action="training.course.update", obj=course, fields=sorted(fields))
    return course


# --- Sessions --------------------------------------------------------------------------------


def _check_session(*, starts_at: datetime, ends_at: datetime, location: str, video_url: str):
    if ends_at <= starts_at:
        raise ValidationError(_("A session must end after it starts."))
    if not (location.strip() or video_url.strip()):
        raise ValidationError(_("Give a place, a video link or both."))


@transaction.atomic
def session_create(
    *,
    actor: User | None,
    course: Course,
    starts_at: datetime,
    ends_at: datetime,
    facilitator: User,
    capacity: int,
    location: str = "",
    video_url: str = "",
) -> TrainingSession:
    _check_session(starts_at=starts_at, ends_at=ends_at, location=location, video_url=video_url)
    if not course.is_active:
        raise ValidationError(_("This course is no longer offered."))
    session = TrainingSession.objects.create(
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        facilitator=facilitator,
        capacity=capacity,
        location=location.strip(),
        video_url=video_url.strip(),
    )
    audit_record(
        actor=actor,
        action="training.session.create",
        obj=session,
        course_id=course.pk,
        facilitator_id=facilitator.pk,
        capacity=capacity,
    )
    return session


@transaction.atomic
def session_update(*, actor: User | None, session: TrainingSession, **fields) -> TrainingSession:
    """Change a session. A larger capacity moves people up from the waitlist at once; the
    capacity cannot drop below the seats already taken."""
    allowed = {"starts_at", "ends_at", "location", "video_url", "facilitator", "capacity"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"session_update does not change {sorted(unknown)}")
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    for name, value in fields.items():
        setattr(session, name, value.strip() if isinstance(value, str) else value)
    _check_session(
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=session.location,
        video_url=session.video_url,
    )
    taken = _seats_taken(session)
    if session.capacity < taken:
        raise ValidationError(
            ngettext(
                "%(count)s person already holds a seat; the capacity cannot be lower than that.",
                "%(count)s people already hold a seat; the capacity cannot be lower than that.",
                taken,
            )
            % {"count": taken}
        )
    session.save(update_fields=sorted(fields))
    promoted = _promote_waitlist(session, free=session.capacity - taken)
    audit_record(
        actor=actor,
        action="training.session.update",
        obj=session,
        fields=sorted(fields),
        promoted_enrollment_ids=promoted,
    )
    return session


# --- Sign-up and the waitlist ---------------------------------------------------------------


# What each sign-up email says happened (names, courses, dates and places stay in the app).
ENROLLMENT_SUBJECTS: dict[str, StrPromise] = {
    Enrollment.Status.SIGNED_UP: gettext_lazy("You have a seat in a peer support training session"),
    Enrollment.Status.WAITLISTED: gettext_lazy(
        "You are on the waitlist of a peer support training session"
    ),
    Enrollment.Status.CANCELLED: gettext_lazy(
        "Your sign-up for a peer support training session was cancelled"
    ),
}
ENROLLMENT_CHANGED = gettext_lazy("Your sign-up for a peer support training session changed")
REFRESHER_SUBJECT = gettext_lazy("Your peer supporter training is due for a refresher")


def _notify(enrollment_id: int) -> None:
    """Tell the physician that their sign-up was made, moved up from the waitlist or cancelled:
    an outbox email with a link to their training page, written in the caller's transaction."""
    enrollment = Enrollment.objects.select_related("physician__user").get(pk=enrollment_id)
    subject = ENROLLMENT_SUBJECTS.get(enrollment.status, ENROLLMENT_CHANGED)
    _send(
        kind="training.enrollment",
        physician=enrollment.physician,
        subject=subject,
        about=lambda: (
            _("%(subject)s. The course, its date and its place are on your training page.")
            % {"subject": subject}
        ),
    )


def _seats_taken(session: TrainingSession) -> int:
    return session.enrollments.filter(status__in=Enrollment.SEAT_STATUSES).count()


def _promote_waitlist(session: TrainingSession, *, free: int) -> list[int]:
    """Move the first `free` people on the waitlist into seats (caller holds the session lock)."""
    if free <= 0:
        return []
    waiting = list(
        session.enrollments.filter(status=Enrollment.Status.WAITLISTED)
        .order_by("signed_up_at", "pk")
        .values_list("pk", flat=True)[:free]
    )
    if waiting:
        Enrollment.objects.filter(pk__in=waiting).update(
            status=Enrollment.Status.SIGNED_UP, updated_at=timezone.now()
        )
        for pk in waiting:
            _notify(pk)
    return waiting


@transaction.atomic
def enrollment_create(
    *,
    actor: User | None,
    session: TrainingSession,
    physician: Physician,
    notify: bool = True,
    now: datetime | None = None,
) -> Enrollment:
    """Sign a physician up for a session: a seat if one is free, else the waitlist.

    The session row is locked first, so two sign-ups for the last seat (or the same physician
    signing up twice at once) are served one after the other. Someone signed up by another
    person is told by email unless `notify` is off (history being loaded).
    """
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    now = now or timezone.now()
    if session.has_started(now):
        raise ValidationError(_("This session has already started; sign-up is closed."))
    today = timezone.localdate(now)
    if physician.ended_on is not None and physician.ended_on < today:
        raise ValidationError(_("This physician is no longer on the roster."))
    if (
        session.enrollments.filter(physician=physician)
        .exclude(status=Enrollment.Status.CANCELLED)
        .exists()
    ):
        raise ValidationError(_("This physician is already signed up for this session."))
    status = (
        Enrollment.Status.SIGNED_UP
        if _seats_taken(session) < session.capacity
        else Enrollment.Status.WAITLISTED
    )
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                session=session,
                physician=physician,
                status=status,
                signed_up_by=actor if actor is not None and actor.is_authenticated else None,
                signed_up_at=now,
                updated_at=now,
            )
    except IntegrityError:
        raise ValidationError(_("This physician is already signed up for this session.")) from None
    if notify and (actor is None or physician.user_id != actor.pk):
        _notify(enrollment.pk)
    audit_record(
        actor=actor,
        action="training.enrollment.create",
        obj=enrollment,
        session_id=session.pk,
        physician_id=physician.pk,
        status=status,
    )
    return enrollment


@transaction.atomic
def enrollment_cancel(*, actor: User | None, enrollment: Enrollment) -> Enrollment:
    """Cancel a sign-up before the session starts; a freed seat goes to the first on the
    waitlist, who is told by email."""
    session = TrainingSession.objects.select_for_update().get(pk=enrollment.session_id)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if not enrollment.is_live:
        raise ValidationError(_("This sign-up is no longer open."))
    if session.has_started():
        raise ValidationError(
            _("This session has already started; the sign-up cannot be cancelled.")
        )
    held_seat = enrollment.holds_seat
    enrollment.status = Enrollment.Status.CANCELLED
    enrollment.updated_at = timezone.now()
    enrollment.save(update_fields=["status", "updated_at"])
    promoted = _promote_waitlist(session, free=1) if held_seat else []
    if actor is None or enrollment.physician.user_id != actor.pk:
        _notify(enrollment.pk)
    audit_record(
        actor=actor,
        action="training.enrollment.cancel",
        obj=enrollment,
        session_id=session.pk,
        promoted_enrollment_ids=promoted,
    )
    return enrollment


# --- Attendance and completion --------------------------------------------------------------

#: What the facilitator may mark for each seat at a session.
ATTENDANCE_MARKS = (
    Enrollment.Status.COMPLETED,
    Enrollment.Status.ATTENDED,
    Enrollment.Status.ABSENT,
)


@transaction.atomic
def attendance_record(
    *,
    actor: User | None,
    session: TrainingSession,
    marks: Mapping[int, str],
    now: datetime | None = None,
) -> list[TrainingCompletion]:
    """Record who attended a session and who completed it (enrollment id -> mark).

    Marks apply to seat holders once the session has started. "Completed" is final: it writes
    the completion record (dated the day the session ends) and, for an initial course,
    activates the physician at once if AUTO_ACTIVATE_SUPPORTERS is on. Returns the new
    completions.
    """
    session = (
        TrainingSession.objects.select_for_update().select_related("course").get(pk=session.pk)
    )
    now = now or timezone.now()
    if not session.has_started(now):
        raise ValidationError(_("Attendance can be recorded once the session has started."))
    enrollments = {
        e.pk: e
        for e in Enrollment.objects.select_for_update()
        .select_related("physician")
        .filter(session=session, pk__in=list(marks))
    }
    bad = [pk for pk in marks if pk not in enrollments]
    if bad:
        raise ValidationError(_("Some of these people are not signed up for this session."))
    completed_on = timezone.localdate(session.ends_at)
    changed: dict[str, list[int]] = {}
    completions: list[TrainingCompletion] = []
    for pk, mark in marks.items():
        enrollment = enrollments[pk]
        if mark not in ATTENDANCE_MARKS:
            raise ValidationError(_("Unknown attendance mark %(mark)r.") % {"mark": mark})
        if not enrollment.holds_seat and enrollment.status != Enrollment.Status.ABSENT:
            raise ValidationError(_("Only people holding a seat can be marked."))
        if enrollment.status == mark:
            continue
        if enrollment.status == Enrollment.Status.COMPLETED:
            raise ValidationError(_("A recorded completion cannot be changed here."))
        enrollment.status = mark
        enrollment.updated_at = now
        enrollment.save(update_fields=["status", "updated_at"])
        changed.setdefault(mark, []).append(pk)
        if mark == Enrollment.Status.COMPLETED:
            completion, created = TrainingCompletion.objects.get_or_create(
                physician=enrollment.physician,
                course=session.course.kind,
                completed_on=completed_on,
                defaults={
                    "session": session,
                    "source": TrainingCompletion.Source.SESSION,
                    "recorded_by": actor if actor and actor.is_authenticated else None,
                    "recorded_at": now,
                },
            )
            if created:
                completions.append(completion)
    audit_record(
        actor=actor,
        action="training.attendance.record",
        obj=session,
        **{f"{mark}_enrollment_ids": ids for mark, ids in changed.items()},
    )
    _auto_activate(actor=actor, completions=completions)
    _evaluations_schedule(completions)
    return completions


@transaction.atomic
def completion_create(
    *,
    actor: User | None,
    physician: Physician,
    course: str,
    completed_on: date,
    source: str = TrainingCompletion.Source.MANUAL,
    session: TrainingSession | None = None,
    today: date | None = None,
) -> TrainingCompletion:
    """Record a completion that did not come from a session sheet: a course taken elsewhere
    (`manual`) or history brought in by an import (`import`, which invites no survey)."""
    if course not in CourseKind.values:
        raise ValidationError(
            _("Unknown course %(course)r: use initial or refresher.") % {"course": course}
        )
    if completed_on > (today or timezone.localdate()):
        raise ValidationError(_("A completion cannot be dated in the future."))
    if TrainingCompletion.objects.filter(
        physician=physician, course=course, completed_on=completed_on
    ).exists():
        raise ValidationError(_("This completion is already recorded."))
    completion = TrainingCompletion.objects.create(
        physician=physician,
        course=course,
        completed_on=completed_on,
        session=session,
        source=source,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        actor=actor,
        action="training.completion.create",
        obj=completion,
        physician_id=physician.pk,
        course=course,
        source=source,
    )
    if source != TrainingCompletion.Source.IMPORT:
        _auto_activate(actor=actor, completions=[completion])
    _evaluations_schedule([completion])
    return completion


def _evaluations_schedule(completions: list[TrainingCompletion]) -> None:
    """Ask the survey engine to invite each physician who has just completed a course to
    evaluate it, at once. Imported history invites nobody."""
    for completion in completions:
        if completion.source in TrainingCompletion.INVITES_EVALUATION:
            survey_services.invitation_schedule(
                instrument="supporter_training",
                physician_id=completion.physician_id,
                due_at=completion.recorded_at,
                source_key=f"training_completion:{completion.pk}",
            )


# --- Certification ---------------------------------------------------------------------------


def activation_blocker(physician: Physician, *, on: date | None = None) -> str | None:
    """Why this physician cannot be activated as a supporter now (None if they can)."""
    on = on or timezone.localdate()
    if physician.ended_on is not None and physician.ended_on < on:
        return _("This physician is no longer on the roster.")
    supporter = PeerSupporter.objects.filter(physician=physician).first()
    if supporter is not None and supporter.status != PeerSupporter.Status.RETIRED:
        return _("This physician is already a peer supporter.")
    if not physician.training_completions.filter(
        course=CourseKind.INITIAL, completed_on__lte=on
    ).exists():
        return _("Only a physician who completed the initial training can be activated.")
    return None


@transaction.atomic
def supporter_certify(
    *, actor: User | None, physician: Physician, activated_on: date | None = None
) -> PeerSupporter:
    """Activate a trained physician as a peer supporter, after checking they completed the
    initial course (the audit row is supporter_activate's)."""
    physician = Physician.objects.select_for_update().get(pk=physician.pk)
    blocker = activation_blocker(physician, on=activated_on)
    if blocker:
        raise ValidationError(blocker)
    return supporter_activate(actor=actor, physician=physician, activated_on=activated_on)


def _auto_activate(*, actor: User | None, completions: list[TrainingCompletion]) -> None:
    if not settings.AUTO_ACTIVATE_SUPPORTERS:
        return
    for completion in completions:
        if completion.course != CourseKind.INITIAL:
            continue
        if activation_blocker(completion.physician, on=completion.completed_on) is None:
            supporter_activate(
                actor=actor, physician=completion.physician, activated_on=completion.completed_on
            )


# --- Refresher reminders --------------------------------------------------------------------


def _reminder_time(due_on: date) -> datetime:
    """Reminders fall due at 09:00 local time, REFRESHER_REMINDER_DAYS before the due date."""
    day = due_on - timedelta(days=settings.REFRESHER_REMINDER_DAYS)
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


@transaction.atomic
def refresher_reminders_schedule(*, now: datetime | None = None) -> list[int]:
    """Create the reminder row for every supporter's coming due date (once per due date) and
    return the ids of unsent reminders whose time has come.

    Active and paused supporters whose training is still current get a row; one who has
    renewed since has a later due date and so a new row, and their stale unsent row is dropped.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    latest = (
        PeerSupporter.objects.exclude(status=PeerSupporter.Status.RETIRED)
        .annotate(latest=Max("physician__training_completions__completed_on"))
        .filter(latest__isnull=False)
        .values_list("pk", "latest")
    )
    due_dates = {pk: current_until(day) for pk, day in latest}
    due_dates = {pk: due for pk, due in due_dates.items() if due >= today}
    RefresherReminder.objects.bulk_create(
        [
            RefresherReminder(supporter_id=pk, due_on=due, remind_at=_reminder_time(due))
            for pk, due in due_dates.items()
        ],
        ignore_conflicts=True,
    )
    ready = []
    stale = []
    for pk, supporter_id, due_on in RefresherReminder.objects.filter(
        sent_at__isnull=True, remind_at__lte=now
    ).values_list("pk", "supporter_id", "due_on"):
        if due_dates.get(supporter_id) == due_on:
            ready.append(pk)
        else:
            stale.append(pk)
    if stale:
        RefresherReminder.objects.filter(pk__in=stale, sent_at__isnull=True).delete()
    if ready or stale:
        audit_record(
            actor=None,
            action="training.reminders.schedule",
            ready_reminder_ids=ready,
            dropped_reminder_ids=stale,
        )
    return ready


@transaction.atomic
def refresher_reminder_send(*, reminder_id: int, now: datetime | None = None) -> bool:
    """Write one due reminder's email to the outbox, once: the conditional update that marks
    the reminder sent and the outbox row commit together, so a rerun or a second worker writes
    nothing more and a failed SMTP send leaves the email in the outbox to be retried (never a
    reminder marked sent whose email is gone). True when this call wrote it."""
    now = now or timezone.now()
    claimed = RefresherReminder.objects.filter(
        pk=reminder_id, sent_at__isnull=True, remind_at__lte=now
    ).update(sent_at=now)
    if not claimed:
        return False
    reminder = RefresherReminder.objects.select_related("supporter__physician__user").get(
        pk=reminder_id
    )
    _send(
        kind="training.refresher",
        physician=reminder.supporter.physician,
        subject=REFRESHER_SUBJECT,
        about=lambda: (
            _(
                "%(subject)s: a refresher course keeps you among the supporters who can be asked. "
                "The date it is due and the sessions open for sign-up are on your training page."
            )
            % {"subject": REFRESHER_SUBJECT}
        ),
    )
    audit_record(actor=None, action="training.reminder.send", reminder_id=reminder_id)
    return True


# --- Emails ---------------------------------------------------------------------------------


def _send(
    *, kind: str, physician: Physician, subject: StrPromise, about: Callable[[], str]
) -> None:
    """One short email to a physician: a subject, a sentence on what it is about (`about()`,
    written once the recipient's language is on) and a link to sign in and read the rest on
    their training page. Names, dates and places stay in the application. It is written in
    the language of the physician's account, whoever's action sends it."""
    user = physician.user if physician.user_id else None
    to = user.email if user is not None and user.email else physician.email
    if not to:
        return
    with in_language_of(user):
        link = email_link(reverse("training:my_training"))
        sign_in = _("Sign in to read it: %(link)s") % {"link": link}
        body = f"{about()}\n\n{sign_in}\n"
        outbox_write(kind=kind, to=to, subject=str(subject), body=body)
