"""Core of the program: people, places, roles and the audit trail.

Invariants live in the database as constraints, so neither the web forms, the importer nor a
shell session can store a roster or role that breaks them.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The days the program records (imports, report periods): beyond them a date overflows in time
# zone and deadline arithmetic (9999-12-31T23:00-12:00 is past the last datetime, in UTC).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A sign-in account. Program roles hang off it; the roster entry is `Physician.user`."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="May use the Django admin (technical administrators only)."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    language = models.CharField(
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language the pages and emails use; empty follows the browser."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email


class Site(models.Model):
    """A hospital of the health system."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DepartmentQuerySet(models.QuerySet["Department"]):
    def adopted_between(self, start: date, end: date) -> DepartmentQuerySet:
        """Departments that ran the program at some point of [start, end] (docs/metrics.md)."""
        return self.filter(launched_on__lte=end).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=start)
        )


class Department(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(max_length=200)
    launched_on = models.DateField(
        null=True, blank=True, help_text="When the department adopted the program; empty = not."
    )
    ended_on = models.DateField(
        null=True, blank=True, help_text="When the program stopped in this department."
    )

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["site__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="department_unique_in_site"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | (Q(launched_on__isnull=False) & Q(ended_on__gte=models.F("launched_on"))),
                name="department_ends_after_launch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.name} / {self.name}"

    @property
    def label(self) -> str:
        """The `SITE/DEPARTMENT` form used in reports and files."""
        return f"{self.site.name}/{self.name}"

    def is_adopted_on(self, day: date) -> bool:
        return (
            self.launched_on is not None
            and self.launched_on <= day
            and (self.ended_on is None or self.ended_on >= day)
        )


class PhysicianQuerySet(models.QuerySet["Physician"]):
    def employed_on(self, day: date) -> PhysicianQuerySet:
        return self.employed_between(day, day)

    def employed_between(self, start: date, end: date) -> PhysicianQuerySet:
        """Employed in P: (started_on empty or ≤ end) and (ended_on empty or ≥ start)."""
        return self.filter(Q(started_on__isnull=True) | Q(started_on__lte=end)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=start)
        )


class Physician(models.Model):
    """An entry of the roster, keyed by the HR identifier."""

    physician_id = models.CharField("physician ID", max_length=64, unique=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="physicians")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="physician",
    )

    objects = PhysicianQuerySet.as_manager()

    class Meta:
        ordering = ["name", "physician_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | Q(ended_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="physician_ends_after_start",
            ),
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="physician_email_ci_unique"
            ),
        ]
        indexes = [models.Index(fields=["department", "ended_on"])]

    def __str__(self) -> str:
        return self.name or self.physician_id


class PeerSupporterQuerySet(models.QuerySet["PeerSupporter"]):
    def active(self) -> PeerSupporterQuerySet:
        return self.filter(status=PeerSupporter.Status.ACTIVE)

    def available_on(self, day: date) -> PeerSupporterQuerySet:
        """Active, accepting referrals, and not away on that day."""
        away = AwayPeriod.objects.filter(supporter=models.OuterRef("pk")).covering(day)
        return self.active().filter(accepting_referrals=True).exclude(models.Exists(away))


