"""Surveys: instruments and their versions, campaigns, invitations, and anonymous responses.

Anonymity is built into the schema, not left to the views:

- An `Invitation` knows its recipient (so that reminders reach only those who have not
  answered) and records only *whether* it was used: a boolean, never a time.
- Its links are stored as SHA-256 hashes (`InvitationToken`); the token itself exists only in
  the email and in the recipient's browser.
- A `Response` holds its campaign, the instrument version answered, the respondent's department
  (none for a survey sent after an event) and the month (its first day). Nothing in it, or in
  its `Answer` rows, points to a person, an account, an invitation or a token;
  `tests/surveys/test_anonymity.py` inspects the schema.
- A submission is first a `PendingResponse`, settled into a `Response` later with many others,
  so that no response shares a transaction with its invitation's used-mark.
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from post_program.models import Department, Physician

CODE_HELP = _("Lower-case letters, digits and underscores; stable once answers exist.")
SPANISH_HELP = _("Optional: shown to those who read the program in Spanish, else the English.")


def in_reader_language(english: str, spanish: str) -> str:
    """The wording for the language being read: the Spanish one when the reader reads Spanish
    and there is one, else the English. Answers are stored by code, so both are one question."""
    if spanish and (translation.get_language() or "").split("-")[0] == "es":
        return spanish
    return english


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    LIKERT = "likert", _("Agreement, 1 (strongly disagree) to 5 (strongly agree)")
    SCALE = "scale", _("Rating scale (whole numbers from a minimum to a maximum)")
    SINGLE_CHOICE = "single_choice", _("One choice from a list")
    MULTIPLE_CHOICE = "multiple_choice", _("Any choices from a list")
    NUMBER = "number", _("Whole number")
    TEXT = "text", _("Short text")


LIKERT_LABELS = {
    1: _("Strongly disagree"),
    2: _("Disagree"),
    3: _("Neither agree nor disagree"),
    4: _("Agree"),
    5: _("Strongly agree"),
}
# Likert answers of 4 or 5 count as "agree" (docs/data-formats.md, docs/metrics.md).
LIKERT_AGREE_MIN = 4
TEXT_MAX_LENGTH = 500


class Scoring(models.TextChoices):
    NONE = "none", _("No score")
    SUM = "sum", _("Sum of the scored items")
    MEAN = "mean", _("Mean of the scored items")
    WHO5 = "who5", _("WHO-5 index (4 times the sum of the five items, 0 to 100)")


class InstrumentQuerySet(models.QuerySet["Instrument"]):
    def active(self) -> InstrumentQuerySet:
        return self.filter(is_active=True)


class Instrument(models.Model):
    """A questionnaire, identified by a stable code (`survey` column of survey_responses.csv)."""

    code = models.SlugField(max_length=50, unique=True, help_text=CODE_HELP)
    name = models.CharField(max_length=200)
    name_es = models.CharField(
        _("name in Spanish"), max_length=200, blank=True, help_text=SPANISH_HELP
    )
    description = models.TextField(blank=True)
    description_es = models.TextField(
        _("description in Spanish"), blank=True, help_text=SPANISH_HELP
    )
    builtin = models.BooleanField(
        default=False, help_text=_("Created with the program; its codes and scales are fixed.")
    )
    is_active = models.BooleanField(default=True, help_text=_("Offered for new campaigns."))
    created_at = models.DateTimeField(default=timezone.now)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["-builtin", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[a-z][a-z0-9_]*$"), name="instrument_code_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def localized_name(self) -> str:
        return in_reader_language(self.name, self.name_es)

    @property
    def localized_description(self) -> str:
        return in_reader_language(self.description, self.description_es)

    @property
    def current_version(self) -> InstrumentVersion | None:
        return self.versions.order_by("-number").first()


class InstrumentVersion(models.Model):
    """One fixed wording of an instrument. Responses keep the version they answered, so a new
    version never changes what earlier answers meant."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    intro = models.TextField(blank=True, help_text=_("Shown above the questions."))
    intro_es = models.TextField(_("introduction in Spanish"), blank=True, help_text=SPANISH_HELP)
    scoring = models.CharField(max_length=10, choices=Scoring.choices, default=Scoring.NONE)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="instrument_version_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="instrument_version_positive"),
            models.CheckConstraint(
                condition=Q(scoring__in=["none", "sum", "mean", "who5"]),
                name="instrument_version_scoring_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.name} v{self.number}"

    @property
    def localized_intro(self) -> str:
        return in_reader_language(self.intro, self.intro_es)


class Question(models.Model):
    """One item of a version. `options` holds `{"code", "label"}` pairs for the choice kinds,
    and optional point labels (lowest first) for a rating scale; `options_es` the Spanish labels
    in the same order (none, or one per option). `text_es`, `help_text_es` and `options_es` are
    the Spanish wording of the same question: answers in either language are the same answers."""

    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=50, help_text=CODE_HELP)
    text = models.CharField(max_length=500)
    text_es = models.CharField(_("question in Spanish"), max_length=500, blank=True)
    help_text = models.CharField(max_length=300, blank=True)
    help_text_es = models.CharField(_("help text in Spanish"), max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    required = models.BooleanField(default=True)
    min_value = models.IntegerField(null=True, blank=True)
    max_value = models.IntegerField(null=True, blank=True)
    options = models.JSONField(default=list, blank=True)
    options_es = models.JSONField(default=list, blank=True)
    scored = models.BooleanField(default=False, help_text=_("Counts towards the version's score."))

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="question_code_unique"),
            models.UniqueConstraint(
                fields=["version", "position"], name="question_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[a-z][a-z0-9_]*$"), name="question_code_format"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in QuestionKind]), name="question_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=models.F("min_value")),
                name="question_range_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(kind="scale") | (Q(min_value__isnull=False, max_value__isnull=False)),
                name="question_scale_has_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_kind_display()})"

    @property
    def localized_text(self) -> str:
        return in_reader_language(self.text, self.text_es)

    @property
    def localized_help_text(self) -> str:
        return in_reader_language(self.help_text, self.help_text_es)

    def _option_labels(self) -> list[str]:
        """The label of each option (or scale point) in the reader's language."""
        english = [
            option["label"] if isinstance(option, dict) else str(option)
            for option in self.options or []
        ]
        spanish = list(self.options_es or [])
        if len(spanish) != len(english):
            spanish = [""] * len(english)
        return [in_reader_language(en, str(es)) for en, es in zip(english, spanish, strict=True)]

    @property
    def scale_points(self) -> list[tuple[int, str]]:
        """(value, label) of each point of a Likert item or a rating scale, lowest first."""
        if self.kind == QuestionKind.LIKERT:
            return [(value, str(label)) for value, label in LIKERT_LABELS.items()]
        if self.kind == QuestionKind.SCALE:
            labels = self._option_labels()
            if self.min_value is None or self.max_value is None:
                return []
            values = range(self.min_value, self.max_value + 1)
            return [
                (value, f"{value} — {labels[i]}" if i < len(labels) else str(value))
                for i, value in enumerate(values)
            ]
        return []

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(code, label) of each option of a single or multiple choice question."""
        if self.kind not in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            return []
        codes = [option["code"] for option in self.options or []]
        return list(zip(codes, self._option_labels(), strict=True))

    @property
    def is_numeric(self) -> bool:
        return self.kind in (QuestionKind.LIKERT, QuestionKind.SCALE, QuestionKind.NUMBER)


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def open(self) -> CampaignQuerySet:
        return self.filter(status=Campaign.Status.OPEN)


class Campaign(models.Model):
    """One round of a survey: an instrument version sent to an audience between two dates.

    `trigger` is set on the campaigns the program runs by itself (recipient feedback after a
    case is closed, training evaluation after a course): invitations join the open automatic
    campaign of that trigger as the events happen.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Audience(models.TextChoices):
        DEPARTMENTS = "departments", _("Rosters of chosen departments")
        SUPPORTERS = "supporters", _("All active peer supporters")
        AUTOMATIC = "automatic", _("Invited automatically after an event")

    class Trigger(models.TextChoices):
        NONE = "", _("None")
        RECIPIENT_FEEDBACK = "recipient_feedback", _("After a supported case is closed")
        TRAINING_EVALUATION = "training_evaluation", _("After a course is completed")

    name = models.CharField(max_length=200)
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="campaigns"
    )
    audience = models.CharField(max_length=12, choices=Audience.choices)
    departments = models.ManyToManyField(Department, blank=True, related_name="survey_campaigns")
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default="", blank=True)
    opens_on = models.DateField()
    closes_on = models.DateField(
        null=True, blank=True, help_text="Last day to answer; empty for automatic campaigns."
    )
    reminder_days = models.JSONField(
        default=list,
        blank=True,
        help_text="Days after the invitation when those who have not answered are reminded.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "open", "closed"]),
                name="campaign_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=["departments", "supporters", "automatic"]),
                name="campaign_audience_valid",
            ),
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("opens_on")),
                name="campaign_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=(Q(audience="automatic") & ~Q(trigger=""))
                | (~Q(audience="automatic") & Q(trigger="") & Q(closes_on__isnull=False)),
                name="campaign_trigger_matches_audience",
            ),
            models.UniqueConstraint(
                fields=["trigger"],
                condition=~Q(trigger="") & Q(status="open"),
                name="campaign_one_open_per_trigger",
            ),
        ]
        indexes = [models.Index(fields=["status", "opens_on"])]

    def __str__(self) -> str:
        return self.name

    @property
    def instrument(self) -> Instrument:
        return self.version.instrument

    @property
    def is_automatic(self) -> bool:
        return bool(self.trigger)

    def accepts_answers_on(self, day: date) -> bool:
        return self.status == self.Status.OPEN and (self.closes_on is None or self.closes_on >= day)


