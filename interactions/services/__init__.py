"""Writes to referrals: each runs in one transaction, records the referral's history and an
audit row, and queues its emails through the outbox after commit.

Named `<entity>_<action>` with keyword-only arguments. Every transition takes an optional `at`
(default now) so history can be recorded with its real times, and `notify=False` records
history quietly: no emails and no deadline reminders (the demo, imports).

By concern: `intake` (requests and difficult events), `assignment` (offering a referral to a
supporter), `casework` (first contact, outreach, the interaction log, closing), `handoff`
(the note for the next supporter, handing a case back), `supporters` (availability,
conflicts, debriefs), `oncall` (the on-call roster), `deadlines`, `notifications` (the outbox),
`paging` (urgent referrals paged until acknowledged) and `retention`;
`transitions` holds what the referral transitions share. Callers use the names below.
"""

from .assignment import (
    assignment_rule_errors,
    referral_accept,
    referral_assign,
    referral_decline,
    supporter_referrals_return,
)
from .casework import (
    ESCALATED_WITHOUT_RESOURCE,
    CaseWorkError,
    case_close,
    close_errors,
    interaction_errors,
    interaction_log,
    interactions_record_list,
    outreach_errors,
    outreach_record,
    recipient_feedback_schedule,
    recipient_feedback_source,
    referral_close,
    referral_record_contact,
    referral_record_view,
    referrals_record_list,
)
from .deadlines import reminder_process, reminders_due_ids
from .handoff import (
    HANDOFF_NOTE_ADVICE,
    handoff_note_save,
    referral_hand_back,
)
from .intake import RequestResult, event_record, referral_link_physician, referral_request
from .notifications import (
    notification_message,
    site_coordinators,
)
from .oncall import (
    OnCallError,
    on_call_eligible,
    on_call_exception_add,
    on_call_exception_remove,
    on_call_feed_issue,
    on_call_feed_revoke,
    on_call_shift_add,
    on_call_shift_remove,
)
from .paging import (
    DELIVER_TASK as PAGE_DELIVER_TASK,
)
from .paging import (
    urgent_alert_acknowledge,
    urgent_alert_process,
    urgent_alerts_due_ids,
    urgent_page_acknowledge,
    urgent_page_deliver,
    urgent_pages_due_ids,
    webhook_signature,
)
from .retention import (
    PurgeResult,
    RetentionError,
    retention_cutoff,
    retention_due,
    retention_purge,
)
from .supporters import (
    debrief_mark_held,
    debrief_request,
    supporter_availability_set,
    supporter_away_period_add,
    supporter_away_period_remove,
    supporter_conflict_declare,
    supporter_conflict_withdraw,
    supporter_contact_window_remove,
    supporter_contact_windows_add,
)
from .transitions import ReferralChanged, ReferralError

__all__ = [
    "ESCALATED_WITHOUT_RESOURCE",
    "HANDOFF_NOTE_ADVICE",
    "CaseWorkError",
    "OnCallError",
    "PurgeResult",
    "ReferralChanged",
    "ReferralError",
    "RequestResult",
    "RetentionError",
    "assignment_rule_errors",
    "case_close",
    "close_errors",
    "debrief_mark_held",
    "debrief_request",
    "event_record",
    "handoff_note_save",
    "interaction_errors",
    "interaction_log",
    "interactions_record_list",
    "notification_message",
    "on_call_eligible",
    "on_call_exception_add",
    "on_call_exception_remove",
    "on_call_feed_issue",
    "on_call_feed_revoke",
    "on_call_shift_add",
    "on_call_shift_remove",
    "outreach_errors",
    "outreach_record",
    "recipient_feedback_schedule",
    "recipient_feedback_source",
    "referral_accept",
    "referral_assign",
    "referral_close",
    "referral_decline",
    "referral_hand_back",
    "referral_link_physician",
    "referral_record_contact",
    "referral_record_view",
    "referral_request",
    "referrals_record_list",
    "reminder_process",
    "reminders_due_ids",
    "retention_cutoff",
    "retention_due",
    "retention_purge",
    "site_coordinators",
    "supporter_availability_set",
    "supporter_away_period_add",
    "supporter_away_period_remove",
    "supporter_conflict_declare",
    "supporter_conflict_withdraw",
    "supporter_contact_window_remove",
    "supporter_contact_windows_add",
    "supporter_referrals_return",
]

# Paging of urgent referrals.
__all__ += [
    "PAGE_DELIVER_TASK",
    "urgent_alert_acknowledge",
    "urgent_alert_process",
    "urgent_alerts_due_ids",
    "urgent_page_acknowledge",
    "urgent_page_deliver",
    "urgent_pages_due_ids",
    "webhook_signature",
]