class PeerSupporter(models.Model):
    """A physician who completed the initial training and was activated."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        RETIRED = "retired", _("Retired")

    physician = models.OneToOneField(Physician, on_delete=models.PROTECT, related_name="supporter")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    accepting_referrals = models.BooleanField(default=True)
    caseload_cap = models.PositiveSmallIntegerField(
        default=3, help_text=_("Most open cases at once.")
    )
    bio = models.CharField(
        max_length=300, blank=True, help_text=_("A short introduction for the directory.")
    )
    activated_on = models.DateField(default=timezone.localdate)
    conflicts = models.ManyToManyField(
        Physician,
        blank=True,
        related_name="conflicted_supporters",
        help_text=_("Physicians this supporter must never be assigned to."),
    )

    objects = PeerSupporterQuerySet.as_manager()

    class Meta:
        ordering = ["physician__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["active", "paused", "retired"]),
                name="supporter_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(caseload_cap__gte=1) & Q(caseload_cap__lte=50),
                name="supporter_caseload_cap_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.physician)

    # Both read `away_periods` and `contact_windows` through `.all()`, so a page that lists
    # many supporters prefetches them once (the prefetch may leave out periods that ended).

    def away_periods_from(self, day: date) -> list[AwayPeriod]:
        """The periods away that have not ended by `day`, the first first."""
        return sorted(
            (period for period in self.away_periods.all() if period.ends_on >= day),
            key=lambda period: (period.starts_on, period.pk),
        )

    @property
    def current_away_period(self) -> AwayPeriod | None:
        """The period away that today falls in, if any."""
        today = timezone.localdate()
        ahead = self.away_periods_from(today)
        return ahead[0] if ahead and ahead[0].starts_on <= today else None

    @property
    def contact_pattern(self) -> str:
        """The weekly pattern in words, days with the same hours together ("Mon–Fri
        08:00–17:00; Sat 10:00–12:00"); empty when the supporter set none."""
        hours: dict[int, list[str]] = {}
        for window in sorted(self.contact_windows.all(), key=lambda w: (w.weekday, w.starts_at)):
            hours.setdefault(window.weekday, []).append(window.hours)
        runs: list[tuple[list[int], list[str]]] = []
        for day, day_hours in sorted(hours.items()):
            if runs and runs[-1][0][-1] == day - 1 and runs[-1][1] == day_hours:
                runs[-1][0].append(day)
            else:
                runs.append(([day], day_hours))
        return "; ".join(f"{_day_span(days)} {', '.join(day_hours)}" for days, day_hours in runs)


def _day_span(days: list[int]) -> str:
    short = ContactWindow.SHORT_DAYS
    if len(days) == 1:
        return str(short[days[0]])
    joiner = ", " if len(days) == 2 else "–"
    return f"{short[days[0]]}{joiner}{short[days[-1]]}"


class AwayPeriodQuerySet(models.QuerySet["AwayPeriod"]):
    def covering(self, day: date) -> AwayPeriodQuerySet:
        return self.filter(starts_on__lte=day, ends_on__gte=day)

    def overlapping(self, starts_on: date, ends_on: date) -> AwayPeriodQuerySet:
        return self.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)


class AwayPeriod(models.Model):
    """Days, both included, on which a supporter is not offered new cases. A supporter's
    periods never overlap (the service refuses it); ended ones stay as the record."""

    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.CASCADE, related_name="away_periods"
    )
    starts_on = models.DateField("first day away")
    ends_on = models.DateField("last day away")

    objects = AwayPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["supporter", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="away_period_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["supporter", "ends_on"], name="away_period_supporter_ends")]

    def __str__(self) -> str:
        return f"{self.starts_on:%Y-%m-%d} to {self.ends_on:%Y-%m-%d}"


class Weekday(models.IntegerChoices):
    """Days of the week as Python numbers them (`date.weekday()`): supporters' contact hours
    and the on-call roster's weekly shifts."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ContactWindow(models.Model):
    """A time of the week at which a supporter prefers to be contacted about a new case, in
    the program's time zone. A supporter with none may be contacted at any time."""

    # Django's abbreviations, in the active language ("Mon" in English, "lun" in Spanish).
    SHORT_DAYS: ClassVar[tuple[StrOrPromise, ...]] = tuple(WEEKDAYS_ABBR[day] for day in range(7))

    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.CASCADE, related_name="contact_windows"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))

    class Meta:
        ordering = ["supporter", "weekday", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="contact_window_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6), name="contact_window_weekday_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.hours}"

    @property
    def hours(self) -> str:
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class RoleAssignment(models.Model):
    """A program role held by a user: director (program-wide), coordinator of a site, or lead
    of a department. Peer supporters are not here: that role comes from `PeerSupporter`."""

    class Role(models.TextChoices):
        DIRECTOR = "director", _("Program director")
        COORDINATOR = "coordinator", _("Program coordinator")
        LEAD = "lead", _("Department lead")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=12, choices=Role.choices)
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="coordinators"
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="leads"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user__email", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="director", site__isnull=True, department__isnull=True)
                    | Q(role="coordinator", site__isnull=False, department__isnull=True)
                    | Q(role="lead", site__isnull=True, department__isnull=False)
                ),
                name="role_scope_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(role="director"), name="role_director_once"
            ),
            models.UniqueConstraint(
                fields=["user", "site"],
                condition=Q(role="coordinator"),
                name="role_coordinator_once_per_site",
            ),
            models.UniqueConstraint(
                fields=["user", "department"],
                condition=Q(role="lead"),
                name="role_lead_once_per_department",
            ),
        ]

    def __str__(self) -> str:
        scope = self.site or self.department or "program"
        return f"{self.get_role_display()} of {scope}"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Who did what to which record, and when. Append-only: no update, no delete.

    `detail` holds identifiers and field names only, never names, notes or contact details.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")


