"""referrals.csv and interactions.csv for program imports and exports.

A case de-identified by retention no longer names its physician; its export carries the keyed
pseudonym instead, as `pseudonym:<64 hex digits>` in the physician_id column, so that an export
imported into an empty database still counts the same unique physicians.
"""

from __future__ import annotations

import functools
import re
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext

from post_program.bulk_rows import insert_rows, matching, with_changes
from post_program.import_export import (
    Column,
    Counts,
    FileSpec,
    carried,
    check_department_reference,
    choice,
    date_value,
    datetime_value,
    department_lookup,
    existing_physician_ids,
    field_length,
    physician_pks,
    streamed,
    supporter_pks,
    whole_number,
    yes_no,
)
from post_program.models import PeerSupporter
from training.import_export import newly_trained_ids

from .models import (
    HELD_STATUSES,
    MAX_DURATION_MINUTES,
    Interaction,
    InteractionSource,
    Modality,
    Outcome,
    Reason,
    Referral,
    Source,
    Status,
    Urgency,
    first_contact_hours,
    physician_pseudonym,
)
from .services import recipient_feedback_schedule
from .services.rollup import rollup_rows_written

PSEUDONYM_PREFIX = "pseudonym:"
PSEUDONYM = re.compile(r"pseudonym:[0-9a-f]{64}")
STATUS_ORDER = list(Status.values)  # the life cycle, first state first


def pseudonym_of(value: str | None) -> str:
    """The pseudonym a physician_id cell carries, or "" for a roster id or an empty cell."""
    return value.removeprefix(PSEUDONYM_PREFIX) if value and PSEUDONYM.fullmatch(value) else ""


def check_physician(row, batch):
    """A physician_id cell names a roster entry, or carries a de-identified case's pseudonym."""
    value = row["physician_id"]
    if value and not pseudonym_of(value) and value not in existing_physician_ids(batch):
        if value.startswith(PSEUDONYM_PREFIX):
            yield "physician_id", gettext("a pseudonym is 'pseudonym:' and 64 hex digits")
        else:
            yield "physician_id", gettext("no such physician in the database or in physicians.csv")


def physician_cell(physician_id: str | None, pseudonym: str) -> str | None:
    """The physician_id a row exports: the roster's, or a de-identified case's pseudonym."""
    if physician_id is not None:
        return physician_id
    return PSEUDONYM_PREFIX + pseudonym if pseudonym else None


def supporter_physician_ids(batch) -> set[str]:
    """physician_id of supporters: in the database, or trained by this import's training.csv."""
    return batch.cached(
        "supporter_physician_ids",
        lambda: (
            set(PeerSupporter.objects.values_list("physician__physician_id", flat=True))
            | newly_trained_ids(batch)
        ),
    )


