"""Referral pages: parse, check access (access.py), call a service, render or redirect.

By concern: `requests` (asking for support), `referrals` (the queue, difficult events and one
referral's page), `casework` (a supporter's cases), `supporters` (a supporter's own pages
and their load as coordinators see it) and `paging` (acknowledging an urgent referral's alert);
`oncall` (the on-call calendar and feeds) is routed by `on_call_urls` under /on-call/.
"""

from .casework import (
    case_list,
    referral_close_case,
    referral_hand_back,
    referral_handoff_note,
    referral_interaction_log,
    referral_outreach,
)
from .paging import page_acknowledge, referral_acknowledge
from .referrals import (
    call_record,
    event_record,
    queue,
    referral_accept,
    referral_assign,
    referral_decline,
    referral_detail,
    referral_link_physician,
)
from .requests import (
    my_requests,
    referral_request,
    referral_submitted,
    request_receipt,
    roster_search,
    supporter_directory,
)
from .supporters import (
    availability,
    away_period_add,
    away_period_remove,
    conflict_declare,
    conflict_withdraw,
    contact_window_add,
    contact_window_remove,
    debrief_held,
    debrief_request,
    interaction_list,
    interaction_new,
    supporter_care,
    supporter_load,
)

__all__ = [
    "availability",
    "away_period_add",
    "away_period_remove",
    "call_record",
    "case_list",
    "conflict_declare",
    "conflict_withdraw",
    "contact_window_add",
    "contact_window_remove",
    "debrief_held",
    "debrief_request",
    "event_record",
    "interaction_list",
    "interaction_new",
    "my_requests",
    "queue",
    "referral_accept",
    "referral_assign",
    "referral_close_case",
    "referral_decline",
    "referral_detail",
    "referral_hand_back",
    "referral_handoff_note",
    "referral_interaction_log",
    "referral_link_physician",
    "referral_outreach",
    "referral_request",
    "referral_submitted",
    "request_receipt",
    "roster_search",
    "supporter_care",
    "supporter_directory",
    "supporter_load",
]
# Paging of urgent referrals.
__all__ += ["page_acknowledge", "referral_acknowledge"]