class Invitation(models.Model):
    """One recipient of a campaign. It records whether it was used, and nothing about when.

    `source_key` names the event behind an automatic invitation (`referral:17`,
    `training_completion:4`) so that the job inviting after events never invites twice.
    `department` is the recipient's when invited: response rates are counted on it.

    When retention de-identifies the event (`invitations_forget`), the invitation forgets its
    recipient and its source and its links stop working; it stays, with its department and
    whether it was used, so that response rates do not change.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    physician = models.ForeignKey(
        Physician,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_invitations",
        help_text="Empty once retention de-identified the event behind it.",
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    used = models.BooleanField(default=False)
    expires_on = models.DateField(help_text="Last day the link works.")
    source_key = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the invitation email went out; empty = not yet."
    )
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "physician"],
                condition=Q(source_key=""),
                name="invitation_once_per_campaign",
            ),
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~Q(source_key=""),
                name="invitation_once_per_source",
            ),
            # A forgotten invitation names no event and waits for no reminder.
            models.CheckConstraint(
                condition=Q(physician__isnull=False)
                | Q(source_key="", next_reminder_at__isnull=True),
                name="invitation_forgotten_is_inert",
            ),
        ]
        indexes = [
            models.Index(fields=["used", "next_reminder_at"]),
            models.Index(fields=["campaign", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk} to campaign {self.campaign_id}"


class PlannedInvitation(models.Model):
    """An invitation another app asked for, to go out when it is due (`invitation_schedule`).

    The survey engine knows nothing of why: interactions asks for recipient feedback when a
    case closes as supported, training for an evaluation when a course is completed. The row
    is deleted once the invitation exists, or once it is too old to send (see
    SURVEY_AUTOMATIC_LOOKBACK_DAYS), so it never outlives the event's invitation.
    """

    trigger = models.CharField(max_length=20, choices=Campaign.Trigger.choices)
    physician = models.ForeignKey(
        Physician, on_delete=models.CASCADE, related_name="planned_survey_invitations"
    )
    due_at = models.DateTimeField()
    source_key = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(trigger=""), name="planned_invitation_has_trigger"),
            models.CheckConstraint(
                condition=~Q(source_key=""), name="planned_invitation_has_source"
            ),
        ]
        indexes = [models.Index(fields=["due_at"])]

    def __str__(self) -> str:
        return f"Planned {self.trigger} invitation {self.pk}"


class InvitationToken(models.Model):
    """The SHA-256 hash of one link sent for an invitation. A reminder sends a fresh link (the
    first one cannot be rebuilt from its hash); every link of an invitation works until one of
    them is used."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"Link of invitation {self.invitation_id}"


