"""Case work on referrals and beyond: the supporters' outreach attempts, the interaction log,
and the debriefs supporters ask for.

`Interaction`'s columns map one to one onto `interactions.csv` (see its docstring).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from post_program.models import Department, PeerSupporter, Physician

from .referrals import PSEUDONYM_LENGTH, Referral, _in
from .rollup import RolledUp

FOLLOW_UP_NOTE_MAX_LENGTH = 300
MAX_DURATION_MINUTES = 1440


def new_interaction_id() -> str:
    return f"I-{uuid.uuid4().hex[:12].upper()}"


class InteractionSource(models.TextChoices):
    SELF = "self", _("Self-referral")
    THIRD_PARTY = "third_party", _("Referred by a colleague")
    EVENT = "event", _("After a difficult event")
    PROACTIVE = "proactive", _("Proactive (without a referral)")


class Modality(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video call")
    MESSAGE = "message", _("Messages (text or email)")


class Topic(models.TextChoices):
    ADVERSE_OUTCOME = "adverse_outcome", _("Adverse patient outcome")
    MEDICAL_ERROR = "medical_error", _("Medical error")
    LITIGATION = "litigation", _("Litigation or complaint")
    PATIENT_FAMILY_CONFLICT = "patient_family_conflict", _("Conflict with a patient or family")
    WORKPLACE_CONFLICT = "workplace_conflict", _("Workplace conflict")
    PERSONAL_STRESS = "personal_stress", _("Personal stress")
    BURNOUT = "burnout", _("Burnout")
    OTHER = "other", _("Other")


class EscalationResource(models.TextChoices):
    EAP = "eap", _("Employee assistance program (EAP)")
    MENTAL_HEALTH = "mental_health", _("Mental health professional")
    CRISIS_LINE = "crisis_line", _("Crisis line")
    OTHER = "other", _("Other professional help")


class InteractionQuerySet(models.QuerySet["Interaction"]):
    def successful(self) -> InteractionQuerySet:
        return self.filter(successful=True)

    def between(self, start, end) -> InteractionQuerySet:
        """`occurred_on` in [start, end], both included."""
        return self.filter(occurred_on__gte=start, occurred_on__lte=end)

    def for_sites(self, site_ids) -> InteractionQuerySet:
        return self.filter(department__site_id__in=site_ids)


class Interaction(RolledUp, models.Model):
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
        _("interaction ID"), max_length=64, unique=True, default=new_interaction_id, editable=False
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
        help_text=_("The supported physician on the roster, if known (emptied by retention)."),
    )
    physician_pseudonym = models.CharField(
        max_length=PSEUDONYM_LENGTH,
        blank=True,
        db_index=True,
        help_text=_("Keyed pseudonym of the supported physician: what reports count."),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="interactions"
    )
    duration_minutes = models.PositiveSmallIntegerField()
    successful = models.BooleanField(
        help_text=_("A support conversation took place (no: an attempt that did not).")
    )
    source = models.CharField(max_length=12, choices=InteractionSource.choices)
    modality = models.CharField(max_length=10, choices=Modality.choices, blank=True)
    escalated = models.BooleanField(
        default=False, help_text=_("The physician was pointed to professional help.")
    )
    escalated_to = models.CharField(max_length=14, choices=EscalationResource.choices, blank=True)
    topics = models.JSONField(default=list, blank=True, help_text=_("Topic codes (Topic)."))
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
    rollup_fields = (
        "department_id",
        "supporter_id",
        "occurred_on",
        "successful",
        "source",
        "escalated",
        "duration_minutes",
    )

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
        return [str(Topic(code).label) for code in self.topics if code in Topic.values]

    @property
    def person_label(self) -> str:
        if self.physician is not None:
            return self.physician.name or self.physician.physician_id
        if self.deidentified_at is not None:
            return gettext("De-identified after retention")
        return gettext("Not on the roster")


class OutreachMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video call")


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


HANDOFF_NOTE_MAX_LENGTH = 600


class HandoffNote(models.Model):
    """What a supporter who worked a case leaves for the one who takes it next: how and when
    the colleague likes to be reached, what was agreed. Written by the case's supporter while
    they hold it (or as they hand it back), read only by a later supporter of the case; never
    shown to coordinators, leads or the colleague, and removed by retention."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="handoff_notes")
    written_by = models.ForeignKey(PeerSupporter, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=HANDOFF_NOTE_MAX_LENGTH)
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["written_at", "pk"]
        constraints = [
            # One note per supporter and case, rewritten as it changes.
            models.UniqueConstraint(
                fields=["referral", "written_by"], name="handoff_note_one_per_supporter"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="handoff_note_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Hand-off note on referral {self.referral_id}"


class DebriefTrigger(models.TextChoices):
    ESCALATION = "escalation", _("After pointing a colleague to professional help")
    LOAD = "load", _("After many interactions in 30 days")
    ASKED = "asked", _("Asked without a particular reason")


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
