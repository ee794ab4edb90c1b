"""Referrals and the case work on them: a request for peer support, its life cycle,
assignments, deadlines and outbox; outreach attempts, the interaction log and retention.

The life cycle (product.md) is `new → assigned → accepted → contacted → closed`, with an outcome
on closing. Each transition is a service in `services.py` that writes a `ReferralEvent` (the
history shown on the referral page) and an audit row. The invariants of that life cycle are
database constraints, so no code path (forms, importer, shell) can store a referral that breaks
them.

`Referral`'s columns map one to one onto `referrals.csv` (data-formats.md): referral_id,
received_at, source, physician (physician_id), department (site, department), assigned_to,
first_contact_at, closed_at, outcome. `Interaction`'s columns map one to one onto
`interactions.csv` (see its docstring).

Retention (product.md): some days after a case closes, `services.retention_purge` removes its
notes, free-text names, contact details and referrer, and replaces each link to the supported
physician with a keyed pseudonym (`physician_pseudonym`), so unique physicians can still be
counted and no report figure changes.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from post_program.models import Department, PeerSupporter, Physician

NOTE_MAX_LENGTH = 500
FOLLOW_UP_NOTE_MAX_LENGTH = 300
PSEUDONYM_LENGTH = 64  # hex digits of an HMAC-SHA256
MAX_DURATION_MINUTES = 1440


def new_referral_id() -> str:
    """A public key that reveals nothing (no sequence to count referrals by)."""
    return f"R-{uuid.uuid4().hex[:12].upper()}"


def new_interaction_id() -> str:
    return f"I-{uuid.uuid4().hex[:12].upper()}"


def physician_pseudonym(physician_id: str) -> str:
    """The keyed pseudonym of a roster entry: HMAC-SHA256 of its HR `physician_id` under the
    PSEUDONYM_KEY setting, as 64 hex digits. The same physician always gets the same pseudonym
    (in interactions and referrals alike), and without the key it cannot be traced back."""
    return hmac.new(
        settings.PSEUDONYM_KEY.encode(), str(physician_id).encode(), hashlib.sha256
    ).hexdigest()


class Status(models.TextChoices):
    NEW = "new", "New"
    ASSIGNED = "assigned", "Assigned"
    ACCEPTED = "accepted", "Accepted"
    CONTACTED = "contacted", "Contacted"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.ACCEPTED, Status.CONTACTED)
# Statuses in which a supporter holds the case.
HELD_STATUSES = (Status.ASSIGNED, Status.ACCEPTED, Status.CONTACTED)


class Outcome(models.TextChoices):
    SUPPORTED = "supported", "Supported"
    DECLINED = "declined", "Declined support"
    UNREACHABLE = "unreachable", "Unreachable"
    REFERRED_OUT = "referred_out", "Referred to professional care"


class Source(models.TextChoices):
    SELF = "self", "Self-referral"
    THIRD_PARTY = "third_party", "Referred by a colleague"
    EVENT = "event", "After a difficult event"


class Reason(models.TextChoices):
    ADVERSE_EVENT = "adverse_event", "Adverse event or medical error"
    PATIENT_DEATH = "patient_death", "Death or serious harm of a patient"
    LITIGATION = "litigation", "Lawsuit, complaint or investigation"
    DIFFICULT_ENCOUNTER = "difficult_encounter", "Hostile patient or family"
    WORKPLACE = "workplace", "Conflict or mistreatment at work"
    PERSONAL = "personal", "Personal loss or stress"
    OTHER = "other", "Something else"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Within a day is fine"
    SOON = "soon", "As soon as possible"
    SAFETY = "safety", "Urgent: safety concern"


class ContactMethod(models.TextChoices):
    ANY = "any", "No preference"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"


class DepartmentPreference(models.TextChoices):
    NONE = "none", "No preference"
    OWN = "own", "A supporter from the same department"
    OTHER = "other", "A supporter from another department"


class EventCategory(models.TextChoices):
    PATIENT_DEATH = "patient_death", "Unexpected patient death"
    ADVERSE_EVENT = "adverse_event", "Serious adverse event"
    MASS_CASUALTY = "mass_casualty", "Mass casualty or disaster"
    VIOLENCE = "violence", "Violence in the workplace"
    LITIGATION = "litigation", "Lawsuit or investigation"
    OTHER = "other", "Other difficult event"


# The reason recorded on the referrals an event creates.
EVENT_REASON = {
    EventCategory.PATIENT_DEATH: Reason.PATIENT_DEATH,
    EventCategory.ADVERSE_EVENT: Reason.ADVERSE_EVENT,
    EventCategory.MASS_CASUALTY: Reason.PATIENT_DEATH,
    EventCategory.VIOLENCE: Reason.WORKPLACE,
    EventCategory.LITIGATION: Reason.LITIGATION,
    EventCategory.OTHER: Reason.OTHER,
}


def _in(field: str, choices) -> Q:
    return Q(**{f"{field}__in": [value for value, _ in choices.choices]})


class DifficultEvent(models.Model):
    """A known difficult event a coordinator recorded; it creates one referral per physician
    involved (source `event`). Holds no narrative: date, department and category only."""

    occurred_on = models.DateField()
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=20, choices=EventCategory.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=_in("category", EventCategory), name="event_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} on {self.occurred_on:%Y-%m-%d}"


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> ReferralQuerySet:
        return self.exclude(status=Status.CLOSED)

    def held_by(self, supporter_id: int) -> ReferralQuerySet:
        """Open cases a supporter holds (their caseload)."""
        return self.filter(assigned_to_id=supporter_id, status__in=HELD_STATUSES)

    def overdue(self, now=None) -> ReferralQuerySet:
        """Open, not yet contacted, and past the first-contact deadline."""
        return self.open().filter(
            first_contact_at__isnull=True, first_contact_due_at__lt=now or timezone.now()
        )

    def for_sites(self, site_ids) -> ReferralQuerySet:
        return self.filter(department__site_id__in=site_ids)


class Referral(models.Model):
    """A request that a trained peer reach a physician: from that physician, a colleague, or
    a coordinator after a difficult event."""

    referral_id = models.CharField(
        "referral ID", max_length=64, unique=True, default=new_referral_id, editable=False
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    # The physician to be supported: on the roster, or named in free text when not (yet).
    physician = models.ForeignKey(
        Physician, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    named_colleague = models.CharField(
        max_length=200, blank=True, help_text="The colleague's name when not on the roster."
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    assigned_to = models.ForeignKey(
        PeerSupporter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    # One timestamp per transition of the life cycle.
    assigned_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(
        null=True, blank=True, help_text="The first outreach that reached the physician."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    first_contact_due_at = models.DateTimeField(db_index=True)

    # What the requester told us.
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals_made",
    )
    referrer_may_be_named = models.BooleanField(
        default=False, help_text="The colleague may be told who asked for support."
    )
    reason = models.CharField(max_length=24, choices=Reason.choices)
    note = models.CharField(max_length=NOTE_MAX_LENGTH, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    contact_method = models.CharField(
        max_length=10, choices=ContactMethod.choices, default=ContactMethod.ANY
    )
    department_preference = models.CharField(
        max_length=6, choices=DepartmentPreference.choices, default=DepartmentPreference.NONE
    )
    requested_supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        DifficultEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    # A form's one-time key: the same form submitted twice finds the first referral.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Bumped by every transition; a coordinator's form carries the version it was shown, so
    # an action on a referral that changed meanwhile is refused instead of overwriting it.
    version = models.PositiveIntegerField(default=0)

    # Retention: set when the closed case was de-identified (`physician` is then empty and
    # `physician_pseudonym` holds the keyed pseudonym of the physician it named).
    physician_pseudonym = models.CharField(max_length=PSEUDONYM_LENGTH, blank=True, editable=False)
    deidentified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["first_contact_due_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=_in("status", Status), name="referral_status_valid"),
            models.CheckConstraint(
                condition=Q(outcome="") | _in("outcome", Outcome), name="referral_outcome_valid"
            ),
            models.CheckConstraint(condition=_in("source", Source), name="referral_source_valid"),
            models.CheckConstraint(condition=_in("reason", Reason), name="referral_reason_valid"),
            models.CheckConstraint(
                condition=_in("urgency", Urgency), name="referral_urgency_valid"
            ),
            models.CheckConstraint(
                condition=_in("contact_method", ContactMethod),
                name="referral_contact_method_valid",
            ),
            models.CheckConstraint(
                condition=_in("department_preference", DepartmentPreference),
                name="referral_department_preference_valid",
            ),
            # Closed exactly when it has a closing time and an outcome.
            models.CheckConstraint(
                condition=(Q(status=Status.CLOSED, closed_at__isnull=False) & ~Q(outcome=""))
                | (~Q(status=Status.CLOSED) & Q(closed_at__isnull=True, outcome="")),
                name="referral_closed_iff_outcome",
            ),
            # A new referral (or one back in the queue) has nobody on it.
            models.CheckConstraint(
                condition=~Q(status=Status.NEW)
                | Q(assigned_to__isnull=True, assigned_at__isnull=True, accepted_at__isnull=True),
                name="referral_new_is_untouched",
            ),
            # A supporter holds every assigned, accepted or contacted referral.
            models.CheckConstraint(
                condition=~Q(status__in=HELD_STATUSES) | Q(assigned_to__isnull=False),
                name="referral_held_has_supporter",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.ASSIGNED, Status.ACCEPTED])
                | Q(assigned_at__isnull=False),
                name="referral_assigned_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.ACCEPTED) | Q(accepted_at__isnull=False),
                name="referral_accepted_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.CONTACTED) | Q(first_contact_at__isnull=False),
                name="referral_contacted_has_time",
            ),
            # Nothing happens before the referral was received.
            models.CheckConstraint(
                condition=Q(first_contact_due_at__gt=F("received_at")),
                name="referral_due_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(assigned_at__isnull=True) | Q(assigned_at__gte=F("received_at")),
                name="referral_assigned_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(accepted_at__gte=F("received_at")),
                name="referral_accepted_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(first_contact_at__isnull=True)
                | Q(first_contact_at__gte=F("received_at")),
                name="referral_contact_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("received_at")),
                name="referral_closed_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(event__isnull=True) | Q(source=Source.EVENT),
                name="referral_event_source",
            ),
            # Only a closed case is de-identified, and then it names nobody.
            models.CheckConstraint(
                condition=Q(deidentified_at__isnull=True)
                | Q(
                    status=Status.CLOSED,
                    physician__isnull=True,
                    referrer__isnull=True,
                    named_colleague="",
                    note="",
                ),
                name="referral_deidentified_is_closed_and_anonymous",
            ),
            # One open referral per physician: a second request joins the open one.
            models.UniqueConstraint(
                fields=["physician"],
                condition=Q(physician__isnull=False) & ~Q(status=Status.CLOSED),
                name="referral_one_open_per_physician",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "first_contact_due_at"]),
            models.Index(fields=["assigned_to", "status"]),
        ]

    def __str__(self) -> str:
        return self.referral_id

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def is_overdue(self) -> bool:
        return (
            self.is_open
            and self.first_contact_at is None
            and self.first_contact_due_at < timezone.now()
        )

    @property
    def is_urgent(self) -> bool:
        return self.urgency == Urgency.SAFETY

    @property
    def site(self):
        return self.department.site

    @property
    def is_deidentified(self) -> bool:
        return self.deidentified_at is not None

    @property
    def person_label(self) -> str:
        """Who is to be supported, for the people allowed to know."""
        if self.physician_id is not None:
            return self.physician.name or self.physician.physician_id
        if self.deidentified_at is not None:
            return "De-identified after retention"
        return self.named_colleague or "Not recorded"


# --- Case work: outreach and the interaction log ----------------------------------------------


class InteractionSource(models.TextChoices):
    SELF = "self", "Self-referral"
    THIRD_PARTY = "third_party", "Referred by a colleague"
    EVENT = "event", "After a difficult event"
    PROACTIVE = "proactive", "Proactive (without a referral)"


class Modality(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    MESSAGE = "message", "Messages (text or email)"


class Topic(models.TextChoices):
    ADVERSE_OUTCOME = "adverse_outcome", "Adverse patient outcome"
    MEDICAL_ERROR = "medical_error", "Medical error"
    LITIGATION = "litigation", "Litigation or complaint"
    PATIENT_FAMILY_CONFLICT = "patient_family_conflict", "Conflict with a patient or family"
    WORKPLACE_CONFLICT = "workplace_conflict", "Workplace conflict"
    PERSONAL_STRESS = "personal_stress", "Personal stress"
    BURNOUT = "burnout", "Burnout"
    OTHER = "other", "Other"


class EscalationResource(models.TextChoices):
    EAP = "eap", "Employee assistance program (EAP)"
    MENTAL_HEALTH = "mental_health", "Mental health professional"
    CRISIS_LINE = "crisis_line", "Crisis line"
    OTHER = "other", "Other professional help"


class InteractionQuerySet(models.QuerySet["Interaction"]):
    def successful(self) -> InteractionQuerySet:
        return self.filter(successful=True)

    def between(self, start, end) -> InteractionQuerySet:
        """`occurred_on` in [start, end], both included."""
        return self.filter(occurred_on__gte=start, occurred_on__lte=end)

    def for_sites(self, site_ids) -> InteractionQuerySet:
        return self.filter(department__site_id__in=site_ids)


class Interaction(models.Model):
    """One logged contact between a peer supporter and a physician: structured facts only,
    never a clinical narrative.

    The columns map one to one onto `interactions.csv`: interaction_id, occurred_on,
    supporter (supporter_id), physician (physician_id), department (site, department: the
    supported physician's), duration_minutes, successful, source, modality, escalated and
    referral (referral_id); the app adds escalated_to, topics and follow_up_planned.

    Counting unique supported physicians: count distinct non-empty `physician_pseudonym`
    (`Count("physician_pseudonym", filter=~Q(physician_pseudonym=""), distinct=True)`), never
    `physician`. The pseudonym is stored on every interaction linked to a roster entry when it
    is written (`physician_pseudonym(physician_id)`; a database constraint refuses a link
    without it), and retention only empties `physician`, so the count is the same before and
    after. The supporter link is not pseudonymised: supporters are program staff, and reports
    need their department and training.
    """

    interaction_id = models.CharField(
        "interaction ID", max_length=64, unique=True, default=new_interaction_id, editable=False
    )
    occurred_on = models.DateField(db_index=True)
    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.PROTECT, related_name="interactions"
    )
    physician = models.ForeignKey(
        Physician,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supported_interactions",
        help_text="The supported physician on the roster, if known (emptied by retention).",
    )
    physician_pseudonym = models.CharField(
        max_length=PSEUDONYM_LENGTH,
        blank=True,
        db_index=True,
        help_text="Keyed pseudonym of the supported physician: what reports count.",
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="interactions"
    )
    duration_minutes = models.PositiveSmallIntegerField()
    successful = models.BooleanField(
        help_text="A support conversation took place (no: an attempt that did not)."
    )
    source = models.CharField(max_length=12, choices=InteractionSource.choices)
    modality = models.CharField(max_length=10, choices=Modality.choices, blank=True)
    escalated = models.BooleanField(
        default=False, help_text="The physician was pointed to professional help."
    )
    escalated_to = models.CharField(max_length=14, choices=EscalationResource.choices, blank=True)
    topics = models.JSONField(default=list, blank=True, help_text="Topic codes (Topic).")
    follow_up_planned = models.BooleanField(default=False)
    # The supporter's own reminder ("call again on Friday"); seen by them alone, never by
    # coordinators, and removed by retention.
    follow_up_note = models.CharField(max_length=FOLLOW_UP_NOTE_MAX_LENGTH, blank=True)
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="interactions"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)
    deidentified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = InteractionQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=0)
                & Q(duration_minutes__lte=MAX_DURATION_MINUTES),
                name="interaction_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(successful=False) | Q(duration_minutes__gte=1),
                name="interaction_successful_has_duration",
            ),
            models.CheckConstraint(
                condition=_in("source", InteractionSource), name="interaction_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(modality="") | _in("modality", Modality),
                name="interaction_modality_valid",
            ),
            models.CheckConstraint(
                condition=Q(escalated_to="") | _in("escalated_to", EscalationResource),
                name="interaction_escalated_to_valid",
            ),
            models.CheckConstraint(
                condition=Q(escalated_to="") | Q(escalated=True),
                name="interaction_resource_only_when_escalated",
            ),
            models.CheckConstraint(
                condition=Q(physician__isnull=True) | ~Q(physician_pseudonym=""),
                name="interaction_physician_has_pseudonym",
            ),
            models.CheckConstraint(
                condition=~Q(source=InteractionSource.PROACTIVE) | Q(referral__isnull=True),
                name="interaction_proactive_without_referral",
            ),
            models.CheckConstraint(
                condition=Q(deidentified_at__isnull=True)
                | Q(physician__isnull=True, follow_up_note=""),
                name="interaction_deidentified_is_anonymous",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "occurred_on"]),
            models.Index(fields=["supporter", "occurred_on"]),
        ]

    def __str__(self) -> str:
        return self.interaction_id

    @property
    def topic_labels(self) -> list[str]:
        return [Topic(code).label for code in self.topics if code in Topic.values]

    @property
    def person_label(self) -> str:
        if self.physician_id is not None:
            return self.physician.name or self.physician.physician_id
        if self.deidentified_at is not None:
            return "De-identified after retention"
        return "Not on the roster"


class OutreachMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"


class OutreachAttempt(models.Model):
    """A supporter's attempt to reach the physician of a referral: when, how, reached or not.
    The first attempt that reached them is the referral's first contact."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="outreach_attempts"
    )
    supporter = models.ForeignKey(PeerSupporter, on_delete=models.PROTECT, related_name="+")
    attempted_at = models.DateTimeField()
    method = models.CharField(max_length=10, choices=OutreachMethod.choices)
    reached = models.BooleanField()
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attempted_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_in("method", OutreachMethod), name="outreach_method_valid"
            ),
        ]
        indexes = [models.Index(fields=["referral", "attempted_at"])]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.method} at {self.attempted_at:%Y-%m-%d %H:%M}"


