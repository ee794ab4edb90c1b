"""Monthly rollups of interactions and referrals per department.

Derived data, read by the RE-AIM report for the whole months of a period (the raw rows give
the partial months at its edges). Every ORM write of an interaction or a referral keeps them in
step in the same transaction (``interactions.services.rollup``), bulk writers refresh the months
they touched, and ``manage.py rollup_rebuild`` builds them again from the raw rows.

A month is its first day; a referral's month is that of its receipt in UTC, so that the rollups
hold whatever the program's time zone (the report reads raw rows for the hours at a period's
edges that fall outside whole UTC months).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from post_program.models import Department, PeerSupporter

if TYPE_CHECKING:
    _Model = models.Model
else:
    _Model = object


class RolledUp(_Model):
    """A model whose rows count in a rollup: each instance read from the database remembers
    the values of its ``rollup_fields`` as read (``rollup_values``, None when some were
    deferred), so that a save can move its counts from the cells it was in to the ones it is in
    now (``interactions.services.rollup``)."""

    rollup_fields: tuple[str, ...] = ()
    rollup_values: tuple[Any, ...] | None = None

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.rollup_remember()
        return instance

    def rollup_current(self) -> tuple[Any, ...] | None:
        loaded = self.__dict__
        if any(name not in loaded for name in self.rollup_fields):
            return None
        return tuple(loaded[name] for name in self.rollup_fields)

    def rollup_remember(self) -> None:
        self.rollup_values = self.rollup_current()


class MonthCell(models.Model):
    """A rollup row: one department, one month (its first day)."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["month"], name="%(class)s_month")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.month:%Y-%m}"


class InteractionMonth(MonthCell):
    """The interactions of one department and month: all logged, and the successful ones by
    source and escalation."""

    logged = models.IntegerField(default=0)
    successful = models.IntegerField(default=0)
    escalated = models.IntegerField(default=0)
    source_self = models.IntegerField(default=0)
    source_third_party = models.IntegerField(default=0)
    source_event = models.IntegerField(default=0)
    source_proactive = models.IntegerField(default=0)

    class Meta(MonthCell.Meta):
        constraints = [
            models.UniqueConstraint(fields=["department", "month"], name="interaction_month_key")
        ]


class InteractionMinutes(MonthCell):
    """Successful interactions of one department and month counted by duration (minutes)."""

    minutes = models.PositiveSmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta(MonthCell.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["department", "month", "minutes"], name="interaction_minutes_key"
            )
        ]


class SupporterMonth(models.Model):
    """The successful interactions of one peer supporter in one month (training and activity
    counts follow the supporter, not the interaction's department)."""

    supporter = models.ForeignKey(PeerSupporter, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    successful = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supporter", "month"], name="supporter_month_key")
        ]
        indexes = [models.Index(fields=["month"], name="supportermonth_month")]

    def __str__(self) -> str:
        return f"{self.supporter_id} {self.month:%Y-%m}"


class ReferralMonth(MonthCell):
    """The referrals received by one department in one month: by source, contacted, and by
    outcome (``open`` = not closed)."""

    received = models.IntegerField(default=0)
    source_self = models.IntegerField(default=0)
    source_third_party = models.IntegerField(default=0)
    source_event = models.IntegerField(default=0)
    contacted = models.IntegerField(default=0)
    outcome_supported = models.IntegerField(default=0)
    outcome_declined = models.IntegerField(default=0)
    outcome_unreachable = models.IntegerField(default=0)
    outcome_referred_out = models.IntegerField(default=0)
    outcome_open = models.IntegerField(default=0)

    class Meta(MonthCell.Meta):
        constraints = [
            models.UniqueConstraint(fields=["department", "month"], name="referral_month_key")
        ]


class ReferralContactHours(MonthCell):
    """Contacted referrals of one department and month counted by the whole hours, rounded up,
    from receipt to first contact: contacted within D hours (D whole) is ``hours <= D``."""

    hours = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta(MonthCell.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["department", "month", "hours"], name="referral_contact_hours_key"
            )
        ]
