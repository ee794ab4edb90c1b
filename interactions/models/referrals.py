"""Referrals: a request for peer support, its life cycle, its assignments to supporters and its
history.

The life cycle (docs/confidentiality.md) is `new → assigned → accepted → contacted → closed`,
with an outcome on closing. Each transition is a service in `interactions.services` that
writes a `ReferralEvent` (the history shown on the referral page) and an audit row. The
invariants of that life cycle are database constraints, so no code path (forms, importer,
shell) can store a referral that breaks them.

`Referral`'s columns map one to one onto `referrals.csv` (docs/data-formats.md): referral_id,
received_at, source, physician (physician_id), department (site, department), assigned_to,
first_contact_at, closed_at, outcome.

Retention (docs/confidentiality.md): some days after a case closes,
`services.retention_purge` removes its notes, free-text names, contact details and referrer,
and replaces each link to the supported physician with a keyed pseudonym
(`physician_pseudonym`), so unique physicians can still be counted and no report figure
changes.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from post_program import program_settings
from post_program.models import Department, PeerSupporter, Physician

from .rollup import RolledUp

NOTE_MAX_LENGTH = 500
PSEUDONYM_LENGTH = 64  # hex digits of an HMAC-SHA256


def new_referral_id() -> str:
    """A public key that reveals nothing (no sequence to count referrals by)."""
    return f"R-{uuid.uuid4().hex[:12].upper()}"


def physician_pseudonym(physician_id: str) -> str:
    """The keyed pseudonym of a roster entry: HMAC-SHA256 of its HR `physician_id` under the
    PSEUDONYM_KEY setting, as 64 hex digits. The same physician always gets the same pseudonym
    (in interactions and referrals alike), and without the key it cannot be traced back."""
    return hmac.new(
        settings.PSEUDONYM_KEY.encode(), str(physician_id).encode(), hashlib.sha256
    ).hexdigest()


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    ACCEPTED = "accepted", _("Accepted")
    CONTACTED = "contacted", _("Contacted")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.ACCEPTED, Status.CONTACTED)
# Statuses in which a supporter holds the case.
HELD_STATUSES = (Status.ASSIGNED, Status.ACCEPTED, Status.CONTACTED)


class Outcome(models.TextChoices):
    SUPPORTED = "supported", _("Supported")
    DECLINED = "declined", _("Declined support")
    UNREACHABLE = "unreachable", _("Unreachable")
    REFERRED_OUT = "referred_out", _("Referred to professional care")


class Source(models.TextChoices):
    SELF = "self", _("Self-referral")
    THIRD_PARTY = "third_party", _("Referred by a colleague")
    EVENT = "event", _("After a difficult event")


class Reason(models.TextChoices):
    ADVERSE_EVENT = "adverse_event", _("Adverse event or medical error")
    PATIENT_DEATH = "patient_death", _("Death or serious harm of a patient")
    LITIGATION = "litigation", _("Lawsuit, complaint or investigation")
    DIFFICULT_ENCOUNTER = "difficult_encounter", _("Hostile patient or family")
    WORKPLACE = "workplace", _("Conflict or mistreatment at work")
    PERSONAL = "personal", _("Personal loss or stress")
    OTHER = "other", _("Something else")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Within a day is fine")
    SOON = "soon", _("As soon as possible")
    SAFETY = "safety", _("Urgent: safety concern")


def first_contact_hours(
    urgency: str = Urgency.ROUTINE, values: program_settings.ProgramValues | None = None
) -> int:
    """How many hours after receipt first contact is due: URGENT_FIRST_CONTACT_HOURS for an
    urgent safety concern, FIRST_CONTACT_DEADLINE_HOURS for any other request (the program's
    settings now, or ``values`` read before)."""
    values = values or program_settings.get()
    if urgency == Urgency.SAFETY:
        return values.urgent_first_contact_hours
    return values.first_contact_hours


def first_contact_deadline(
    received_at: datetime,
    urgency: str = Urgency.ROUTINE,
    values: program_settings.ProgramValues | None = None,
) -> datetime:
    """When first contact is due for a referral of `urgency` received at `received_at`,
    however it came in (a request, an event, an import)."""
    return received_at + timedelta(hours=first_contact_hours(urgency, values))


class CallerRole(models.TextChoices):
    """Who called (or wrote to) the program to ask for support for a physician: a request a
    coordinator took on their behalf."""

    NURSE = "nurse", _("A nurse")
    PHYSICIAN = "physician", _("A physician colleague")
    CHIEF = "chief", _("A chief or department head")
    RISK_MANAGER = "risk_manager", _("A risk manager or patient safety officer")
    OTHER_STAFF = "other_staff", _("Other staff")
    SELF = "self", _("The physician themself")


class IntakeChannel(models.TextChoices):
    PHONE = "phone", _("By phone")
    EMAIL = "email", _("By email")


CALLER_CONTACT_MAX_LENGTH = 200


class ContactMethod(models.TextChoices):
    ANY = "any", _("No preference")
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("In person")


class DepartmentPreference(models.TextChoices):
    NONE = "none", _("No preference")
    OWN = "own", _("A supporter from the same department")
    OTHER = "other", _("A supporter from another department")


class EventCategory(models.TextChoices):
    PATIENT_DEATH = "patient_death", _("Unexpected patient death")
    ADVERSE_EVENT = "adverse_event", _("Serious adverse event")
    MASS_CASUALTY = "mass_casualty", _("Mass casualty or disaster")
    VIOLENCE = "violence", _("Violence in the workplace")
    LITIGATION = "litigation", _("Lawsuit or investigation")
    OTHER = "other", _("Other difficult event")


# The reason recorded on the referrals an event creates.
EVENT_REASON: dict[str, Reason] = {
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


# Not closed yet: the referral a physician's new request joins.
IS_OPEN = ~Q(status=Status.CLOSED)


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> ReferralQuerySet:
        return self.filter(IS_OPEN)

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


class Referral(RolledUp, models.Model):
    """A request that a trained peer reach a physician: from that physician, a colleague, or
    a coordinator after a difficult event."""

    referral_id = models.CharField(
        _("referral ID"), max_length=64, unique=True, default=new_referral_id, editable=False
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    # The physician to be supported: on the roster, or named in free text when not (yet).
    physician = models.ForeignKey(
        Physician, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    named_colleague = models.CharField(
        max_length=200, blank=True, help_text=_("The colleague's name when not on the roster.")
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
        null=True, blank=True, help_text=_("The first outreach that reached the physician.")
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
        default=False, help_text=_("The colleague may be told who asked for support.")
    )
    # A request a coordinator took from a caller (who has no account, or did not use it): who
    # called, by role only, and how to reach them. Coordinators see both; nobody else does,
    # and retention removes the contact.
    caller_role = models.CharField(max_length=12, choices=CallerRole.choices, blank=True)
    caller_contact = models.CharField(max_length=CALLER_CONTACT_MAX_LENGTH, blank=True)
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
    rollup_fields = (
        "department_id",
        "received_at",
        "source",
        "first_contact_at",
        "status",
        "outcome",
    )

    class Meta:
        ordering = ["first_contact_due_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=_in("status", Status), name="referral_status_valid"),
            models.CheckConstraint(
                condition=Q(outcome="") | _in("outcome", Outcome), name="referral_outcome_valid"
            ),
            models.CheckConstraint(condition=_in("source", Source), name="referral_source_valid"),
            models.CheckConstraint(
                condition=Q(caller_role="") | _in("caller_role", CallerRole),
                name="referral_caller_role_valid",
            ),
            # A caller's request has no referrer account: the caller is described instead.
            models.CheckConstraint(
                condition=Q(caller_role="", caller_contact="") | Q(referrer__isnull=True),
                name="referral_caller_or_referrer",
            ),
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
        if self.physician is not None:
            return self.physician.name or self.physician.physician_id
        if self.deidentified_at is not None:
            return gettext("De-identified after retention")
        return self.named_colleague or gettext("Not recorded")


class AssignmentState(models.TextChoices):
    PENDING = "pending", _("Waiting for the supporter")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined by the supporter")
    EXPIRED = "expired", _("Not accepted in time")
    WITHDRAWN = "withdrawn", _("Reassigned by a coordinator")


ACTIVE_ASSIGNMENT_STATES = (AssignmentState.PENDING, AssignmentState.ACCEPTED)


class DeclineReason(models.TextChoices):
    CAPACITY = "capacity", _("No capacity right now")
    AWAY = "away", _("Away or unavailable")
    CONFLICT = "conflict", _("Conflict of interest")
    OTHER = "other", _("Another reason")


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
    RECEIVED = "received", _("Request received")
    REQUESTED_AGAIN = "requested_again", _("Requested again by another colleague")
    URGENCY_RAISED = "urgency_raised", _("Marked urgent: safety concern")
    ASSIGNED = "assigned", _("Assigned")
    REASSIGNED = "reassigned", _("Reassigned")
    ACCEPTED = "accepted", _("Accepted by the supporter")
    DECLINED = "declined", _("Declined by the supporter")
    HANDED_BACK = "handed_back", _("Handed back by the supporter; back in the queue")
    ACCOUNT_CLOSED = "account_closed", _("Supporter's account closed; back in the queue")
    LINKED = "linked", _("Linked to the physician's roster entry")
    EXPIRED = "expired", _("Not accepted in time; back in the queue")
    CONTACTED = "contacted", _("First contact made")
    CLOSED = "closed", _("Closed")
    REMINDED = "reminded", _("Supporter reminded of the deadline")
    ESCALATED = "escalated", _("First contact overdue; coordinators alerted")
    PAGED = "paged", _("Paged")
    ACKNOWLEDGED = "acknowledged", _("Urgent alert acknowledged")


class PageTarget(models.TextChoices):
    """Whom a round of paging for an urgent referral went to (interactions.models.paging)."""

    ON_CALL = "on_call", _("the on-call person")
    NEXT_ON_CALL = "next_on_call", _("the next on-call person")
    COORDINATORS = "coordinators", _("all coordinators of the site")


# A repeated request as its history entry says it, by where it came from (ReferralEvent.label).
REPEATED_REQUEST = {
    Source.SELF: _("Repeated request from the physician themself, joined to this open case"),
    Source.THIRD_PARTY: _("Repeated request from a colleague, joined to this open case"),
    Source.EVENT: _("Repeated request after a difficult event, joined to this open case"),
}


def receipt_digest(code: str) -> str:
    """What is stored of a receipt code: its digest, the code written any way (case, spaces,
    dashes)."""
    plain = "".join(character for character in code.upper() if character.isalnum())
    return hashlib.sha256(plain.encode()).hexdigest()


class RequestReceipt(models.Model):
    """The receipt of a request made anonymously: the digest of the code its requester was
    given, the only tie between them and the referral (no account, no event actor, no audit
    actor). The code shows what the request caused, as "My requests" would."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="receipts")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    requested_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Receipt for referral {self.referral_id}"


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
    def label(self) -> str:
        """What happened, as the history says it: a request that joined this open case reads
        as a repeated request, and says where it came from."""
        if self.kind == EventKind.PAGED:
            return self._paged_label()
        if self.kind != EventKind.REQUESTED_AGAIN:
            return self.get_kind_display()
        came_from = self.detail.get("source", "")
        if came_from in REPEATED_REQUEST:
            return str(REPEATED_REQUEST[came_from])
        return gettext("Repeated request, joined to this open case")

    def _paged_label(self) -> str:
        target = self.detail.get("target", "")
        whom = PageTarget(target).label if target in PageTarget.values else gettext("someone")
        if self.detail.get("fallback"):
            said = gettext(
                "Paged %(whom)s (round %(round)s) by email, the paging gateway having failed"
            )
        else:
            said = gettext("Paged %(whom)s (round %(round)s)")
        return said % {"whom": whom, "round": self.detail.get("round", "?")}

    @property
    def reason_label(self) -> str:
        reason = self.detail.get("reason", "")
        return str(DeclineReason(reason).label) if reason in DeclineReason.values else ""

    @property
    def outcome_label(self) -> str:
        outcome = self.detail.get("outcome", "")
        return str(Outcome(outcome).label) if outcome in Outcome.values else ""
