"""prism_notes.csv: the PRISM context notes beside the report's numbers (docs/data-formats.md).

The core finds this module by name, as it finds every app's files, so the reporting app plugs its
file in without anything importing reporting. A note has no identifier of its own: every column
is its key, so a note already present is left as it is and notes are never updated or removed.
"""

from __future__ import annotations

from django.db.models import F

from post_program.import_export import (
    Column,
    Counts,
    FileSpec,
    check_department_reference,
    choice,
    date_value,
    department_lookup,
    field_length,
    streamed,
)
from post_program.models import Department, Site

from .models import PRISM_NOTE_MAX_LENGTH, PrismDomain, PrismNote, PrismTag


class PrismNotesFile(FileSpec):
    name = "prism_notes.csv"
    columns = (
        Column("noted_on", required=True, parse=date_value),
        Column("domain", required=True, parse=choice(*PrismDomain.values)),
        Column("tag", required=True, parse=choice(*PrismTag.values)),
        Column("site", max_length=field_length(Site, "name")),
        Column("department", max_length=field_length(Department, "name")),
        Column("text", required=True, max_length=PRISM_NOTE_MAX_LENGTH),
    )
    key = ("noted_on", "domain", "tag", "site", "department", "text")

    def row_key(self, row):
        # A program-wide note has no site or department: still a key, so that two such rows
        # saying the same are refused like any other repeated row.
        return tuple(
            row[column] or "" if column in ("site", "department") else row[column]
            for column in self.key
        )

    def check(self, row, batch):
        if bool(row["site"]) != bool(row["department"]):
            yield "department", "give both site and department, or neither (a program-wide note)"
        else:
            yield from check_department_reference(row, batch)

    def write(self, rows, batch):
        departments = department_lookup(batch)
        existing = {
            (noted_on, domain, tag, site or "", department or "", text)
            for noted_on, domain, tag, site, department, text in self._keys(PrismNote.objects)
        }
        new = []
        for row in rows:
            key = self.row_key(row)
            if key in existing:
                continue
            department = departments[(row["site"], row["department"])] if row["site"] else None
            new.append(
                PrismNote(
                    domain=row["domain"],
                    tag=row["tag"],
                    noted_on=row["noted_on"],
                    department=department,
                    text=row["text"],
                )
            )
        PrismNote.objects.bulk_create(new, batch_size=1000)
        return Counts(created=len(new), unchanged=len(rows) - len(new))

    @staticmethod
    def _keys(notes):
        """The notes as rows of this file, in its column order. Two identical notes are one row:
        they say the same thing, and the file's key tells notes apart by what they say."""
        return (
            notes.annotate(
                site_name=F("department__site__name"), department_name=F("department__name")
            )
            .order_by("noted_on", "domain", "tag", "site_name", "department_name", "text")
            .values_list("noted_on", "domain", "tag", "site_name", "department_name", "text")
            .distinct()
        )

    def export_rows(self):
        return streamed(self._keys(PrismNote.objects))


FILES = [PrismNotesFile()]