class DebriefTrigger(models.TextChoices):
    ESCALATION = "escalation", "After pointing a colleague to professional help"
    LOAD = "load", "After many interactions in 30 days"
    ASKED = "asked", "Asked without a particular reason"


class DebriefRequest(models.Model):
    """A supporter asked for a debrief with a coordinator; open until a coordinator marks it
    held. Holds no case detail."""

    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.CASCADE, related_name="debrief_requests"
    )
    trigger = models.CharField(max_length=10, choices=DebriefTrigger.choices)
    requested_at = models.DateTimeField(default=timezone.now)
    held_at = models.DateTimeField(null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=_in("trigger", DebriefTrigger), name="debrief_trigger_valid"
            ),
            models.UniqueConstraint(
                fields=["supporter"],
                condition=Q(held_at__isnull=True),
                name="debrief_one_open_per_supporter",
            ),
            models.CheckConstraint(
                condition=Q(held_at__isnull=True) | Q(held_at__gte=F("requested_at")),
                name="debrief_held_after_request",
            ),
        ]

    def __str__(self) -> str:
        return f"Debrief for supporter {self.supporter_id} ({'held' if self.held_at else 'open'})"


class AssignmentState(models.TextChoices):
    PENDING = "pending", "Waiting for the supporter"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined by the supporter"
    EXPIRED = "expired", "Not accepted in time"
    WITHDRAWN = "withdrawn", "Reassigned by a coordinator"


