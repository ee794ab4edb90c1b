"""Training: courses, their sessions, who signed up and attended, and completions.

`TrainingCompletion` is the record that matters to the rest of the program: it maps one to one
onto a row of `training.csv` (physician_id, course, completed_on), makes a physician eligible to
be activated as a peer supporter (initial course), and keeps a supporter's training current
(initial or refresher within `REFRESHER_MONTHS`). Everything else here is the way to get there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from post_program.models import PeerSupporter, Physician


class CourseKind(models.TextChoices):
    """The `course` column of training.csv."""

    INITIAL = "initial", _("Initial training")
    REFRESHER = "refresher", _("Refresher")


class Course(models.Model):
    """What is taught: an initial course or a refresher, with its length and topics."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=CourseKind.choices)
    hours = models.DecimalField(
        max_digits=4, decimal_places=1, help_text=_("Length of the course in hours.")
    )
    topics = models.TextField(blank=True, help_text=_("One topic per line."))
    is_active = models.BooleanField(
        default=True, help_text=_("Inactive courses keep their history but get no new sessions.")
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["initial", "refresher"]), name="course_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=100), name="course_hours_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def length_display(self) -> str:
        """The course's length in hours, written the way the reader's language writes it."""
        hours = floatformat(self.hours, -1)
        return ngettext("%(hours)s hour", "%(hours)s hours", 1 if self.hours == 1 else 2) % {
            "hours": hours
        }

    @property
    def topic_list(self) -> list[str]:
        return [line.strip() for line in self.topics.splitlines() if line.strip()]


class TrainingSessionQuerySet(models.QuerySet["TrainingSession"]):
    def upcoming(self, now=None) -> TrainingSessionQuerySet:
        """Sessions that have not ended yet."""
        return self.filter(ends_at__gte=now or timezone.now())

    def with_counts(self) -> TrainingSessionQuerySet:
        """Annotate `seats_taken` (signed up, attended or completed) and `waitlist_length`."""
        return self.annotate(
            seats_taken=models.Count(
                "enrollments", filter=Q(enrollments__status__in=Enrollment.SEAT_STATUSES)
            ),
            waitlist_length=models.Count(
                "enrollments", filter=Q(enrollments__status=Enrollment.Status.WAITLISTED)
            ),
        )


class TrainingSession(models.Model):
    """One sitting of a course: when, where (a place, a video link or both), who leads it and
    how many may take part."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True, help_text=_("Room and building."))
    video_url = models.URLField(blank=True, help_text=_("Link for those who join by video."))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_sessions"
    )
    capacity = models.PositiveSmallIntegerField(help_text=_("Most participants; others waitlist."))
    created_at = models.DateTimeField(default=timezone.now)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=500), name="session_capacity_range"
            ),
            models.CheckConstraint(
                condition=~Q(location="") | ~Q(video_url=""), name="session_has_place_or_link"
            ),
        ]
        indexes = [models.Index(fields=["ends_at"])]

    def __str__(self) -> str:
        return f"{self.course} — {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def has_started(self, now=None) -> bool:
        return self.starts_at <= (now or timezone.now())


class Enrollment(models.Model):
    """A physician's place in a session (or on its waitlist).

    One live enrollment per physician and session; a cancelled one stays as history and the
    physician may sign up again. The waitlist is served first come, first served by
    (`signed_up_at`, `pk`).
    """

    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("Signed up")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        ABSENT = "absent", _("Absent")
        COMPLETED = "completed", _("Completed")

    SEAT_STATUSES = ("signed_up", "attended", "completed")

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="enrollments"
    )
    physician = models.ForeignKey(
        Physician, on_delete=models.PROTECT, related_name="training_enrollments"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_up_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_up_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "signed_up",
                        "waitlisted",
                        "cancelled",
                        "attended",
                        "absent",
                        "completed",
                    ]
                ),
                name="enrollment_status_valid",
            ),
            models.UniqueConstraint(
                fields=["session", "physician"],
                condition=~Q(status="cancelled"),
                name="enrollment_one_live_per_session",
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "signed_up_at"])]

    def __str__(self) -> str:
        return f"{self.physician} in {self.session} ({self.get_status_display()})"

    @property
    def holds_seat(self) -> bool:
        return self.status in self.SEAT_STATUSES

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.SIGNED_UP, self.Status.WAITLISTED)


class TrainingCompletionQuerySet(models.QuerySet["TrainingCompletion"]):
    def initial(self) -> TrainingCompletionQuerySet:
        return self.filter(course=CourseKind.INITIAL)


class TrainingCompletion(models.Model):
    """A completed course: one row of `training.csv`, keyed (physician, course, completed_on).

    Rows come from a session (the facilitator or director records completion), from a manual
    entry, or from an import; `source` says which. `recorded_at` is when the row was written.

    A completion recorded at a session or by hand (not imported history) asks the survey
    engine to invite its physician to evaluate the training (`invitation_schedule`, keyed by
    the completion, so it is invited once).
    """

    class Source(models.TextChoices):
        SESSION = "session", _("Recorded at a session")
        MANUAL = "manual", _("Entered by hand")
        IMPORT = "import", _("Imported")

    INVITES_EVALUATION = ("session", "manual")

    physician = models.ForeignKey(
        Physician, on_delete=models.PROTECT, related_name="training_completions"
    )
    course = models.CharField(max_length=10, choices=CourseKind.choices)
    completed_on = models.DateField()
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="completions",
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SESSION)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = TrainingCompletionQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["physician", "course", "completed_on"], name="completion_unique_key"
            ),
            models.CheckConstraint(
                condition=Q(course__in=["initial", "refresher"]), name="completion_course_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=["session", "manual", "import"]),
                name="completion_source_valid",
            ),
        ]
        indexes = [models.Index(fields=["physician", "completed_on"])]

    def __str__(self) -> str:
        return f"{self.physician} {self.course} {self.completed_on:%Y-%m-%d}"


class RefresherReminder(models.Model):
    """One reminder that a supporter's refresher falls due on `due_on`.

    The reminder job creates the row once per (supporter, due date), and sends it once:
    `sent_at` is set in the same transaction that writes its email to the core outbox, so a
    rerun never writes it twice and the outbox delivers it even if the first send fails.
    """

    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.CASCADE, related_name="refresher_reminders"
    )
    due_on = models.DateField(help_text=_("Last day the supporter's training is current."))
    remind_at = models.DateTimeField(help_text=_("When the reminder becomes due to send."))
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["remind_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["supporter", "due_on"], name="refresher_reminder_once_per_due_date"
            ),
        ]
        indexes = [models.Index(fields=["sent_at", "remind_at"])]

    def __str__(self) -> str:
        return f"Refresher reminder for supporter {self.supporter_id} due {self.due_on}"
