"""Write the PRISM/RE-AIM report for a period and scope (the contract of docs/metrics.md).

    manage.py reaim_report --start YYYY-MM-DD --end YYYY-MM-DD [--site SITE]
        [--department SITE/DEPARTMENT ...] [--suppress-below K]
        [--format json|csv|xlsx|pdf] [--output FILE]

Without --suppress-below the counts are exact: the command is run by someone with shell access
to the server. Every run is audited (period, scope, format and threshold; never the numbers).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from post_program.services import audit_record
from reporting.render import render
from reporting.report import ReAimReport, ReportInputError, period_parse, scope_resolve

FORMATS = ("json", "csv", "xlsx", "pdf")
BINARY_FORMATS = ("xlsx", "pdf")


class Command(BaseCommand):
    help = "Write the PRISM/RE-AIM report for a period and scope (JSON, CSV, XLSX or PDF)."

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="First day of the period, YYYY-MM-DD.")
        parser.add_argument("--end", required=True, help="Last day (included), YYYY-MM-DD.")
        parser.add_argument("--site", default=None, help="Report on one site's departments.")
        parser.add_argument(
            "--department",
            action="extend",
            nargs="+",
            default=[],
            metavar="SITE/DEPARTMENT",
            help="Report on these departments (repeatable).",
        )
        parser.add_argument(
            "--suppress-below",
            type=int,
            default=None,
            metavar="K",
            help="Suppress counts from 1 to K-1 (and what would reveal them).",
        )
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument(
            "--output", default=None, metavar="FILE", help="Write here instead of standard output."
        )

    def handle(self, *args, **options):
        threshold = options["suppress_below"]
        if threshold is not None and threshold < 1:
            raise CommandError(
                f"--suppress-below must be a whole number of 1 or more, got {threshold}"
            )
        try:
            period = period_parse(options["start"], options["end"])
            scope = scope_resolve(site=options["site"], departments=options["department"])
            report = ReAimReport(period=period, scope=scope, threshold=threshold)
            content, _ = render(report, options["format"])
        except ReportInputError as error:
            raise CommandError(str(error)) from error
        self._write(content, fmt=options["format"], output=options["output"])
        audit_record(
            actor=None,
            action="reporting.report.command",
            format=options["format"],
            start=period.start.isoformat(),
            end=period.end.isoformat(),
            sites=list(scope.sites),
            department_ids=sorted(scope.department_ids or []),
            threshold=threshold,
        )

    def _write(self, content: bytes, *, fmt: str, output: str | None) -> None:
        if output:
            path = Path(output)
            try:
                path.write_bytes(content)
            except OSError as error:
                raise CommandError(f"cannot write {output}: {error.strerror}") from error
            return
        if fmt not in BINARY_FORMATS:
            self.stdout.write(content.decode(), ending="")
            return
        stream = getattr(self.stdout._out, "buffer", None)
        if stream is None:
            raise CommandError(f"--format {fmt} is binary: give --output FILE")
        stream.write(content)
        stream.flush()