class ImportJob(models.Model):
    """A director's upload of program files: checked first, written only when confirmed.

    The files are kept in the database (so any worker can read them) until the import has been
    written or refused, then cleared: they hold names and emails.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        READY = "ready", _("Ready to import")
        REJECTED = "rejected", _("Refused: errors found")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    files = models.JSONField(default=dict, help_text="File name -> content, until imported.")
    file_names = models.JSONField(default=list)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["checking", "ready", "rejected", "importing", "done", "failed"]
                ),
                name="importjob_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)


class OutboxEmailQuerySet(models.QuerySet["OutboxEmail"]):
    def pending(self) -> OutboxEmailQuerySet:
        return self.filter(sent_at__isnull=True)


class OutboxEmail(models.Model):
    """The outbox: one email to send, written in the same transaction as the change that calls
    for it and sent by a worker (post_program/outbox.py). Bodies hold links, never names or
    notes; a body is erased once sent (a password-reset link must not outlive its email)."""

    kind = models.CharField(max_length=60, help_text="What the email is for, e.g. training.")
    to_email = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Erased once the email is sent.")
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set while a worker is sending it."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(
        max_length=100, blank=True, help_text="The error's type only, never its message."
    )

    objects = OutboxEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True),
                name="outboxemail_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({'sent' if self.sent_at else 'pending'})"


class ProgramSettings(models.Model):
    """The program's rules as the director set them on the settings page: one row, written the
    first time they save. Until then every value is the environment's (Django settings).

    Read them through `post_program.program_settings.get()` only, never this model: it caches
    the row and falls back to the environment.
    """

    suppression_threshold = models.PositiveSmallIntegerField()
    first_contact_hours = models.PositiveSmallIntegerField()
    urgent_first_contact_hours = models.PositiveSmallIntegerField()
    accept_within_hours = models.PositiveSmallIntegerField()
    crisis_resources = models.TextField()
    retention_days = models.PositiveIntegerField()
    refresher_months = models.PositiveSmallIntegerField()
    anonymous_colleague_referrals = models.BooleanField()
    recipient_feedback_delay_days = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "program settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="program_settings_single_row"),
            models.CheckConstraint(
                condition=Q(suppression_threshold__gte=5), name="program_settings_threshold_min"
            ),
            models.CheckConstraint(
                condition=Q(urgent_first_contact_hours__gte=1)
                & Q(urgent_first_contact_hours__lte=models.F("first_contact_hours")),
                name="program_settings_urgent_not_longer",
            ),
        ]

    def __str__(self) -> str:
        return "Program settings"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A key an integration calls the REST API with (`post_program.api_tokens`, docs/api.md).

    It acts as the director who created it, narrowed to its scopes. Only the SHA-256 digest of
    the secret is kept: the secret is shown once, when the token is created.
    """

    class Scope(models.TextChoices):
        REPORT_READ = "report:read", _("report:read: the RE-AIM report, suppressed")
        REPORT_EXACT = "report:exact", _("report:exact: the report's exact figures")
        ROSTER_READ = "roster:read", _("roster:read: read the roster")
        ROSTER_WRITE = "roster:write", _("roster:write: add and update roster entries")
        EVENTS_WRITE = "events:write", _("events:write: record difficult events (event outreach)")

    name = models.CharField(max_length=100)
    scopes = models.JSONField(default=list)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, *scopes: str) -> bool:
        """Whether the token holds any of `scopes`."""
        return any(scope in self.scopes for scope in scopes)


class ScimClientQuerySet(models.QuerySet["ScimClient"]):
    def usable(self) -> ScimClientQuerySet:
        return self.filter(revoked_at__isnull=True)


class ScimClient(models.Model):
    """A bearer token an identity provider provisions accounts with (docs/scim.md). Only the
    token's SHA-256 digest is kept: the token itself is shown once, when it is created."""

    name = models.CharField(max_length=100, help_text="Which identity provider uses it.")
    token_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScimClientQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class ScimIdentity(models.Model):
    """What an identity provider said about an account it provisions: the SCIM resource of the
    user (post_program/scim.py). `scim_id` is the resource's id, never the account's key. The
    attributes are kept as sent, so the provider reads back what it wrote; the account's email
    is the primary one of `emails` and its name is made of the name parts. `employee_number`
    is the roster's physician ID: the account is linked to that roster entry when there is one.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_identity"
    )
    scim_id = models.UUIDField(unique=True)
    user_name = models.CharField(max_length=254)
    external_id = models.CharField(max_length=200, blank=True)
    display_name = models.CharField(max_length=200, blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    emails = models.JSONField(default=list, help_text="The emails as sent; the account's is one.")
    employee_number = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "SCIM identities"
        constraints = [
            models.UniqueConstraint(Lower("user_name"), name="scim_identity_user_name_ci_unique"),
        ]
        indexes = [models.Index(fields=["external_id"])]

    def __str__(self) -> str:
        return str(self.scim_id)
