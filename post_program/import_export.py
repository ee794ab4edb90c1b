"""Program history in and out: the CSV files (or XLSX sheets) described in docs/data-formats.md.

Each app describes the files it owns in `<app>/import_export.py` as `FILES = [FileSpec, ...]`; they
are handled in the order of `settings.LOCAL_APPS`, which is the order of docs/data-formats.md
(departments, physicians, training, referrals, interactions, survey responses, PRISM notes), so
a file may refer to rows of any file before it.

An import reads every file, checks every row of every file, and reports each problem as
`FILE:LINE: COLUMN: message`. Only when there is none does it write, in one transaction; a dry
run does the same writes and rolls them back, so a preview's counts are exactly what the real
import will do. Rows carry keys, so importing the same files again changes nothing.
"""

from __future__ import annotations

import csv
import io
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .app_modules import app_modules
from .bulk_rows import matching, with_changes
from .import_cells import choice as choice
from .import_cells import date_value as date_value
from .import_cells import datetime_value as datetime_value
from .import_cells import text as text
from .import_cells import whole_number as whole_number
from .import_cells import yes_no as yes_no
from .models import Department, PeerSupporter, Physician, Site, User
from .services import audit_record
from .spreadsheets import cell_read, cell_written

# What an import reads at most (docs/data-formats.md, Limits): rows of a file or sheet, columns
# of a sheet, the unpacked size of a workbook (checked before it is parsed), and a cell of a
# column that does not say otherwise.
MAX_ROWS = 200_000
MAX_COLUMNS = 50
MAX_UNPACKED_BYTES = 100 * 2**20
MAX_CELL_LENGTH = 200


class RowError(NamedTuple):
    source: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.column}: {self.message}"


class ImportRejected(Exception):
    """Raised with every error found; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s); nothing was written")


# --- File descriptions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    parse: Callable[[str], Any] = text
    identifying: bool = False  # names and emails: exported only when asked for
    max_length: int = MAX_CELL_LENGTH  # a text column's is its field's (`field_length`)


def field_length(model, name: str) -> int:
    """The longest value `model.name` holds: the bound of the column that fills it."""
    return model._meta.get_field(name).max_length


@dataclass
class Row:
    line: int
    values: dict[str, Any]

    def __getitem__(self, column: str) -> Any:
        return self.values.get(column)

    def has(self, column: str) -> bool:
        """Whether the file has this column (an empty cell is a value; an absent column is
        not)."""
        return column in self.values


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class FileSpec(ABC):
    """One file of docs/data-formats.md. Subclasses say how to check references, write and
    export."""

    name: str = ""
    columns: tuple[Column, ...] = ()
    key: tuple[str, ...] = ()

    def check(self, row: Row, batch: Batch) -> Iterable[tuple[str, str]]:
        """(column, message) for each problem beyond a cell's own type: references, ranges."""
        return ()

    @abstractmethod
    def write(self, rows: list[Row], batch: Batch) -> Counts:
        """Create or update the rows (all already checked) and count what changed."""

    @abstractmethod
    def export_rows(self) -> Iterable[Sequence[Any]]:
        """Every record as its values in the order of `columns`, streamed from the database
        (`streamed`), never a whole table in memory."""

    def shareable_rows(self) -> Iterable[Sequence[Any]]:
        """The records of a shareable export (without --identified): every record, unless the
        file coarsens its rows so that none singles someone out."""
        return self.export_rows()

    def row_key(self, row: Row) -> tuple:
        return tuple(row[column] for column in self.key)


def file_specs() -> list[FileSpec]:
    """Every app's files, in dependency order (settings.LOCAL_APPS)."""
    return [spec for module in app_modules("import_export") for spec in module.FILES]


# --- Reading -------------------------------------------------------------------------------


@dataclass
class RawFile:
    source: str  # how errors name it: "physicians.csv" or "history.xlsx[physicians]"
    header: list[str]
    rows: list[tuple[int, list[str]]]


