"""Handing a case on: the note a supporter leaves for the next supporter of a case, and a
supporter giving back a case they accepted.

A hand-off note is the supporter's own while they hold the case; once the case is with another
supporter (reassigned by a coordinator, or handed back and assigned again) that supporter reads
it. Coordinators, leads and the colleague never see it, the audit trail records that a note
was written and how long, never its words, and retention removes it with the case's details.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from post_program.models import PeerSupporter, User

from ..models import (
    HANDOFF_NOTE_MAX_LENGTH,
    AssignmentState,
    DeclineReason,
    EventKind,
    HandoffNote,
    Referral,
)
from .assignment import _given_back
from .casework import CaseWorkError, _check_holder
from .transitions import _audit, _lock, _now

HANDOFF_NOTE_ADVICE = gettext_lazy(
    "Only the next supporter of this case reads it. Write what helps them reach your colleague "
    "well: how and when they like to be contacted, what you agreed. No clinical details, "
    "diagnoses, or names of anyone else."
)


def handoff_note_errors(text: str) -> dict[str, str]:
    if len(text.strip()) > HANDOFF_NOTE_MAX_LENGTH:
        return {
            "handoff_note": gettext("Keep the note to %(most)s characters (it has %(count)s).")
            % {"most": HANDOFF_NOTE_MAX_LENGTH, "count": len(text.strip())}
        }
    return {}


def _note_write(
    *, actor: User | None, referral: Referral, supporter: PeerSupporter, text: str, at: datetime
) -> HandoffNote | None:
    """Write, rewrite or (with no text) remove the supporter's note on ``referral``."""
    text = text.strip()
    if not text:
        removed, _ = HandoffNote.objects.filter(referral=referral, written_by=supporter).delete()
        if removed:
            _audit(actor, "referral.handoff_note_remove", referral, supporter_id=supporter.pk)
        return None
    note, _ = HandoffNote.objects.update_or_create(
        referral=referral, written_by=supporter, defaults={"text": text, "written_at": at}
    )
    _audit(
        actor,
        "referral.handoff_note",
        referral,
        supporter_id=supporter.pk,
        characters=len(text),
    )
    return note


@transaction.atomic
def handoff_note_save(
    *,
    actor: User | None,
    referral: Referral | int,
    supporter: PeerSupporter,
    text: str,
    at: datetime | None = None,
) -> HandoffNote | None:
    """The supporter holding a case writes (or clears) the note its next supporter will read."""
    referral = _lock(referral)
    _check_holder(referral, supporter)
    errors = handoff_note_errors(text)
    if errors:
        raise CaseWorkError(errors)
    return _note_write(actor=actor, referral=referral, supporter=supporter, text=text, at=_now(at))


@transaction.atomic
def referral_hand_back(
    *,
    actor: User | None,
    referral: Referral | int,
    supporter: PeerSupporter,
    reason: str,
    handoff_note: str = "",
    at: datetime | None = None,
    notify: bool = True,
) -> Referral:
    """The supporter gives back a case they accepted (with a reason, and a note for the next
    supporter if they like): the case returns to the queue, its first contact (if any) stays,
    and the coordinators are told."""
    at = _now(at)
    referral = _lock(referral)
    _check_holder(referral, supporter)
    errors = {}
    if reason not in DeclineReason.values:
        errors["reason"] = gettext("Choose a reason.")
    errors.update(handoff_note_errors(handoff_note))
    if errors:
        raise CaseWorkError(errors)
    assignment = referral.assignments.select_for_update().get(
        supporter=supporter, state=AssignmentState.ACCEPTED
    )
    assignment.state = AssignmentState.DECLINED
    assignment.decline_reason = reason
    assignment.save(update_fields=["state", "decline_reason"])
    _note_write(actor=actor, referral=referral, supporter=supporter, text=handoff_note, at=at)
    return _given_back(
        actor=actor,
        referral=referral,
        assignment=assignment,
        kind=EventKind.HANDED_BACK,
        action="referral.hand_back",
        at=at,
        notify=notify,
    )