class ReferralsFile(FileSpec):
    name = "referrals.csv"
    columns = (
        Column("referral_id", required=True, max_length=field_length(Referral, "referral_id")),
        Column("received_at", required=True, parse=datetime_value),
        Column("source", required=True, parse=choice(*Source.values)),
        Column("physician_id"),
        Column("site", required=True),
        Column("department", required=True),
        Column("assigned_to"),
        Column("first_contact_at", parse=datetime_value),
        Column("closed_at", parse=datetime_value),
        Column("outcome", parse=choice(*Outcome.values)),
    )
    key = ("referral_id",)

    def check(self, row, batch):
        yield from check_department_reference(row, batch)
        yield from check_physician(row, batch)
        if pseudonym_of(row["physician_id"]) and not row["outcome"]:
            yield "physician_id", gettext("only a closed case is de-identified")
        if row["assigned_to"] and row["assigned_to"] not in supporter_physician_ids(batch):
            yield "assigned_to", gettext("not a trained peer supporter (database or training.csv)")
        received = row["received_at"]
        for column in ("first_contact_at", "closed_at"):
            if received and row[column] and row[column] < received:
                yield column, gettext("is before received_at")
        if bool(row["closed_at"]) != bool(row["outcome"]):
            yield "outcome", gettext("closed_at and outcome go together: give both or neither")
        if not row["outcome"] and row["first_contact_at"] and not row["assigned_to"]:
            yield (
                "assigned_to",
                gettext("an open referral with a first contact needs its supporter"),
            )
        if not row["outcome"] and row["physician_id"] and not pseudonym_of(row["physician_id"]):
            first = self._open_referral_of(batch).get(row["physician_id"])
            if first not in (None, row["referral_id"]):
                yield (
                    "physician_id",
                    gettext("already has an open referral (%(first)s)") % {"first": first},
                )

    def _open_referral_of(self, batch) -> dict[str, str]:
        """physician_id -> referral_id of the one open referral each physician may have."""

        def load():
            rows = batch.rows.get(self.name, [])
            imported = {row["referral_id"] for row in rows}
            open_of = {
                physician_id: referral_id
                for physician_id, referral_id in matching(
                    Referral.objects.open().values_list("physician__physician_id", "referral_id"),
                    "physician__physician_id",
                    (row["physician_id"] for row in rows if not row["outcome"]),
                )
                if referral_id not in imported
            }
            for row in rows:
                if not row["outcome"] and row["physician_id"]:
                    open_of.setdefault(row["physician_id"], row["referral_id"])
            return open_of

        return batch.cached("open_referral_of", load)

    @staticmethod
    def _status(row) -> str:
        if row["outcome"]:
            return Status.CLOSED
        if row["first_contact_at"]:
            return Status.CONTACTED
        return Status.ASSIGNED if row["assigned_to"] else Status.NEW

    def write(self, rows, batch):
        departments = department_lookup(batch)
        physicians = physician_pks(row["physician_id"] for row in rows)
        supporters = supporter_pks(row["assigned_to"] for row in rows)
        # The program's deadlines, read once for the whole file (first_contact_deadline).
        due_after = {urgency: timedelta(hours=first_contact_hours(urgency)) for urgency in Urgency}
        existing = {
            stored["referral_id"]: stored
            for stored in matching(
                Referral.objects.values("pk", "referral_id", "urgency", *self._fields),
                "referral_id",
                (row["referral_id"] for row in rows),
            )
        }
        new, changed, replaced = [], [], []
        for row in rows:
            status = self._status(row)
            held = status in HELD_STATUSES
            pseudonym = pseudonym_of(row["physician_id"])
            stored = existing.get(row["referral_id"])
            # The file holds no urgency: a referral the application has keeps its own.
            urgency = stored["urgency"] if stored is not None else Urgency.ROUTINE
            values = {
                "received_at": row["received_at"],
                "first_contact_due_at": row["received_at"] + due_after[urgency],
                "source": row["source"],
                "physician_id": physicians.get(row["physician_id"]),
                "department_id": departments[(row["site"], row["department"])].pk,
                "assigned_to_id": supporters.get(row["assigned_to"]),
                "assigned_at": row["received_at"] if held else None,
                "first_contact_at": row["first_contact_at"],
                "closed_at": row["closed_at"],
                "outcome": row["outcome"] or "",
                "status": status,
                "physician_pseudonym": pseudonym,
            }
            if pseudonym and (stored is None or stored["deidentified_at"] is None):
                values["deidentified_at"] = timezone.now()
            if stored is None:
                new.append(Referral(referral_id=row["referral_id"], reason=Reason.OTHER, **values))
            elif referral := self._changed(stored, row, values):
                changed.append(referral)
                replaced.append(stored)
        Referral.objects.bulk_update(changed, [*self._fields], batch_size=500)
        Referral.objects.bulk_create(new, batch_size=500)
        rollup_rows_written(Referral, replaced=replaced, written=[*changed, *new])
        for referral in [*changed, *new]:
            recipient_feedback_schedule(referral)
        return Counts(
            created=len(new), updated=len(changed), unchanged=len(rows) - len(new) - len(changed)
        )

    _fields = (
        "received_at",
        "first_contact_due_at",
        "source",
        "physician_id",
        "department_id",
        "assigned_to_id",
        "assigned_at",
        "first_contact_at",
        "closed_at",
        "outcome",
        "status",
        "physician_pseudonym",
        "deidentified_at",
    )

    # Fields derived from a column of another name, or from the whole row (its key column).
    _sources = {
        "status": "referral_id",
        "assigned_at": "referral_id",
        "department_id": "department",
        "first_contact_due_at": "received_at",
        "physician_pseudonym": "physician_id",
        "deidentified_at": "physician_id",
        "assigned_to_id": "assigned_to",
    }
    # Steps of the life cycle: an empty (or absent) cell never undoes one already taken.
    _steps = ("assigned_to_id", "first_contact_at", "closed_at", "outcome")

    @classmethod
    def _changed(cls, stored, row, values) -> Referral | None:
        """The update of a stored referral that never moves it back a state or clears a step."""
        if stored["deidentified_at"] is not None and not values["physician_pseudonym"]:
            values["physician_pseudonym"] = stored["physician_pseudonym"]
        values = carried(row, values, cls._sources)
        for step in cls._steps:
            if step in values and not values[step] and stored[step]:
                del values[step]
        if STATUS_ORDER.index(values["status"]) < STATUS_ORDER.index(stored["status"]):
            values["status"] = stored["status"]
        if stored["assigned_at"] is not None:
            del values["assigned_at"]  # an assignment made in the app keeps its real time
        return with_changes(Referral, stored, values)

    def export_rows(self):
        rows = Referral.objects.order_by("received_at", "referral_id").values_list(
            "referral_id",
            "received_at",
            "source",
            "physician__physician_id",
            "physician_pseudonym",
            "department__site__name",
            "department__name",
            "assigned_to__physician__physician_id",
            "first_contact_at",
            "closed_at",
            "outcome",
        )
        for referral_id, received_at, source, physician_id, pseudonym, *rest in streamed(rows):
            yield (referral_id, received_at, source, physician_cell(physician_id, pseudonym), *rest)


