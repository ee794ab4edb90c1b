"""De-identify the cases closed more than RETENTION_DAYS ago, and say what was removed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from interactions import services
from post_program import program_settings


class Command(BaseCommand):
    help = (
        "De-identify cases closed more than RETENTION_DAYS ago: remove notes, colleague names, "
        "the referrer, the outbox rows and the requesters in the audit trail, make survey "
        "invitations forget their recipient, and replace each link to the supported physician "
        "with its keyed pseudonym. Report figures do not change. Also runs daily as a job."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only say how many cases are due; change nothing.",
        )

    def handle(self, *args, dry_run: bool, **options):
        cutoff = timezone.localtime(services.retention_cutoff())
        days = program_settings.get().retention_days
        when = f"closed before {cutoff:%Y-%m-%d %H:%M} (retention: {days} days)"
        if dry_run:
            due = services.retention_due()
            self.stdout.write(
                f"Due for de-identification, {when}: {due['referrals']} case(s) and "
                f"{due['proactive_interactions']} interaction(s) without a referral. "
                "Nothing was changed (--dry-run)."
            )
            return
        try:
            result = services.retention_purge()
        except services.RetentionError as error:
            raise CommandError(str(error)) from error
        if not (result.referrals or result.interactions):
            self.stdout.write(f"Nothing to de-identify: no case {when} is left.")
            return
        lines = [
            (result.referrals, "case(s) de-identified"),
            (result.interactions, "interaction(s) de-identified"),
            (result.physician_links, "link(s) to the supported physician replaced by a pseudonym"),
            (result.colleague_names, "colleague name(s) removed"),
            (result.referrer_links, "referrer link(s) removed"),
            (result.requester_events, "requester(s) removed from case histories"),
            (result.audit_actors, "requester(s) removed from audit rows"),
            (result.notes, "referral note(s) removed"),
            (result.follow_up_notes, "follow-up note(s) removed"),
            (result.outbox_rows, "outbox row(s) deleted"),
            (result.survey_invitations, "survey invitation(s) that forgot their recipient"),
        ]
        self.stdout.write(self.style.SUCCESS(f"De-identified the cases {when}:"))
        for count, text in lines:
            self.stdout.write(f"  {count:>6} {text}")
