"""Import a program's history from a folder of CSV files or one XLSX workbook."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from post_program import import_export


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
            files = import_export.read_path(path, import_export.file_specs())
            if not files:
                raise CommandError(f"{path}: no program files found")
            report = import_export.import_files(files, dry_run=dry_run)
        except import_export.ImportRejected as rejected:
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
