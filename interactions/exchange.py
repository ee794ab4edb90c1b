"""referrals.csv (and, with the interaction log, interactions.csv) for program imports."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from post_program.exchange import (
    Column,
    Counts,
    FileSpec,
    apply_changes,
    check_department_reference,
    choice,
    datetime_value,
    department_lookup,
    existing_physician_ids,
)
from post_program.models import PeerSupporter, Physician

from .models import HELD_STATUSES, Outcome, Reason, Referral, Source, Status


def supporter_physician_ids(batch) -> set[str]:
    """physician_id of supporters: in the database, or trained by this import's training.csv."""
    return batch.cached(
        "supporter_physician_ids",
        lambda: (
            set(PeerSupporter.objects.values_list("physician__physician_id", flat=True))
            | {
                row["physician_id"]
                for row in batch.rows.get("training.csv", [])
                if row["course"] == "initial"
            }
        ),
    )


class ReferralsFile(FileSpec):
    name = "referrals.csv"
    columns = (
        Column("referral_id", required=True),
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
        if row["physician_id"] and row["physician_id"] not in existing_physician_ids(batch):
            yield "physician_id", "no such physician in the database or in physicians.csv"
        if row["assigned_to"] and row["assigned_to"] not in supporter_physician_ids(batch):
            yield "assigned_to", "not a trained peer supporter (database or training.csv)"
        received = row["received_at"]
        for column in ("first_contact_at", "closed_at"):
            if received and row[column] and row[column] < received:
                yield column, "is before received_at"
        if bool(row["closed_at"]) != bool(row["outcome"]):
            yield "outcome", "closed_at and outcome go together: give both or neither"
        if not row["outcome"] and row["first_contact_at"] and not row["assigned_to"]:
            yield "assigned_to", "an open referral with a first contact needs its supporter"
        if not row["outcome"] and row["physician_id"]:
            first = self._open_referral_of(batch).get(row["physician_id"])
            if first not in (None, row["referral_id"]):
                yield "physician_id", f"already has an open referral ({first})"

    def _open_referral_of(self, batch) -> dict[str, str]:
        """physician_id -> referral_id of the one open referral each physician may have."""

        def load():
            imported = {row["referral_id"] for row in batch.rows.get(self.name, [])}
            open_of = dict(
                Referral.objects.open()
                .filter(physician__isnull=False)
                .exclude(referral_id__in=imported)
                .values_list("physician__physician_id", "referral_id")
            )
            for row in batch.rows.get(self.name, []):
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
        wanted = {row["physician_id"] for row in rows} | {row["assigned_to"] for row in rows}
        physicians = dict(
            Physician.objects.filter(physician_id__in=wanted - {None}).values_list(
                "physician_id", "pk"
            )
        )
        supporters = dict(
            PeerSupporter.objects.filter(physician__physician_id__in=wanted - {None}).values_list(
                "physician__physician_id", "pk"
            )
        )
        existing = {r.referral_id: r for r in Referral.objects.all()}
        deadline = timedelta(hours=settings.FIRST_CONTACT_DEADLINE_HOURS)
        new, changed = [], []
        for row in rows:
            status = self._status(row)
            held = status in HELD_STATUSES
            values = {
                "received_at": row["received_at"],
                "first_contact_due_at": row["received_at"] + deadline,
                "source": row["source"],
                "physician_id": physicians.get(row["physician_id"]),
                "department": departments[(row["site"], row["department"])],
                "assigned_to_id": supporters.get(row["assigned_to"]),
                "assigned_at": row["received_at"] if held else None,
                "first_contact_at": row["first_contact_at"],
                "closed_at": row["closed_at"],
                "outcome": row["outcome"] or "",
                "status": status,
            }
            referral = existing.get(row["referral_id"])
            if referral is None:
                new.append(Referral(referral_id=row["referral_id"], reason=Reason.OTHER, **values))
            elif self._changed(referral, values):
                changed.append(referral)
        Referral.objects.bulk_update(changed, [*self._fields], batch_size=500)
        Referral.objects.bulk_create(new, batch_size=500)
        return Counts(
            created=len(new), updated=len(changed), unchanged=len(rows) - len(new) - len(changed)
        )

    _fields = (
        "received_at",
        "first_contact_due_at",
        "source",
        "physician_id",
        "department",
        "assigned_to_id",
        "assigned_at",
        "first_contact_at",
        "closed_at",
        "outcome",
        "status",
    )

    @staticmethod
    def _changed(referral, values) -> bool:
        if referral.assigned_at is not None and values["assigned_at"] is not None:
            del values["assigned_at"]  # an assignment made in the app keeps its real time
        return apply_changes(referral, values)

    def export_rows(self):
        for referral in Referral.objects.select_related(
            "physician", "department__site", "assigned_to__physician"
        ).order_by("received_at", "referral_id"):
            yield {
                "referral_id": referral.referral_id,
                "received_at": referral.received_at,
                "source": referral.source,
                "physician_id": referral.physician.physician_id if referral.physician else None,
                "site": referral.department.site.name,
                "department": referral.department.name,
                "assigned_to": (
                    referral.assigned_to.physician.physician_id if referral.assigned_to else None
                ),
                "first_contact_at": referral.first_contact_at,
                "closed_at": referral.closed_at,
                "outcome": referral.outcome,
            }


FILES = [ReferralsFile()]
