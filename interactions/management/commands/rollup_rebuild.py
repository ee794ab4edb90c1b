"""Build the monthly rollups of interactions and referrals again from the raw rows."""

from django.core.management.base import BaseCommand

from interactions.services.rollup import rollup_rebuild


class Command(BaseCommand):
    help = (
        "Count every interaction and referral again into the monthly rollups the report reads "
        "(after a restore, a bulk change made outside the application, or a new TIME_ZONE)."
    )

    def handle(self, *args, **options):
        for rollup, rows in rollup_rebuild().items():
            self.stdout.write(f"{rollup}: {rows} rows")
        self.stdout.write(self.style.SUCCESS("Rollups rebuilt."))
