"""Writes of the surveys app: instruments, campaigns, invitations, reminders and responses,
one module per concern (links, instruments, campaigns, invitations, responses); the names
other modules use are importable from here.

Each service runs in one transaction with one audit row, and queues work only after commit
(docs/architecture.md), with two deliberate exceptions explained where they occur:

- Emails that carry a link are sent by the process that created the link, right after the
  commit that stored its hash: the token must never travel through the task broker, and it
  cannot be rebuilt later from its hash.
- An anonymous submission writes no audit row: a timestamped row per response would give each
  response a time of day, which the anonymity rules forbid. Nor does it touch its invitation:
  `responses_settle` stores submissions and marks invitations used later, many at once.
"""

from __future__ import annotations

from .answer_counts import answer_counts_refresh
from .campaigns import (
    campaign_close,
    campaign_create,
    campaign_open,
    campaigns_close_due,
    campaigns_open_due,
)
from .instruments import (
    CODE_PATTERN,
    OPTION_KINDS,
    QuestionSpec,
    instrument_create,
    instrument_version_create,
    instruments_ensure_builtin,
    questions_validate,
)
from .invitations import (
    INSTRUMENT_TRIGGERS,
    TRIGGER_INSTRUMENTS,
    invitation_schedule,
    invitations_create_due,
    invitations_forget,
    invitations_send,
    reminders_send_due,
)
from .links import (
    LinkError,
    LinkExpired,
    LinkUnknown,
    LinkUsed,
    invitation_check,
)
from .responses import (
    EVENT_SURVEYS,
    ResponseRow,
    answer_columns,
    response_department,
    response_month,
    response_submit,
    responses_export_record,
    responses_record,
    responses_settle,
    score_compute,
)

__all__ = [
    "CODE_PATTERN",
    "EVENT_SURVEYS",
    "INSTRUMENT_TRIGGERS",
    "OPTION_KINDS",
    "TRIGGER_INSTRUMENTS",
    "LinkError",
    "LinkExpired",
    "LinkUnknown",
    "LinkUsed",
    "QuestionSpec",
    "ResponseRow",
    "answer_columns",
    "answer_counts_refresh",
    "campaign_close",
    "campaign_create",
    "campaign_open",
    "campaigns_close_due",
    "campaigns_open_due",
    "instrument_create",
    "instrument_version_create",
    "instruments_ensure_builtin",
    "invitation_check",
    "invitation_schedule",
    "invitations_create_due",
    "invitations_forget",
    "invitations_send",
    "questions_validate",
    "reminders_send_due",
    "response_department",
    "response_month",
    "response_submit",
    "responses_export_record",
    "responses_record",
    "responses_settle",
    "score_compute",
]