def _cell_text(value: Any) -> str:
    """An XLSX cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if value.time() == time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(source: str, data: bytes) -> RawFile:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            [RowError(source, 1, "-", _("not UTF-8 text (byte %(byte)s)") % {"byte": error.start})]
        ) from None
    reader = csv.reader(io.StringIO(content, newline=""))
    lines: list[list[str]] = []
    try:
        for cells in reader:
            if len(lines) > MAX_ROWS:
                raise ImportRejected([RowError(source, reader.line_num, "-", _too_many_rows())])
            lines.append(cells)
    except csv.Error as error:
        message = (
            _("a cell is longer than %(length)s characters") % {"length": csv.field_size_limit()}
            if "field limit" in str(error)
            else _("not readable as CSV (%(error)s)") % {"error": error}
        )
        raise ImportRejected([RowError(source, reader.line_num, "-", message)]) from None
    if not lines:
        return RawFile(source, [], [])
    header = [cell.strip() for cell in lines[0]]
    rows = [
        (number, [cell_read(cell.strip()) for cell in cells])
        for number, cells in enumerate(lines[1:], start=2)
        if any(cell.strip() for cell in cells)
    ]
    return RawFile(source, header, rows)


def _too_many_rows() -> str:
    return _("more than %(rows)s rows") % {"rows": MAX_ROWS}


def read_files(uploads: dict[str, bytes], specs: list[FileSpec]) -> dict[str, RawFile]:
    """Files by their contract name, from CSV files or XLSX workbooks given as name -> bytes."""
    known = {spec.name: spec for spec in specs}
    found: dict[str, RawFile] = {}
    errors: list[RowError] = []
    for filename, data in uploads.items():
        if filename.lower().endswith(".xlsx"):
            found.update(_read_workbook(filename, data, known, errors))
        elif filename in known:
            found[filename] = _read_csv(filename, data)
        else:
            errors.append(
                RowError(
                    filename,
                    1,
                    "-",
                    _("not one of the program files (%(files)s)") % {"files": ", ".join(known)},
                )
            )
    if errors:
        raise ImportRejected(errors)
    return found


def _read_workbook(
    filename: str, data: bytes, known: dict[str, FileSpec], errors: list[RowError]
) -> dict[str, RawFile]:
    import openpyxl

    unreadable = RowError(filename, 1, "-", _("not a readable .xlsx workbook"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        errors.append(unreadable)
        return {}
    # Declared sizes: reading a member stops at its declared size, so a file cannot lie past this.
    if unpacked > MAX_UNPACKED_BYTES:
        errors.append(
            RowError(
                filename,
                1,
                "-",
                _("unpacks to %(size)s MB; a workbook may unpack to %(most)s MB at most")
                % {"size": unpacked // 2**20, "most": MAX_UNPACKED_BYTES // 2**20},
            )
        )
        return {}
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        errors.append(unreadable)
        return {}
    found = {}
    for sheet in workbook.worksheets:
        name = f"{sheet.title}.csv"
        source = f"{filename}[{sheet.title}]"
        if name not in known:
            errors.append(RowError(source, 1, "-", _("not one of the program's sheets")))
            continue
        lines = _sheet_lines(sheet, source, errors)
        if lines is None:
            continue
        header = lines[0] if lines else []
        while header and not header[-1]:
            header.pop()
        rows = [
            (number, cells[: len(header)])
            for number, cells in enumerate(lines[1:], start=2)
            if any(cells)
        ]
        found[name] = RawFile(source, header, rows)
    workbook.close()
    return found


def _sheet_lines(sheet, source: str, errors: list[RowError]) -> list[list[str]] | None:
    """A sheet's rows as text cells, or None (with the error) beyond the rows or columns an
    import reads."""
    lines = []
    for line, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), 1):
        if line > MAX_ROWS + 1:
            errors.append(RowError(source, line, "-", _too_many_rows()))
            return None
        if len(row) > MAX_COLUMNS and row[MAX_COLUMNS] is not None:
            errors.append(
                RowError(
                    source, line, "-", _("more than %(columns)s columns") % {"columns": MAX_COLUMNS}
                )
            )
            return None
        lines.append([cell_read(_cell_text(cell)) for cell in row[:MAX_COLUMNS]])
    return lines


def read_path(path: Path, specs: list[FileSpec]) -> dict[str, RawFile]:
    """A folder of CSV files or one .xlsx workbook."""
    if path.is_dir():
        uploads = {
            child.name: child.read_bytes()
            for child in sorted(path.iterdir())
            if child.is_file() and child.suffix.lower() in {".csv", ".xlsx"}
        }
    elif path.is_file():
        uploads = {path.name: path.read_bytes()}
    else:
        raise ImportRejected([RowError(str(path), 1, "-", _("no such file or folder"))])
    return read_files(uploads, specs)


# --- Checking and writing -------------------------------------------------------------------


@dataclass
class Batch:
    """What one import holds: every file's parsed rows, and cached look-ups of the database."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict)

    def keys(self, file_name: str, columns: tuple[str, ...]) -> set[tuple]:
        """Values of `columns` over the rows of `file_name` in this import."""
        return {tuple(row[c] for c in columns) for row in self.rows.get(file_name, [])}

    def cached(self, name: str, load: Callable[[], Any]) -> Any:
        if name not in self._cache:
            self._cache[name] = load()
        return self._cache[name]


