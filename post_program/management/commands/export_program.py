"""Write the program's history as the CSV files that import_program reads."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from post_program import import_export


class Command(BaseCommand):
    help = "Export the program as CSV files; names and emails only with --identified."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--identified", action="store_true", help="include names and email addresses"
        )

    def handle(self, *args, directory: Path, identified: bool, **options):
        written = import_export.export_to_folder(directory, identified=identified)
        for name, count in written.items():
            self.stdout.write(f"{directory / name}: {count} rows")
