"""The one change an audit row allows: forgetting its actor. Everything else is refused by
the model and by the database trigger, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from post_program.models import AuditEvent
from post_program.services import audit_actor_forget, audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return audit_record(
        actor=UserFactory(), action="referral.request", obj=UserFactory(), source="self"
    )


def _row(pk: int) -> dict:
    return AuditEvent.objects.filter(pk=pk).values().get()


def _refused(sql: str, params: list) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_forgetting_the_actor_keeps_everything_else(event):
    other = audit_record(actor=UserFactory(), action="referral.view")
    before = _row(event.pk)
    assert audit_actor_forget(event_ids=[event.pk], reason="retention") == 1
    assert _row(event.pk) == {**before, "actor_id": None}
    assert _row(other.pk)["actor_id"] is not None
    (note,) = AuditEvent.objects.filter(action="audit.actor_forget")
    assert note.actor is None and note.detail == {"reason": "retention", "count": 1}
    # Forgetting again changes nothing and says so.
    assert audit_actor_forget(event_ids=[event.pk], reason="retention") == 0
    assert AuditEvent.objects.filter(action="audit.actor_forget").count() == 1


@pytest.mark.parametrize(
    ("sql", "value"),
    [
        ("UPDATE post_program_auditevent SET action = %s WHERE id = %s", "referral.view"),
        ("UPDATE post_program_auditevent SET object_id = %s WHERE id = %s", "999"),
        ("UPDATE post_program_auditevent SET detail = %s WHERE id = %s", '{"source": "x"}'),
        (
            "UPDATE post_program_auditevent SET actor_id = NULL, action = %s WHERE id = %s",
            "referral.view",
        ),
        (
            "UPDATE post_program_auditevent SET actor_id = NULL, object_type = %s WHERE id = %s",
            "post_program.site",
        ),
    ],
)
def test_the_database_refuses_any_other_change(event, sql, value):
    before = _row(event.pk)
    _refused(sql, [value, event.pk])
    assert _row(event.pk) == before


def test_the_database_refuses_giving_the_row_another_actor(event):
    before = _row(event.pk)
    someone_else = UserFactory()
    _refused(
        "UPDATE post_program_auditevent SET actor_id = %s WHERE id = %s",
        [someone_else.pk, event.pk],
    )
    audit_actor_forget(event_ids=[event.pk], reason="retention")
    _refused(  # nor naming someone in a row that was forgotten
        "UPDATE post_program_auditevent SET actor_id = %s WHERE id = %s",
        [before["actor_id"], event.pk],
    )
    assert _row(event.pk)["actor_id"] is None


def test_the_model_still_refuses_updates_and_deletes(event):
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(actor=None)
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.actor = None
    with pytest.raises(TypeError):
        event.save()
    assert _row(event.pk)["actor_id"] is not None


@pytest.mark.postgres
def test_postgresql_refuses_deleting_a_row_even_a_forgotten_one(event):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    audit_actor_forget(event_ids=[event.pk], reason="retention")
    _refused("DELETE FROM post_program_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()
