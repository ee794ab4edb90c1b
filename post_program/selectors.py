"""Reads of the core models, scoped through `access`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .access import audit_actions_with_hidden_actor, physicians_visible_to
from .models import ApiToken, AuditEvent, Physician, ScimClient, User


def roster_list(*, user, query: str = "", department_id: int | None = None) -> QuerySet[Physician]:
    """Current and past roster entries the user may see, filtered by name, ID or email."""
    physicians = physicians_visible_to(user).select_related("department__site", "supporter")
    if department_id:
        physicians = physicians.filter(department_id=department_id)
    query = query.strip()
    if query:
        physicians = physicians.filter(
            Q(name__icontains=query) | Q(physician_id__iexact=query) | Q(email__iexact=query)
        )
    return physicians.order_by("name", "physician_id")


# --- The audit trail (directors only: access.can_view_audit) ---------------------------------


def audit_choices() -> tuple[list[str], list[str]]:
    """The actions and the object types the trail holds, for the filters."""
    events = AuditEvent.objects.order_by()
    actions = events.values_list("action", flat=True).distinct().order_by("action")
    types = events.exclude(object_type="").values_list("object_type", flat=True).distinct()
    return list(actions), sorted(types)


def audit_events(
    *,
    person: User | None = None,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events, newest first, filtered. Events whose actor is never shown do not match a
    person, or the filter would show what the page hides."""
    events = AuditEvent.objects.select_related("actor")
    if person is not None:
        events = events.filter(actor=person).exclude(action__in=audit_actions_with_hidden_actor())
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if start:
        events = events.filter(at__date__gte=start)
    if end:
        events = events.filter(at__date__lte=end)
    return events.order_by("-at", "-id")


AUDIT_HEADER = ("at", "actor_id", "actor", "action", "object", "detail")


@dataclass(frozen=True)
class AuditRow:
    """One event as the page and the CSV show it: the object as type:id, the detail (ids and
    field names only) as JSON, and the actor's name unless the action hides it."""

    at: datetime
    actor_id: int | None
    actor: str
    action: str
    object: str
    detail: str

    def cells(self) -> tuple:
        at = timezone.localtime(self.at).isoformat(timespec="seconds")
        return (at, self.actor_id or "", self.actor, self.action, self.object, self.detail)


# What stands for the actor of an event whose actor the page hides, or that had none.
ACTOR_HIDDEN = gettext_lazy("not shown")
ACTOR_NONE = gettext_lazy("system")


def audit_rows(events: Iterable[AuditEvent]) -> Iterator[AuditRow]:
    hidden = audit_actions_with_hidden_actor()
    for event in events:
        yield _audit_row(event, hidden)


def _audit_row(event: AuditEvent, hidden: frozenset[str]) -> AuditRow:
    if event.action in hidden:
        actor_id, actor = None, str(ACTOR_HIDDEN)
    elif event.actor is None:
        actor_id, actor = None, str(ACTOR_NONE)
    else:
        actor_id, actor = event.actor.pk, event.actor.get_full_name()
    return AuditRow(
        at=event.at,
        actor_id=actor_id,
        actor=actor,
        action=event.action,
        object=f"{event.object_type}:{event.object_id}" if event.object_type else "",
        detail=json.dumps(event.detail, sort_keys=True, ensure_ascii=False) if event.detail else "",
    )


# --- API tokens (directors only: access.can_manage_api_tokens) -------------------------------


def api_tokens() -> QuerySet[ApiToken]:
    """Every token, the active ones first, newest first."""
    return ApiToken.objects.select_related("created_by").order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at"
    )


def scim_clients() -> QuerySet[ScimClient]:
    """The SCIM tokens, usable ones first, with who created each."""
    return ScimClient.objects.select_related("created_by").order_by(
        "-revoked_at", "-created_at", "-pk"
    )
