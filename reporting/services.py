"""Writes of the reporting app: PRISM notes, report exports and the monthly digest.

Each write runs in one transaction and leaves one audit row whose detail holds identifiers and
choice values only (never a note's text); tasks are queued after commit.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from post_program.i18n import in_language_of
from post_program.jobs import enqueue_on_commit
from post_program.mail import email_link
from post_program.models import Department, RoleAssignment, Site, User
from post_program.outbox import outbox_write
from post_program.services import audit_record

from . import metrics
from .models import DigestDelivery, ExportStatus, PrismNote, ReportExport
from .render import render
from .render.research import research_files_write, research_zip_write
from .report import ReAimReport, scope_for
from .research import ResearchExport

logger = logging.getLogger(__name__)

# --- PRISM notes ----------------------------------------------------------------------------

PRISM_FIELDS = ("domain", "tag", "noted_on", "department", "text")


@transaction.atomic
def prism_note_create(
    *,
    actor: User,
    domain: str,
    tag: str,
    noted_on: date,
    text: str,
    department: Department | None = None,
) -> PrismNote:
    note = PrismNote.objects.create(
        domain=domain,
        tag=tag,
        noted_on=noted_on,
        department=department,
        text=text,
        author=actor,
    )
    audit_record(
        actor=actor,
        action="reporting.prism_note.create",
        obj=note,
        domain=domain,
        tag=tag,
        department_id=department.pk if department else None,
    )
    return note


@transaction.atomic
def prism_note_update(*, actor: User, note: PrismNote, **fields) -> PrismNote:
    unknown = set(fields) - set(PRISM_FIELDS)
    if unknown:
        raise TypeError(f"prism_note_update does not change {sorted(unknown)}")
    # Compare with the stored row: a bound ModelForm has already copied its values onto the
    # instance it was given.
    note = PrismNote.objects.select_for_update().get(pk=note.pk)
    changed = sorted(name for name, value in fields.items() if getattr(note, name) != value)
    for name in changed:
        setattr(note, name, fields[name])
    note.updated_at = timezone.now()
    note.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=actor, action="reporting.prism_note.update", obj=note, fields=changed)
    return note


@transaction.atomic
def prism_note_delete(*, actor: User, note: PrismNote) -> None:
    audit_record(
        actor=actor,
        action="reporting.prism_note.delete",
        obj=note,
        domain=note.domain,
        department_id=note.department_id,
    )
    note.delete()


# --- Exports --------------------------------------------------------------------------------

PROGRESS_STARTED = 5
PROGRESS_COMPUTED = 60
PROGRESS_RENDERED = 90


@transaction.atomic
def report_export_request(
    *,
    actor: User,
    format: str,
    period: metrics.Window,
    site: Site | None = None,
    departments: list[Department] | tuple[Department, ...] = (),
    threshold: int | None = None,
) -> ReportExport:
    """Queue the report for ``period`` and this scope as a file in ``format``; the caller has
    checked that ``actor`` may see the scope and chosen the suppression ``threshold``."""
    scope_for(site=site, departments=departments)  # the same check the build will make
    export = ReportExport.objects.create(
        requested_by=actor,
        format=format,
        start=period.start,
        end=period.end,
        site=site,
        department_ids=sorted(d.pk for d in departments),
        threshold=threshold,
    )
    audit_record(
        actor=actor,
        action="reporting.export.request",
        obj=export,
        format=format,
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        site_id=site.pk if site else None,
        department_ids=export.department_ids,
        threshold=threshold,
    )
    # The pending row is the record of the work: if the broker is down now, the sweep queues it.
    enqueue_on_commit(BUILD_TASK, export.pk, broker_down_ok=True)
    return export


def research_export_write(
    *,
    actor: User | None,
    period: metrics.Window,
    directory: Path,
    archive: BinaryIO | None = None,
    via: str,
) -> list[Path]:
    """Write the research export of ``period`` into ``directory`` (and, given ``archive``, the
    same files as one zip archive into it), then audit it: the period, the threshold and the
    files, never a figure. ``via`` says where it was asked for (``command`` or ``web``); the
    caller has checked that ``actor`` may export. The paths written, relative to ``directory``.
    """
    export = ResearchExport(period=period)
    paths = research_files_write(export, directory)
    if archive is not None:
        research_zip_write(directory, paths, archive)
    audit_record(
        actor=actor,
        action="reporting.research.export",
        via=via,
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        threshold=export.threshold,
        files=[path.as_posix() for path in paths],
    )
    return paths


BUILD_TASK = "reporting.tasks.report_export_build"
# A pending export this old was never picked up (broker down or message lost): queue it again.
EXPORT_SWEEP_AFTER = timedelta(minutes=2)


def report_exports_to_sweep() -> list[int]:
    """Exports still pending after EXPORT_SWEEP_AFTER; building one twice is harmless (the build
    claims it first)."""
    return list(
        ReportExport.objects.filter(
            status=ExportStatus.PENDING, requested_at__lte=timezone.now() - EXPORT_SWEEP_AFTER
        )
        .order_by("requested_at", "pk")
        .values_list("pk", flat=True)[:100]
    )


def _progress(export_id: int, percent: int, **fields) -> None:
    ReportExport.objects.filter(pk=export_id).update(progress=percent, **fields)


def report_export_build(*, export_id: int) -> None:
    """Compute and render a queued export, recording progress as it goes (each step commits
    on its own so the requester's page can show it). A failure is recorded by type only."""
    claimed = ReportExport.objects.filter(pk=export_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING, progress=PROGRESS_STARTED
    )
    if not claimed:
        return
    export = (
        ReportExport.objects.defer("content")
        .select_related("site", "requested_by")
        .get(pk=export_id)
    )
    try:
        departments = list(
            Department.objects.select_related("site").filter(pk__in=export.department_ids)
        )
        report = ReAimReport(
            period=metrics.Window(export.start, export.end),
            scope=scope_for(site=export.site, departments=departments),
            threshold=export.threshold,
        )
        report.data  # noqa: B018 - computing the numbers is the long step
        _progress(export_id, PROGRESS_COMPUTED)
        with in_language_of(export.requested_by):  # the PDF and workbook in the requester's
            content, filename = render(report, export.format)
        _progress(export_id, PROGRESS_RENDERED)
    except Exception as error:
        logger.error("Report export %s failed: %s", export_id, type(error).__name__)
        _progress(
            export_id,
            100,
            status=ExportStatus.FAILED,
            error=type(error).__name__[:100],
            finished_at=timezone.now(),
        )
        return
    with transaction.atomic():
        ReportExport.objects.filter(pk=export_id).update(
            content=content,
            filename=filename,
            status=ExportStatus.DONE,
            progress=100,
            finished_at=timezone.now(),
        )
        audit_record(actor=None, action="reporting.export.ready", obj=export, format=export.format)


@transaction.atomic
def report_export_record_download(*, actor: User, export: ReportExport) -> None:
    audit_record(actor=actor, action="reporting.export.download", obj=export, format=export.format)


def report_exports_purge(*, now=None) -> int:
    """Delete export files older than REPORT_EXPORT_KEEP_DAYS; returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.REPORT_EXPORT_KEEP_DAYS)
    with transaction.atomic():
        old = ReportExport.objects.filter(requested_at__lt=cutoff)
        count = old.count()
        if count:
            old.delete()
            audit_record(actor=None, action="reporting.export.purge", count=count)
    return count


# --- Monthly digest -------------------------------------------------------------------------


def digest_recipients(*, month: date) -> list[User]:
    """Active accounts of directors and department leads who have not had ``month``'s digest."""
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(role_assignments__role=RoleAssignment.Role.DIRECTOR)
            | Q(role_assignments__role=RoleAssignment.Role.LEAD)
        )
        .exclude(pk__in=DigestDelivery.objects.filter(month=month).values("user_id"))
        .distinct()
        .order_by("pk")
    )


