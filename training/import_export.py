"""training.csv: completed courses. A completed initial course makes a trained, active supporter."""

from __future__ import annotations

from datetime import date

from post_program.bulk_rows import matching
from post_program.import_export import (
    Column,
    Counts,
    FileSpec,
    choice,
    date_value,
    existing_physician_ids,
    physician_pks,
    streamed,
)
from post_program.models import PeerSupporter

from .models import CourseKind, TrainingCompletion


def newly_trained_ids(batch) -> set[str]:
    """physician_id of the initial courses of this import's training.csv not yet recorded: the
    physicians the import makes supporters (if they are not already)."""

    def load():
        rows = [row for row in batch.rows.get(TrainingFile.name, []) if row["course"] == "initial"]
        recorded = set(
            matching(
                TrainingCompletion.objects.initial().values_list(
                    "physician__physician_id", "completed_on"
                ),
                "physician__physician_id",
                (row["physician_id"] for row in rows),
            )
        )
        return {
            row["physician_id"]
            for row in rows
            if (row["physician_id"], row["completed_on"]) not in recorded
        }

    return batch.cached("newly_trained_ids", load)


class TrainingFile(FileSpec):
    name = "training.csv"
    columns = (
        Column("physician_id", required=True),
        Column("course", required=True, parse=choice(*CourseKind.values)),
        Column("completed_on", required=True, parse=date_value),
    )
    key = ("physician_id", "course", "completed_on")

    def check(self, row, batch):
        if row["physician_id"] and row["physician_id"] not in existing_physician_ids(batch):
            yield "physician_id", "no such physician in the database or in physicians.csv"

    def write(self, rows, batch):
        physicians = physician_pks(row["physician_id"] for row in rows)
        existing = set(
            matching(
                TrainingCompletion.objects.values_list("physician_id", "course", "completed_on"),
                "physician_id",
                physicians.values(),
            )
        )
        new = [
            TrainingCompletion(
                physician_id=physicians[row["physician_id"]],
                course=row["course"],
                completed_on=row["completed_on"],
                source=TrainingCompletion.Source.IMPORT,
            )
            for row in rows
            if (physicians[row["physician_id"]], row["course"], row["completed_on"]) not in existing
        ]
        TrainingCompletion.objects.bulk_create(new, batch_size=1000)
        # Only a course this import adds makes a supporter: one already known made its
        # supporter then, and one who has since stopped is not brought back.
        self._activate_trained({c.physician_id for c in new if c.course == CourseKind.INITIAL})
        return Counts(created=len(new), unchanged=len(rows) - len(new))

    @staticmethod
    def _activate_trained(physician_ids) -> None:
        """Imported supporters are active from their first initial course (docs/data-formats.md)."""
        first_initial: dict[int, date] = {}
        for physician_id, completed_on in (
            TrainingCompletion.objects.initial()
            .filter(physician_id__in=physician_ids, physician__supporter__isnull=True)
            .order_by("completed_on")
            .values_list("physician_id", "completed_on")
        ):
            first_initial.setdefault(physician_id, completed_on)
        PeerSupporter.objects.bulk_create(
            [
                PeerSupporter(physician_id=physician_id, activated_on=completed_on)
                for physician_id, completed_on in first_initial.items()
            ]
        )

    def export_rows(self):
        return streamed(
            TrainingCompletion.objects.order_by(
                "physician__physician_id", "completed_on", "course"
            ).values_list("physician__physician_id", "course", "completed_on")
        )


FILES = [TrainingFile()]
