"""The research export's files (docs/research-exports.md), written from the units' variable
declarations (``reporting/research.py``): so the codebook, the CSV, the Stata and SPSS files and
the REDCap data dictionary cannot disagree about a variable.

    codebook.csv                         every variable of every file
    <unit>.csv                           the tidy file (codes as numbers, dates YYYY-MM-DD)
    <unit>.dta, <unit>.sav               the same, with variable and value labels
    redcap/<unit>_dictionary.csv         a REDCap data dictionary of the unit
    redcap/<unit>_records.csv            its records, for REDCap's data import

The CSV files are streamed row by row; the Stata and SPSS files are read back from the CSV
(pyreadstat writes a whole data frame).
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
import pyreadstat

from post_program.spreadsheets import csv_lines

from ..research import (
    CATEGORY,
    DATE,
    INTEGER,
    NUMBER,
    TEXT,
    YESNO,
    ResearchExport,
    Unit,
    Variable,
)

CODEBOOK_HEADER = ("file", "variable", "label", "type", "values", "missing codes", "source")
REDCAP_HEADER = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
"""The columns of a REDCap data dictionary, in REDCap's order and spelling."""
REDCAP_RECORD_ID = "record_id"
# A REDCap field of each kind: (field type, text validation).
REDCAP_FIELDS = {
    CATEGORY: ("radio", ""),
    YESNO: ("yesno", ""),
    INTEGER: ("text", "integer"),
    NUMBER: ("text", "number"),
    DATE: ("text", "date_ymd"),
    TEXT: ("text", ""),
}
PANDAS_TYPES = {CATEGORY: "Int64", YESNO: "Int64", INTEGER: "Int64", NUMBER: "float64", TEXT: str}


def _write_lines(path: Path, rows: Iterable[Iterable[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        file.writelines(csv_lines(rows))


def values_text(variable: Variable) -> str:
    """The codebook's values column: every code and its label, or the kind of value."""
    if variable.codes:
        return "; ".join(f"{code} = {label}" for code, label in variable.codes)
    return {
        CATEGORY: "codes (none in this export)",
        INTEGER: "whole number",
        NUMBER: "number",
        DATE: "date, YYYY-MM-DD",
        TEXT: "text",
    }[variable.kind]


def redcap_choices(variable: Variable) -> str:
    """REDCap's choices of a radio field: ``1, Label | 2, Label``."""
    if variable.kind != CATEGORY:
        return ""
    return " | ".join(f"{code}, {label}" for code, label in variable.codes)


def codebook_rows(units: Iterable[Unit]) -> Iterator[tuple[str, ...]]:
    yield CODEBOOK_HEADER
    for unit in units:
        for variable in unit.variables:
            yield (
                f"{unit.name}.csv",
                variable.name,
                variable.label,
                variable.kind,
                values_text(variable),
                variable.missing,
                variable.source,
            )


def redcap_dictionary_rows(unit: Unit) -> Iterator[tuple[str, ...]]:
    yield REDCAP_HEADER
    blank = ("",) * (len(REDCAP_HEADER) - 8)
    record = (REDCAP_RECORD_ID, unit.name, "", "text", "Record ID (row of the file)", "", "", "")
    yield record + blank
    for variable in unit.variables:
        # A radio field needs its choices: a category with none in this export is a number.
        kind = INTEGER if variable.kind == CATEGORY and not variable.codes else variable.kind
        field_type, validation = REDCAP_FIELDS[kind]
        yield (
            variable.name,
            unit.name,
            "",
            field_type,
            variable.label,
            redcap_choices(variable),
            variable.missing,
            validation,
            *blank,
        )


def _read_back(unit: Unit, path: Path) -> pd.DataFrame:
    """The unit's CSV as a data frame with each variable's type."""
    dates = [v.name for v in unit.variables if v.kind == DATE]
    frame = pd.read_csv(
        path,
        dtype={v.name: PANDAS_TYPES[v.kind] for v in unit.variables if v.kind != DATE},
        keep_default_na=False,
        na_values={v.name: [""] for v in unit.variables if v.kind != TEXT},
    )
    for name in dates:
        frame[name] = pd.to_datetime(frame[name], format="%Y-%m-%d").dt.date
    return frame


def _labelled(unit: Unit, path: Path) -> None:
    """The unit's Stata and SPSS files, with variable and value labels."""
    frame = _read_back(unit, path.with_suffix(".csv"))
    labels: dict[str, str | None] = {v.name: v.label for v in unit.variables}
    value_labels: dict[str, dict[int | float, str]] = {
        v.name: v.value_labels for v in unit.variables if v.codes
    }
    for write, suffix in ((pyreadstat.write_dta, ".dta"), (pyreadstat.write_sav, ".sav")):
        write(
            frame,
            str(path.with_suffix(suffix)),
            file_label=unit.label,
            column_labels=labels,
            variable_value_labels=value_labels,
        )


def _redcap_records(unit: Unit, path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        yield [REDCAP_RECORD_ID, *next(reader)]
        for number, row in enumerate(reader, start=1):
            yield [str(number), *row]


def research_files_write(export: ResearchExport, directory: Path) -> list[Path]:
    """Write every file of ``export`` into ``directory`` (created if missing); the paths
    written, relative to it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "redcap").mkdir(exist_ok=True)
    units = export.units()
    written = [Path("codebook.csv")]
    _write_lines(directory / "codebook.csv", codebook_rows(units))
    for unit in units:
        base = directory / unit.name
        header = tuple(v.name for v in unit.variables)
        _write_lines(base.with_suffix(".csv"), _with_header(header, unit.rows()))
        _labelled(unit, base)
        redcap = directory / "redcap"
        _write_lines(redcap / f"{unit.name}_dictionary.csv", redcap_dictionary_rows(unit))
        _write_lines(
            redcap / f"{unit.name}_records.csv", _redcap_records(unit, base.with_suffix(".csv"))
        )
        written += [Path(f"{unit.name}.{ext}") for ext in ("csv", "dta", "sav")] + [
            Path("redcap") / f"{unit.name}_{part}.csv" for part in ("dictionary", "records")
        ]
    return written


def _with_header(header: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> Iterator[Any]:
    yield header
    yield from rows


def research_zip_write(directory: Path, paths: Iterable[Path], target: BinaryIO) -> None:
    """The files at ``paths`` (relative to ``directory``) as one zip archive into ``target``."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(directory / path, arcname=path.as_posix())