ACTIVE_ASSIGNMENT_STATES = (AssignmentState.PENDING, AssignmentState.ACCEPTED)


class DeclineReason(models.TextChoices):
    CAPACITY = "capacity", "No capacity right now"
    AWAY = "away", "Away or unavailable"
    CONFLICT = "conflict", "Conflict of interest"
    OTHER = "other", "Another reason"


class Assignment(models.Model):
    """One offer of a referral to a supporter, and what became of it. The referral's
    `assigned_to` mirrors its active assignment; past ones stay as history."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="assignments")
    supporter = models.ForeignKey(PeerSupporter, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    accept_due_at = models.DateTimeField()
    state = models.CharField(
        max_length=10, choices=AssignmentState.choices, default=AssignmentState.PENDING
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=10, choices=DeclineReason.choices, blank=True)

    class Meta:
        ordering = ["-assigned_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=_in("state", AssignmentState), name="assignment_state_valid"
            ),
            # The second of two coordinators assigning at once fails here.
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(state__in=ACTIVE_ASSIGNMENT_STATES),
                name="assignment_one_active_per_referral",
            ),
            models.CheckConstraint(
                condition=Q(state=AssignmentState.PENDING, responded_at__isnull=True)
                | (~Q(state=AssignmentState.PENDING) & Q(responded_at__isnull=False)),
                name="assignment_response_time",
            ),
            models.CheckConstraint(
                condition=Q(state=AssignmentState.DECLINED) & ~Q(decline_reason="")
                | ~Q(state=AssignmentState.DECLINED) & Q(decline_reason=""),
                name="assignment_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(accept_due_at__gt=F("assigned_at")), name="assignment_due_after"
            ),
        ]
        indexes = [models.Index(fields=["supporter", "assigned_at"])]

    def __str__(self) -> str:
        return f"{self.referral} → supporter {self.supporter_id} ({self.state})"


class EventKind(models.TextChoices):
    RECEIVED = "received", "Request received"
    REQUESTED_AGAIN = "requested_again", "Requested again by another colleague"
    URGENCY_RAISED = "urgency_raised", "Marked urgent: safety concern"
    ASSIGNED = "assigned", "Assigned"
    REASSIGNED = "reassigned", "Reassigned"
    ACCEPTED = "accepted", "Accepted by the supporter"
    DECLINED = "declined", "Declined by the supporter"
    EXPIRED = "expired", "Not accepted in time; back in the queue"
    CONTACTED = "contacted", "First contact made"
    CLOSED = "closed", "Closed"
    REMINDED = "reminded", "Supporter reminded of the deadline"
    ESCALATED = "escalated", "First contact overdue; coordinators alerted"


class ReferralEvent(models.Model):
    """The history of one referral, shown on its page: what happened, when, by whom.

    `detail` holds identifiers and choice values only, never names or notes.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    # For a request that joined this open referral: its form's one-time key (see Referral).
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=_in("kind", EventKind), name="referral_event_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def reason_label(self) -> str:
        reason = self.detail.get("reason", "")
        return DeclineReason(reason).label if reason in DeclineReason.values else ""

    @property
    def outcome_label(self) -> str:
        outcome = self.detail.get("outcome", "")
        return Outcome(outcome).label if outcome in Outcome.values else ""


