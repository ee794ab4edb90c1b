"""Forms of the referral pages: input checking with a clear message for every field.

By concern: `requests` (asking for support, difficult events, calls a coordinator takes),
`referrals` (one referral's forms), `casework` (outreach, the interaction log, closing) and
`supporters` (a supporter's own forms) and `oncall` (the on-call calendar); `common` holds what
they share.
"""

from .casework import CLOSE_OUTCOMES, CloseForm, InteractionForm, OutreachForm, RosterLinkField
from .common import YES_NO, SupporterChoiceField
from .oncall import OnCallExceptionForm, OnCallShiftForm
from .referrals import (
    AssignForm,
    DeclineForm,
    HandBackForm,
    HandoffNoteForm,
    LinkPhysicianForm,
    QueueFilterForm,
)
from .requests import (
    EVENT_MAX_AGE_DAYS,
    FOR_WHOM,
    MAX_EVENT_PHYSICIANS,
    CallForm,
    DirectoryFilterForm,
    EventForm,
    EventIntakeForm,
    ReceiptForm,
    ReferralRequestForm,
    RosterSearchForm,
    asked,
)
from .supporters import (
    AvailabilityForm,
    AwayPeriodForm,
    ConflictForm,
    ConflictSearchForm,
    ContactWindowForm,
    DebriefForm,
)

__all__ = [
    "CLOSE_OUTCOMES",
    "EVENT_MAX_AGE_DAYS",
    "FOR_WHOM",
    "MAX_EVENT_PHYSICIANS",
    "YES_NO",
    "AssignForm",
    "AvailabilityForm",
    "AwayPeriodForm",
    "CallForm",
    "CloseForm",
    "ConflictForm",
    "ConflictSearchForm",
    "ContactWindowForm",
    "DebriefForm",
    "DeclineForm",
    "DirectoryFilterForm",
    "EventForm",
    "EventIntakeForm",
    "HandBackForm",
    "HandoffNoteForm",
    "InteractionForm",
    "LinkPhysicianForm",
    "OnCallExceptionForm",
    "OnCallShiftForm",
    "OutreachForm",
    "QueueFilterForm",
    "ReceiptForm",
    "ReferralRequestForm",
    "RosterLinkField",
    "RosterSearchForm",
    "SupporterChoiceField",
    "asked",
]
