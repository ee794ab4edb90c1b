"""Background work of the surveys app. Tasks take ids only, load, and call a service.

Periodic jobs (CELERY_BEAT_SCHEDULE in settings): `surveys_run_schedule` opens and closes
campaigns on their dates, sends invitations that have not gone out and the reminders that are
due, and settles the submissions waiting (`responses_settle`); `surveys_invite_after_events`
sends the invitations other apps planned (recipient feedback, training evaluations) once they
are due. Each is idempotent: running it twice, or on
two workers at once, sends nothing twice.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def campaign_open(campaign_id: int) -> int:
    return services.campaign_open(campaign_id=campaign_id)


@shared_task
def invitations_send(campaign_id: int) -> int:
    return services.invitations_send(campaign_id=campaign_id)


@shared_task
def surveys_run_schedule() -> dict[str, int]:
    return {
        "opened": services.campaigns_open_due(),
        "invitations": services.invitations_send(),
        "reminders": services.reminders_send_due(),
        "closed": services.campaigns_close_due(),
        "settled": services.responses_settle(),
    }


@shared_task
def surveys_invite_after_events() -> dict[str, int]:
    return services.invitations_create_due()