def _parse(spec: FileSpec, raw: RawFile, errors: list[RowError]) -> list[Row]:
    columns = {column.name: column for column in spec.columns}
    header_ok = True
    seen: set[str] = set()
    for name in raw.header:
        if name in seen:
            errors.append(RowError(raw.source, 1, name, _("column appears twice")))
            header_ok = False
        seen.add(name)
        if name not in columns:
            errors.append(RowError(raw.source, 1, name or "-", _("unknown column")))
            header_ok = False
    for column in spec.columns:
        if column.required and column.name not in seen:
            errors.append(RowError(raw.source, 1, column.name, _("required column is missing")))
            header_ok = False
    if not header_ok:
        return []
    rows = []
    for line, cells in raw.rows:
        if len(cells) > len(raw.header) and any(cells[len(raw.header) :]):
            errors.append(RowError(raw.source, line, "-", _("more cells than columns")))
            continue
        values: dict[str, Any] = {}
        for index, name in enumerate(raw.header):
            cell = cells[index] if index < len(cells) else ""
            column = columns[name]
            if cell == "":
                values[name] = None
                if column.required:
                    errors.append(RowError(raw.source, line, name, _("a value is required")))
                continue
            try:
                if "\x00" in cell:
                    raise ValueError(_("contains a NUL character"))
                if len(cell) > column.max_length:
                    raise ValueError(
                        _("longer than %(length)s characters") % {"length": column.max_length}
                    )
                values[name] = column.parse(cell)
            except ValueError as error:
                errors.append(RowError(raw.source, line, name, str(error)))
                values[name] = None
        rows.append(Row(line, values))
    return rows


def check(files: dict[str, RawFile], specs: list[FileSpec]) -> tuple[Batch, list[RowError]]:
    """Parse and check every row of every file; return the batch and all errors found."""
    batch = Batch()
    present = [spec for spec in specs if spec.name in files]
    found: dict[str, list[RowError]] = {spec.name: [] for spec in present}
    for spec in present:
        batch.rows[spec.name] = _parse(spec, files[spec.name], found[spec.name])
    for spec in present:
        source = files[spec.name].source
        errors = found[spec.name]
        first_line: dict[tuple, int] = {}
        for row in batch.rows[spec.name]:
            key = spec.row_key(row)
            if None not in key:
                if key in first_line:
                    errors.append(
                        RowError(
                            source,
                            row.line,
                            ", ".join(spec.key),
                            _("the same key as line %(line)s") % {"line": first_line[key]},
                        )
                    )
                    continue
                first_line[key] = row.line
            for column, message in spec.check(row, batch):
                errors.append(RowError(source, row.line, column, message))
    ordered = [error for name in found for error in sorted(found[name], key=lambda e: e.line)]
    return batch, ordered


@dataclass
class ImportReport:
    counts: dict[str, Counts]
    dry_run: bool