class ReminderKind(models.TextChoices):
    ACCEPT_DUE = "accept_due", "Acceptance deadline"
    CONTACT_REMINDER = "contact_reminder", "Reminder before the first-contact deadline"
    CONTACT_OVERDUE = "contact_overdue", "First-contact deadline"


class Reminder(models.Model):
    """A deadline to check at `due_at` (a periodic job processes the due ones). A database row
    rather than a long Celery countdown, so it survives restarts and can be inspected."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="reminders")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    due_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    # What processing did: "sent", "returned", or "skipped" when nothing was due any more.
    result = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=_in("kind", ReminderKind), name="reminder_kind"),
            models.CheckConstraint(
                condition=Q(kind=ReminderKind.CONTACT_OVERDUE, assignment__isnull=True)
                | (~Q(kind=ReminderKind.CONTACT_OVERDUE) & Q(assignment__isnull=False)),
                name="reminder_assignment_by_kind",
            ),
            models.UniqueConstraint(
                fields=["assignment", "kind"],
                condition=Q(assignment__isnull=False),
                name="reminder_once_per_assignment",
            ),
            models.UniqueConstraint(
                fields=["referral", "kind"],
                condition=Q(assignment__isnull=True),
                name="reminder_once_per_referral",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(processed_at__isnull=True), name="reminder_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.referral_id} due {self.due_at:%Y-%m-%d %H:%M}"


class NotificationKind(models.TextChoices):
    NEW_REFERRAL = "new_referral", "New referral"
    URGENT = "urgent", "Urgent referral"
    ASSIGNED = "assigned", "Referral assigned to you"
    RETURNED = "returned", "Referral back in the queue"
    REMINDER = "reminder", "First contact due soon"
    OVERDUE = "overdue", "First contact overdue"
    DEBRIEF = "debrief", "A supporter asked for a debrief"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def pending(self) -> NotificationQuerySet:
        return self.filter(sent_at__isnull=True)


class Notification(models.Model):
    """The outbox: an email to send, written in the same transaction as the change that calls
    for it and sent by a task. The email says what kind of thing happened and links to it;
    it never holds names or details."""

    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    to_email = models.EmailField(help_text="Used when the recipient has no account yet.")
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(
        max_length=100, blank=True, help_text="The error's type only, never its message."
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=_in("kind", NotificationKind), name="notification_kind_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="notification_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({'sent' if self.sent_at else 'pending'})"