def referral_received_on(batch) -> dict[str, object]:
    """referral_id -> the date it was received, in the program's time zone."""

    def load():
        received = {
            referral_id: timezone.localdate(at)
            for referral_id, at in matching(
                Referral.objects.values_list("referral_id", "received_at"),
                "referral_id",
                (row["referral_id"] for row in batch.rows.get(InteractionsFile.name, [])),
            )
        }
        for row in batch.rows.get(ReferralsFile.name, []):
            if row["received_at"]:
                received[row["referral_id"]] = timezone.localdate(row["received_at"])
        return received

    return batch.cached("referral_received_on", load)


class InteractionsFile(FileSpec):
    name = "interactions.csv"
    columns = (
        Column(
            "interaction_id", required=True, max_length=field_length(Interaction, "interaction_id")
        ),
        Column("occurred_on", required=True, parse=date_value),
        Column("supporter_id", required=True),
        Column("physician_id"),
        Column("site", required=True),
        Column("department", required=True),
        Column("duration_minutes", required=True, parse=whole_number(0, MAX_DURATION_MINUTES)),
        Column("successful", required=True, parse=yes_no),
        Column("source", required=True, parse=choice(*InteractionSource.values)),
        Column("modality", parse=choice(*Modality.values)),
        Column("escalated", parse=yes_no),
        Column("referral_id"),
    )
    key = ("interaction_id",)

    def check(self, row, batch):
        yield from check_department_reference(row, batch)
        yield from check_physician(row, batch)
        if row["supporter_id"] and row["supporter_id"] not in supporter_physician_ids(batch):
            yield "supporter_id", gettext("not a trained peer supporter (database or training.csv)")
        if row["successful"] and row["duration_minutes"] == 0:
            yield "duration_minutes", gettext("a successful interaction lasts at least 1 minute")
        if row["occurred_on"] and row["occurred_on"] > batch.cached("today", timezone.localdate):
            yield "occurred_on", gettext("is in the future")
        if row["referral_id"]:
            if row["source"] == InteractionSource.PROACTIVE:
                yield "referral_id", gettext("a proactive interaction has no referral")
            received_on = referral_received_on(batch).get(row["referral_id"])
            if received_on is None:
                yield "referral_id", gettext("no such referral in the database or in referrals.csv")
            elif row["occurred_on"] and row["occurred_on"] < received_on:
                yield (
                    "occurred_on",
                    gettext("is before its referral arrived (%(day)s)") % {"day": received_on},
                )

    def write(self, rows, batch):
        departments = department_lookup(batch)
        physicians = physician_pks(row["physician_id"] for row in rows)
        supporters = supporter_pks(row["supporter_id"] for row in rows)
        referrals = dict(
            matching(
                Referral.objects.values_list("referral_id", "pk"),
                "referral_id",
                (row["referral_id"] for row in rows),
            )
        )
        existing = {
            stored["interaction_id"]: stored
            for stored in matching(
                Interaction.objects.values("pk", "interaction_id", *self._fields, "escalated_to"),
                "interaction_id",
                (row["interaction_id"] for row in rows),
            )
        }
        # A physician comes back in many rows: key their pseudonym once.
        pseudonym_of_physician = functools.cache(physician_pseudonym)
        new, changed, replaced = [], [], []
        for row in rows:
            physician_id = physicians.get(row["physician_id"])
            values = {
                "occurred_on": row["occurred_on"],
                "supporter_id": supporters[row["supporter_id"]],
                "physician_id": physician_id,
                "physician_pseudonym": (
                    pseudonym_of_physician(row["physician_id"])
                    if physician_id
                    else pseudonym_of(row["physician_id"])
                ),
                "department_id": departments[(row["site"], row["department"])].pk,
                "duration_minutes": row["duration_minutes"],
                "successful": row["successful"],
                "source": row["source"],
                "modality": row["modality"] or "",
                "escalated": bool(row["escalated"]),
                "referral_id": referrals.get(row["referral_id"]),
            }
            stored = existing.get(row["interaction_id"])
            if stored is None:
                new.append({"interaction_id": row["interaction_id"], **values})
            else:
                if not values["escalated"]:
                    values["escalated_to"] = ""
                if interaction := with_changes(
                    Interaction, stored, carried(row, values, self._sources)
                ):
                    changed.append(interaction)
                    replaced.append(stored)
        Interaction.objects.bulk_update(changed, [*self._fields, "escalated_to"], batch_size=1000)
        insert_rows(Interaction, new)
        rollup_rows_written(Interaction, replaced=replaced, written=[*changed, *new])
        return Counts(
            created=len(new), updated=len(changed), unchanged=len(rows) - len(new) - len(changed)
        )

    _fields = (
        "occurred_on",
        "supporter_id",
        "physician_id",
        "physician_pseudonym",
        "department_id",
        "duration_minutes",
        "successful",
        "source",
        "modality",
        "escalated",
        "referral_id",
    )
    # Fields filled from a column of another name.
    _sources = {
        "physician_pseudonym": "physician_id",
        "department_id": "department",
        "escalated_to": "escalated",
    }

    def export_rows(self):
        rows = Interaction.objects.order_by("occurred_on", "interaction_id").values_list(
            "interaction_id",
            "occurred_on",
            "supporter__physician__physician_id",
            "physician__physician_id",
            "physician_pseudonym",
            "department__site__name",
            "department__name",
            "duration_minutes",
            "successful",
            "source",
            "modality",
            "escalated",
            "referral__referral_id",
        )
        for interaction_id, day, supporter, physician_id, pseudonym, *rest in streamed(rows):
            yield (interaction_id, day, supporter, physician_cell(physician_id, pseudonym), *rest)


FILES = [ReferralsFile(), InteractionsFile()]