def import_files(
    files: dict[str, RawFile],
    *,
    actor=None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check everything, then write everything in one transaction (rolled back on a dry run).

    `progress` is told the percent of files written after each one.
    """
    specs = [spec for spec in file_specs() if spec.name in files]
    batch, errors = check(files, specs)
    if errors:
        raise ImportRejected(errors)
    counts: dict[str, Counts] = {}
    with transaction.atomic():
        for done, spec in enumerate(specs, start=1):
            counts[spec.name] = spec.write(batch.rows[spec.name], batch)
            counts[spec.name].rows = len(batch.rows[spec.name])
            if progress:
                progress(done * 100 // len(specs))
        if dry_run:
            transaction.set_rollback(True)
        else:
            audit_record(
                actor=actor,
                action="program.import",
                files={
                    name: {"rows": c.rows, "created": c.created, "updated": c.updated}
                    for name, c in counts.items()
                },
            )
    return ImportReport(counts=counts, dry_run=dry_run)


# --- Export --------------------------------------------------------------------------------

# Rows an export fetches at a time (a server-side cursor on PostgreSQL): however long the
# program's history, an export holds one chunk of one file, never a whole table.
EXPORT_CHUNK_SIZE = 2000


def streamed(rows: QuerySet) -> Iterator[Any]:
    """The rows of a `values_list` query, fetched EXPORT_CHUNK_SIZE at a time."""
    return rows.iterator(chunk_size=EXPORT_CHUNK_SIZE)


def _cell(value: Any, zone: tzinfo) -> str:
    """A value as the text the import reads back, datetimes in the program's time `zone`; text
    that a spreadsheet would run as a formula stays text. By exact type, text first: most cells
    are, and an export converts millions of them."""
    kind = type(value)
    if kind is str:
        return cell_written(value)
    if value is None:
        return ""
    if kind is bool:
        return "yes" if value else "no"
    if kind is datetime:
        return value.astimezone(zone).isoformat()
    if kind is date:
        return value.isoformat()
    return cell_written(str(value))


def export_table(spec: FileSpec, *, identified: bool) -> tuple[list[str], Iterator[list[str]]]:
    """The file's header and its rows as text, streamed; names, emails and full detail only if
    identified (the round trip), otherwise the shareable rows."""
    shown = [i for i, column in enumerate(spec.columns) if identified or not column.identifying]
    records = spec.export_rows() if identified else spec.shareable_rows()
    zone = timezone.get_current_timezone()
    rows = ([_cell(record[i], zone) for i in shown] for record in records)
    return [spec.columns[i].name for i in shown], rows


def export_to_folder(folder: Path, *, actor=None, identified: bool = False) -> dict[str, int]:
    """Every file into `folder`, written row by row as the rows arrive from the database."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for spec in file_specs():
        header, rows = export_table(spec, identified=identified)
        with (folder / spec.name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            count = 0
            for row in rows:
                writer.writerow(row)
                count += 1
        written[spec.name] = count
    audit_record(actor=actor, action="program.export", identified=identified, files=written)
    return written


# --- The core's files: departments.csv and physicians.csv -----------------------------------


def carried(row: Row, values: dict[str, Any], sources: dict[str, str] | None = None) -> dict:
    """The `values` whose column the file has: a column the file leaves out leaves its field as
    it is. `sources` names the column of a field called otherwise (or derived from a column)."""
    sources = sources or {}
    return {name: value for name, value in values.items() if row.has(sources.get(name, name))}


def existing_departments(batch: Batch) -> set[tuple[str, str]]:
    """(site, department) of the database and of this import's departments.csv."""
    return batch.cached(
        "departments",
        lambda: (
            set(Department.objects.values_list("site__name", "name"))
            | batch.keys("departments.csv", ("site", "department"))
        ),
    )


def existing_physician_ids(batch: Batch) -> set[str]:
    """physician_id of the database and of this import's physicians.csv."""
    return batch.cached(
        "physician_ids",
        lambda: (
            set(Physician.objects.values_list("physician_id", flat=True))
            | {key[0] for key in batch.keys("physicians.csv", ("physician_id",))}
        ),
    )


def department_lookup(batch: Batch) -> dict[tuple[str, str], Any]:
    """(site, department) -> Department, loaded once after the departments are written."""
    return batch.cached(
        "department_objects",
        lambda: {(d.site.name, d.name): d for d in Department.objects.select_related("site")},
    )


def physician_pks(physician_ids: Iterable[str]) -> dict[str, int]:
    """Roster entries' primary keys by physician id, for the ids a file names."""
    return dict(
        matching(Physician.objects.values_list("physician_id", "pk"), "physician_id", physician_ids)
    )


def supporter_pks(physician_ids: Iterable[str]) -> dict[str, int]:
    """Peer supporters' primary keys by their physician id, for the ids a file names."""
    return dict(
        matching(
            PeerSupporter.objects.values_list("physician__physician_id", "pk"),
            "physician__physician_id",
            physician_ids,
        )
    )


def check_department_reference(row: Row, batch: Batch) -> Iterable[tuple[str, str]]:
    known = existing_departments(batch)
    if row["site"] and row["department"] and (row["site"], row["department"]) not in known:
        yield (
            "department",
            _("no department %(department)s at site %(site)s in the database or in departments.csv")
            % {"department": repr(row["department"]), "site": repr(row["site"])},
        )


class DepartmentsFile(FileSpec):
    name = "departments.csv"
    columns = (
        Column("site", required=True, max_length=field_length(Site, "name")),
        Column("department", required=True, max_length=field_length(Department, "name")),
        Column("launched_on", parse=date_value),
        Column("ended_on", parse=date_value),
    )
    key = ("site", "department")

    def check(self, row, batch):
        if row["ended_on"] and not row["launched_on"]:
            yield "ended_on", _("a department cannot end without having launched")
        elif row["ended_on"] and row["ended_on"] < row["launched_on"]:
            yield "ended_on", _("is before launched_on")

    def write(self, rows, batch):
        counts = Counts()
        sites = {site.name: site for site in Site.objects.all()}
        existing = {
            (stored.pop("site__name"), stored.pop("name")): stored
            for stored in Department.objects.values(
                "site__name", "name", "pk", "launched_on", "ended_on"
            )
        }
        new, changed = [], []
        for row in rows:
            site = sites.get(row["site"]) or Site.objects.create(name=row["site"])
            sites[site.name] = site
            values = {"launched_on": row["launched_on"], "ended_on": row["ended_on"]}
            stored = existing.get((row["site"], row["department"]))
            if stored is None:
                new.append(Department(site=site, name=row["department"], **values))
            elif department := with_changes(Department, stored, carried(row, values)):
                changed.append(department)
        Department.objects.bulk_create(new)
        Department.objects.bulk_update(changed, ["launched_on", "ended_on"])
        counts.created, counts.updated = len(new), len(changed)
        counts.unchanged = len(rows) - len(new) - len(changed)
        return counts

    def export_rows(self):
        return streamed(
            Department.objects.order_by("site__name", "name").values_list(
                "site__name", "name", "launched_on", "ended_on"
            )
        )


class PhysiciansFile(FileSpec):
    name = "physicians.csv"
    columns = (
        Column("physician_id", required=True, max_length=field_length(Physician, "physician_id")),
        Column("site", required=True, max_length=field_length(Site, "name")),
        Column("department", required=True, max_length=field_length(Department, "name")),
        Column("started_on", parse=date_value),
        Column("ended_on", parse=date_value),
        Column(
            "email",
            parse=lambda value: value.lower(),
            identifying=True,
            max_length=field_length(Physician, "email"),
        ),
        Column("name", identifying=True, max_length=field_length(Physician, "name")),
    )
    key = ("physician_id",)

    def check(self, row, batch):
        yield from check_department_reference(row, batch)
        if row["started_on"] and row["ended_on"] and row["ended_on"] < row["started_on"]:
            yield "ended_on", _("is before started_on")
        if row["email"]:
            owner = self._email_owners(batch).get(row["email"])
            if owner not in (None, row["physician_id"]):
                yield (
                    "email",
                    _("already belongs to physician %(physician)s") % {"physician": owner},
                )

    def _email_owners(self, batch: Batch) -> dict[str, str]:
        def load():
            owners = {
                email.lower(): physician_id
                for physician_id, email in Physician.objects.exclude(email="").values_list(
                    "physician_id", "email"
                )
            }
            # This import's rows win over the database's, and the first row wins over a later.
            imported = {row["physician_id"] for row in batch.rows.get(self.name, [])}
            owners = {e: p for e, p in owners.items() if p not in imported}
            for row in batch.rows.get(self.name, []):
                if row["email"]:
                    owners.setdefault(row["email"], row["physician_id"])
            return owners

        return batch.cached("email_owners", load)

    def write(self, rows, batch):
        departments = department_lookup(batch)
        fields = ["department_id", "started_on", "ended_on", "email", "name"]
        existing = {
            stored["physician_id"]: stored
            for stored in matching(
                Physician.objects.values("pk", "physician_id", *fields),
                "physician_id",
                (row["physician_id"] for row in rows),
            )
        }
        users = {
            email.lower(): pk
            for email, pk in matching(
                User.objects.values_list("email", "pk"), "email", (row["email"] for row in rows)
            )
        }
        new, changed = [], []
        for row in rows:
            values = {
                "department_id": departments[(row["site"], row["department"])].pk,
                "started_on": row["started_on"],
                "ended_on": row["ended_on"],
                "email": row["email"] or "",
                "name": row["name"] or "",
            }
            stored = existing.get(row["physician_id"])
            if stored is None:
                user_id = users.get(row["email"]) if row["email"] else None
                new.append(Physician(physician_id=row["physician_id"], user_id=user_id, **values))
            elif physician := with_changes(
                Physician, stored, carried(row, values, {"department_id": "department"})
            ):
                changed.append(physician)
        # Emails move between rows in a refresh: clear the old ones first so that the unique
        # email constraint never sees two rows holding one address mid-update.
        if changed:
            Physician.objects.filter(pk__in=[p.pk for p in changed]).update(email="")
            Physician.objects.bulk_update(changed, fields, batch_size=1000)
        Physician.objects.bulk_create(new, batch_size=1000)
        return Counts(
            created=len(new),
            updated=len(changed),
            unchanged=len(rows) - len(new) - len(changed),
        )

    def export_rows(self):
        return streamed(
            Physician.objects.order_by("physician_id").values_list(
                "physician_id",
                "department__site__name",
                "department__name",
                "started_on",
                "ended_on",
                "email",
                "name",
            )
        )


FILES = [DepartmentsFile(), PhysiciansFile()]
