"""Keeping the answer counts (``surveys.models.AnswerCount``) equal to the answers.

Responses are written in bulk (``responses._store``) and never change, so the counts of the
submission dates a write touched are counted again from the answers, in its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, F

from ..models import POSITIVE_ANSWER, Answer, AnswerCount


@transaction.atomic
def answer_counts_refresh(submitted_on: Iterable[date] | None = None) -> int:
    """Count again the answers of the responses submitted on the dates ``submitted_on``
    (every date when None); returns the rows written."""
    if connection.vendor == "postgresql":  # one writer of the counts at a time
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(AnswerCount._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
    counts = AnswerCount.objects.all()
    answers = Answer.objects.order_by()
    if submitted_on is not None:
        days = sorted(set(submitted_on))
        counts = counts.filter(submitted_on__in=days)
        answers = answers.filter(response__submitted_on__in=days)
    counts.delete()
    rows = answers.values(
        "question_id",
        department_id=F("response__department_id"),
        submitted_on=F("response__submitted_on"),
    ).annotate(respondents=Count("pk"), positive=Count("pk", filter=POSITIVE_ANSWER))
    written = AnswerCount.objects.bulk_create((AnswerCount(**row) for row in rows), batch_size=2000)
    return len(written)


def answer_counts_after_migrate(**kwargs) -> None:
    """``migrate`` counts the answers of a database that had them before the counts existed."""
    if Answer.objects.exists() and not AnswerCount.objects.exists():
        answer_counts_refresh()