def new_public_id() -> str:
    """A random, opaque response identifier: it says nothing about order or time."""
    return secrets.token_hex(10)


class ResponseQuerySet(models.QuerySet["Response"]):
    def submitted_between(self, start: date, end: date) -> ResponseQuerySet:
        return self.filter(submitted_on__gte=start, submitted_on__lte=end)

    def of_instrument(self, code: str) -> ResponseQuerySet:
        return self.filter(version__instrument__code=code)


class Response(models.Model):
    """One completed questionnaire. No person, account, invitation, token, address, day or time
    of day: only what the results need."""

    public_id = models.CharField(max_length=64, unique=True, default=new_public_id)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        help_text="Empty for responses imported from another system.",
    )
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="responses"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_on = models.DateField(help_text="The first day of the month of the submission.")
    score = models.FloatField(null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_on", "public_id"]
        indexes = [
            models.Index(fields=["version", "submitted_on"]),
            models.Index(fields=["campaign", "department"]),
        ]

    def __str__(self) -> str:
        return f"Response {self.public_id}"


class PendingResponse(models.Model):
    """A submitted questionnaire waiting to be settled (`responses_settle`).

    Submitting writes only this row, never the invitation: a response written in the same
    transaction as its invitation's used-mark would share its transaction id (`xmin` on
    PostgreSQL). `spent_key` is a keyed hash of the invitation's id, unique, so a link works once
    even when two submissions race; without the server's secret key it cannot be tied to an
    invitation. Settling turns many of these into responses and marks their invitations used in
    one transaction, in random order, and deletes them (docs/confidentiality.md).
    """

    spent_key = models.CharField(max_length=64, unique=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_on = models.DateField(help_text="The first day of the month of the submission.")
    answers = models.JSONField(help_text="Answer columns by question code, already checked.")

    def __str__(self) -> str:
        return "Pending response"


class Answer(models.Model):
    """One answer of a response. Exactly one of the value columns is set: `value_bool` for
    yes/no, `value_int` for Likert, scale and number, `value_text` for a choice code, choice
    codes joined by ";" (multiple choice), or short text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value_bool = models.BooleanField(null=True, blank=True)
    value_int = models.IntegerField(null=True, blank=True)
    value_text = models.CharField(max_length=TEXT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["response", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once"),
            models.CheckConstraint(
                condition=(Q(value_bool__isnull=False, value_int__isnull=True, value_text=""))
                | (Q(value_bool__isnull=True, value_int__isnull=False, value_text=""))
                | (Q(value_bool__isnull=True, value_int__isnull=True) & ~Q(value_text="")),
                name="answer_exactly_one_value",
            ),
        ]
        indexes = [models.Index(fields=["question", "value_int"])]

    def __str__(self) -> str:
        return f"{self.question.code}={self.export_value}"

    @property
    def export_value(self) -> str:
        """The answer as survey_responses.csv writes it."""
        if self.value_bool is not None:
            return "yes" if self.value_bool else "no"
        if self.value_int is not None:
            return str(self.value_int)
        return self.value_text


POSITIVE_ANSWER = Q(value_bool=True) | Q(
    question__kind=QuestionKind.LIKERT, value_int__gte=LIKERT_AGREE_MIN
)
"""An answer the report counts as positive: "yes", or "agree" (4 or 5) to a Likert item."""


class AnswerCount(models.Model):
    """The answers to one question of the responses of one department (or none) and one
    submission date, counted: all, and the positive ones. Derived from the answers (written
    with them by ``surveys.services.answer_counts_refresh``), read by the report."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    submitted_on = models.DateField()
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    respondents = models.IntegerField()
    positive = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["submitted_on", "question"])]

    def __str__(self) -> str:
        return f"{self.question_id} {self.submitted_on}: {self.positive}/{self.respondents}"
