"""Write the research export of a period into a directory (docs/research-exports.md).

    manage.py export_research DIR --start YYYY-MM-DD --end YYYY-MM-DD

The files are de-identified (pseudonyms of this export alone, survey responses by month,
small cells suppressed at the program's threshold), with a codebook, Stata and SPSS files and
REDCap data dictionaries. The same files as the director's download. Every run is audited.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.report import ReportInputError
from reporting.research import research_period
from reporting.services import research_export_write


class Command(BaseCommand):
    help = "Write the de-identified research export of a period (CSV, Stata, SPSS, REDCap)."

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="Write the files here.")
        parser.add_argument("--start", required=True, help="First day of the period, YYYY-MM-DD.")
        parser.add_argument("--end", required=True, help="Last day (included), YYYY-MM-DD.")

    def handle(self, *args, **options):
        try:
            period = research_period(options["start"], options["end"])
        except ReportInputError as error:
            raise CommandError(str(error)) from error
        directory = Path(options["directory"])
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        try:
            paths = research_export_write(
                actor=None, period=period, directory=directory, via="command"
            )
        except OSError as error:
            raise CommandError(f"cannot write into {directory}: {error.strerror}") from error
        self.stdout.write(f"{len(paths)} files written to {directory}:")
        for path in paths:
            self.stdout.write(f"  {path.as_posix()}")
