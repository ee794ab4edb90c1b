"""Reporting records: PRISM context notes, background report exports and digest deliveries.

The RE-AIM numbers themselves are never stored: they are computed from the program's records
for a period and a scope every time (``report.ReAimReport``), so a report cannot go stale or
disagree with the dashboard.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from post_program.models import Department

PRISM_NOTE_MAX_LENGTH = 1000


def _in(field: str, choices) -> Q:
    return Q(**{f"{field}__in": [value for value, _ in choices.choices]})


class PrismDomain(models.TextChoices):
    """The six PRISM context domains (docs/metrics.md, PRISM context)."""

    INTERVENTION_ORGANISATIONAL = (
        "intervention_organisational",
        _("Intervention (organisational perspective)"),
    )
    INTERVENTION_RECIPIENT = "intervention_recipient", _("Intervention (recipient perspective)")
    RECIPIENTS_ORGANISATIONAL = (
        "recipients_organisational",
        _("Recipients (organisational characteristics)"),
    )
    RECIPIENTS_INDIVIDUAL = "recipients_individual", _("Recipients (individual characteristics)")
    INFRASTRUCTURE = "infrastructure", _("Implementation and sustainability infrastructure")
    EXTERNAL_ENVIRONMENT = "external_environment", _("External environment")


class PrismTag(models.TextChoices):
    BARRIER = "barrier", _("Barrier")
    FACILITATOR = "facilitator", _("Facilitator")
    CONTEXT = "context", _("Context")


class PrismNoteQuerySet(models.QuerySet["PrismNote"]):
    def for_report(self, *, start, end, department_ids) -> PrismNoteQuerySet:
        """Notes dated in [start, end] for a report's scope: program-wide notes always, and
        those of the departments in scope (all departments when ``department_ids`` is None)."""
        notes = self.filter(noted_on__gte=start, noted_on__lte=end)
        if department_ids is not None:
            notes = notes.filter(Q(department__isnull=True) | Q(department_id__in=department_ids))
        return notes


class PrismNote(models.Model):
    """Context for the numbers: what helped, what stood in the way, what else was going on.

    Program-wide when ``department`` is empty. The text is free but must not identify people;
    the form says so, and nothing here is ever sent by email or written to logs.
    """

    domain = models.CharField(max_length=32, choices=PrismDomain.choices)
    tag = models.CharField(max_length=12, choices=PrismTag.choices)
    noted_on = models.DateField(
        default=timezone.localdate, help_text=_("The date the note is about (or was observed).")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prism_notes",
        help_text=_("Empty for a note about the whole program."),
    )
    text = models.TextField(max_length=PRISM_NOTE_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PrismNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-noted_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=_in("domain", PrismDomain), name="prism_domain_valid"),
            models.CheckConstraint(condition=_in("tag", PrismTag), name="prism_tag_valid"),
            models.CheckConstraint(condition=~Q(text=""), name="prism_text_not_empty"),
        ]
        indexes = [models.Index(fields=["noted_on"])]

    def __str__(self) -> str:
        return f"{self.get_domain_display()} · {self.get_tag_display()} · {self.noted_on}"

    @property
    def scope_label(self) -> str:
        return self.department.label if self.department is not None else gettext("Program")


class ExportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", _("Excel (XLSX)")
    CSV = "csv", _("CSV (tidy)")
    JSON = "json", "JSON"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportExport(models.Model):
    """A report file prepared in the background for the person who asked for it.

    The file is kept in the database (``content``) so that any web process can serve what any
    worker wrote: PostgreSQL is the one shared store. ``department_ids`` and ``site`` record
    the scope asked for; ``threshold`` is the suppression applied (None: exact counts).
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_exports"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    format = models.CharField(max_length=4, choices=ExportFormat.choices)
    start = models.DateField()
    end = models.DateField()
    site = models.ForeignKey(
        "post_program.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    department_ids = models.JSONField(default=list, blank=True)
    threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done, 0-100."))
    content = models.BinaryField(null=True, blank=True, editable=False)
    filename = models.CharField(max_length=120, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(
        max_length=100, blank=True, help_text=_("The error's type only, never its message.")
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=_in("format", ExportFormat), name="export_format"),
            models.CheckConstraint(condition=_in("status", ExportStatus), name="export_status"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="export_period"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_range"),
            models.CheckConstraint(
                condition=Q(threshold__isnull=True) | Q(threshold__gte=1),
                name="export_threshold_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} report {self.start} to {self.end} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


CONTENT_TYPES: dict[str, str] = {
    ExportFormat.PDF: "application/pdf",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSON: "application/json",
}


class DigestDelivery(models.Model):
    """The monthly digest sent to one user for one month: written with its outbox email, so a
    rerun of the job in the same month never sends twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text=_("First day of the month the digest is for."))
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="digest_once_per_month"),
        ]

    def __str__(self) -> str:
        return f"Digest {self.month:%Y-%m} for user {self.user_id}"
