"""Reads of the referral program, scoped by who asks (through `interactions.access`), by
concern: `requests` (what the people who ask for support see), `queue` (the coordinators'
queue and a referral's history), `casework` (the supporters' cases, loads and debriefs),
`suggestions` (the ranking of supporters for a referral, each rule it passed or failed) and
`oncall` (who is on call when at each site).

Callers use the names below, as `interactions.selectors.<name>`.
"""

from .casework import (
    CaseRecord,
    Load,
    away_periods_prefetch,
    case_record,
    conflict_candidates,
    debrief_offer,
    load_windows,
    open_debrief,
    supporter_closed_cases,
    supporter_interactions,
    supporter_loads,
    supporter_open_cases,
    supporters_with_load,
)
from .oncall import (
    CalendarRow,
    OnCallSpan,
    OnCallWeek,
    midnight,
    on_call_at,
    on_call_exceptions,
    on_call_feed_exists,
    on_call_feed_owner,
    on_call_pattern,
    on_call_spans,
    on_call_week,
    position_label,
)
from .queue import QUEUE_STATUSES, queue_counts, referral_history, referral_queue
from .requests import (
    COLLEAGUE_HANDLED,
    COLLEAGUE_RECEIVED,
    MyRequest,
    directory_departments,
    my_requests,
    request_by_receipt,
    roster_search,
    supporter_directory,
)
from .suggestions import Candidate, Check, Suggestions, referral_suggestions

__all__ = [
    "COLLEAGUE_HANDLED",
    "COLLEAGUE_RECEIVED",
    "QUEUE_STATUSES",
    "CalendarRow",
    "Candidate",
    "CaseRecord",
    "Check",
    "Load",
    "MyRequest",
    "OnCallSpan",
    "OnCallWeek",
    "Suggestions",
    "away_periods_prefetch",
    "case_record",
    "conflict_candidates",
    "debrief_offer",
    "directory_departments",
    "load_windows",
    "midnight",
    "my_requests",
    "on_call_at",
    "on_call_exceptions",
    "on_call_feed_exists",
    "on_call_feed_owner",
    "on_call_pattern",
    "on_call_spans",
    "on_call_week",
    "open_debrief",
    "position_label",
    "queue_counts",
    "referral_history",
    "referral_queue",
    "referral_suggestions",
    "request_by_receipt",
    "roster_search",
    "supporter_closed_cases",
    "supporter_directory",
    "supporter_interactions",
    "supporter_loads",
    "supporter_open_cases",
    "supporters_with_load",
]