def digest_subject() -> str:
    """The digest's subject in the active language."""
    return _("Your monthly report of the peer support program is ready")


def digest_body() -> str:
    """The digest's text in the active language: a link and nothing else (no figure, no
    name)."""
    link = email_link(reverse("reporting:index"))
    return _(
        "The monthly report of the peer support program is ready on your dashboard.\n\n"
        "Sign in to see it: %(link)s\n"
    ) % {"link": link}


def digest_send_monthly(*, today: date) -> int:
    """Write this month's digest to the outbox for every director and lead who has not had it.

    The (user, month) row and the outbox email commit together, so a rerun never writes it
    twice, and the outbox sends it after commit, retrying a failed send: the mail server is
    never called inside this transaction. Returns how many were written.
    """
    month = today.replace(day=1)
    written = 0
    for user in digest_recipients(month=month):
        try:
            with transaction.atomic():
                delivery = DigestDelivery.objects.create(user=user, month=month)
                audit_record(
                    actor=None,
                    action="reporting.digest.send",
                    obj=delivery,
                    user_id=user.pk,
                    month=month.isoformat(),
                )
                with in_language_of(user):
                    subject, body = digest_subject(), digest_body()
                outbox_write(kind="reporting.digest", to=user.email, subject=subject, body=body)
        except IntegrityError:
            continue  # another run wrote it meanwhile
        written += 1
    return written
