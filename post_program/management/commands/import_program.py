"""Import a program's history from a folder of CSV files or one XLSX workbook."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from post_program import exchange


class Command(BaseCommand):
    help = (
        "Import departments, physicians, training, referrals, interactions and survey "
        "responses. Every row is checked first; with any error nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="a folder of CSV files or an .xlsx workbook")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, but write nothing"
        )

    def handle(self, *args, path: Path, dry_run: bool, **options):
        try:
            files = exchange.read_path(path, exchange.file_specs())
            if not files:
                raise CommandError(f"{path}: no program files found")
            report = exchange.import_files(files, dry_run=dry_run)
        except exchange.ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(rejected.errors)} error(s) found; nothing was written."
            ) from None
        for name, counts in report.counts.items():
            self.stdout.write(
                f"{name}: {counts.rows} rows, {counts.created} new, {counts.updated} updated, "
                f"{counts.unchanged} unchanged"
            )
        self.stdout.write("Dry run: nothing was written." if dry_run else "Import complete.")
