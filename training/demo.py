"""The training history behind the demo's peer supporters, and a calendar to sign up to.

Every supporter the core demo activated gets an initial course completed shortly before their
activation date, and refreshers for most of them every REFRESHER_MONTHS; a few let their
training lapse (one of them in the demo lead's department), so the training gate shows in the
referral suggestions and on the status pages. A session three weeks ago left two freshly
trained physicians waiting for activation, and three upcoming sessions have sign-ups, one of
them full with a waitlist.

All of it goes through the training services, dated from `ctx.today`. The dice are a private
generator seeded from the state of `ctx.rng` without drawing from it, so the apps seeded after
this one see the same random sequence whatever training does.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from post_program.demo import DemoContext
from post_program.models import PeerSupporter, Physician
from surveys import demo as survey_demo

from . import services
from .models import CourseKind, Enrollment, TrainingCompletion
from .selectors import current_until

INITIAL_TOPICS = "\n".join(
    [
        "Second victim experience and the stress of adverse events",
        "Active listening and peer conversation",
        "Recognising red flags and pointing to professional help",
        "Confidentiality and what peer support is not",
        "Looking after yourself as a supporter",
    ]
)
REFRESHER_TOPICS = "\n".join(
    ["Case discussions", "Updates to referral and escalation resources", "Supporter well-being"]
)
VIDEO_LINK = "https://video.example.org/post-refresher"
LAPSE_SHARE = 0.15


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def seed(ctx: DemoContext) -> None:
    rng = random.Random(f"training:{ctx.rng.getstate()!r}")
    director = ctx.director
    initial = services.course_create(
        actor=director,
        name="Peer supporter initial training",
        kind=CourseKind.INITIAL,
        hours=Decimal("8"),
        topics=INITIAL_TOPICS,
    )
    refresher = services.course_create(
        actor=director,
        name="Peer supporter refresher",
        kind=CourseKind.REFRESHER,
        hours=Decimal("3"),
        topics=REFRESHER_TOPICS,
    )
    lapsed, due_soon = _history(ctx, rng)
    _calendar(ctx, rng, initial=initial, refresher=refresher, renewing=lapsed + due_soon)
    _evaluation_surveys(ctx)


def _evaluation_surveys(ctx: DemoContext) -> None:
    """A training evaluation for every initial course completed by now, answered as people do."""
    completions = (
        TrainingCompletion.objects.filter(course=CourseKind.INITIAL, completed_on__lte=ctx.today)
        .select_related("physician")
        .order_by("completed_on", "pk")
    )
    events = [(f"training_completion:{c.pk}", c.physician, c.completed_on) for c in completions]
    survey_demo.automatic_seed(ctx, instrument="supporter_training", events=events)


def _history(ctx: DemoContext, rng: random.Random) -> tuple[list[Physician], list[Physician]]:
    """Completions behind every supporter. Returns the physicians whose training lapsed, and
    the others by how soon their refresher falls due (soonest first)."""
    supporters = list(PeerSupporter.objects.select_related("physician__department").order_by("pk"))
    completions: list[TrainingCompletion] = []
    # Who lets their training lapse: a share of those who needed a refresher by now, always
    # including one in the demo lead's department, never the demo supporter account.
    needed = [
        s
        for s in supporters
        if current_until(s.activated_on) < ctx.today
        and s.physician.physician_id != "DEMO-SUPPORTER"
    ]
    lead_department = ctx.adopters[0] if ctx.adopters else None
    in_lead = [s for s in needed if s.physician.department_id == getattr(lead_department, "pk", 0)]
    lapse = set()
    if needed:
        count = max(3, round(LAPSE_SHARE * len(needed)))
        lapse = {s.pk for s in rng.sample(needed, min(count, len(needed)))}
        if in_lead and not lapse & {s.pk for s in in_lead}:
            lapse.add(in_lead[0].pk)
    lapsed: list[Physician] = []
    until: dict[Physician, date] = {}
    for supporter in supporters:
        completed_on = supporter.activated_on - timedelta(days=rng.randrange(7, 45))
        completions.append(
            TrainingCompletion(
                physician=supporter.physician, course=CourseKind.INITIAL, completed_on=completed_on
            )
        )
        while True:
            due = current_until(completed_on)
            if due >= ctx.today:
                until[supporter.physician] = due
                break
            if supporter.pk in lapse:
                lapsed.append(supporter.physician)
                break
            completed_on = due - timedelta(days=rng.randrange(0, 60))
            completions.append(
                TrainingCompletion(
                    physician=supporter.physician,
                    course=CourseKind.REFRESHER,
                    completed_on=completed_on,
                )
            )
    for completion in completions:
        services.completion_create(
            actor=ctx.director,
            physician=completion.physician,
            course=completion.course,
            completed_on=completion.completed_on,
            source=TrainingCompletion.Source.IMPORT,
            today=ctx.today,
        )
    due_soon = sorted(until, key=lambda physician: (until[physician], physician.pk))
    return lapsed, due_soon


def _calendar(ctx, rng, *, initial, refresher, renewing: list[Physician]) -> None:
    """Sessions with sign-ups: `renewing` lists supporters in the order they should renew."""
    director = ctx.director
    now = _at(ctx.today, 8)
    lead_department = ctx.adopters[0]
    site_name = lead_department.site.name
    facilitator = ctx.accounts.get("supporter") or director
    candidates = list(
        Physician.objects.employed_on(ctx.today)
        .filter(department__in=[d.pk for d in ctx.adopters], supporter__isnull=True)
        .exclude(physician_id__startswith="DEMO-")
        .order_by("physician_id")
    )
    rng.shuffle(candidates)
    in_lead = [p for p in candidates if p.department_id == lead_department.pk]
    others = [p for p in candidates if p.department_id != lead_department.pk]

    # Three weeks ago: two completed, one did not come. They now wait for activation.
    past_day = ctx.today - timedelta(days=21)
    past = services.session_create(
        actor=director,
        course=initial,
        starts_at=_at(past_day, 9),
        ends_at=_at(past_day, 17),
        facilitator=director,
        capacity=12,
        location=f"{site_name}, Education Center room 2",
    )
    trainees = [in_lead[0], others[0], others[1]]
    enrollments = [
        services.enrollment_create(
            actor=director,
            session=past,
            physician=p,
            notify=False,
            now=_at(past_day - timedelta(days=10), 12),
        )
        for p in trainees
    ]
    services.attendance_record(
        actor=director,
        session=past,
        marks={
            enrollments[0].pk: Enrollment.Status.COMPLETED,
            enrollments[1].pk: Enrollment.Status.COMPLETED,
            enrollments[2].pk: Enrollment.Status.ABSENT,
        },
        now=_at(past_day, 17, 30),
    )

    # Coming up: an initial course, a full refresher by video with a waitlist, a later one.
    soon = services.session_create(
        actor=director,
        course=initial,
        starts_at=_at(ctx.today + timedelta(days=12), 9),
        ends_at=_at(ctx.today + timedelta(days=12), 17),
        facilitator=director,
        capacity=12,
        location=f"{site_name}, Education Center room 2",
    )
    lead = ctx.accounts.get("lead") or director
    for physician in in_lead[1:4]:
        services.enrollment_create(
            actor=lead, session=soon, physician=physician, notify=False, now=now
        )
    for physician in others[2:5]:
        services.enrollment_create(
            actor=director, session=soon, physician=physician, notify=False, now=now
        )

    video = services.session_create(
        actor=director,
        course=refresher,
        starts_at=_at(ctx.today + timedelta(days=19), 13),
        ends_at=_at(ctx.today + timedelta(days=19), 16, 30),
        facilitator=facilitator,
        capacity=4,
        video_url=VIDEO_LINK,
    )
    for physician in renewing[:6]:
        services.enrollment_create(
            actor=director, session=video, physician=physician, notify=False, now=now
        )

    later_day = ctx.today + timedelta(days=47)
    later = services.session_create(
        actor=director,
        course=refresher,
        starts_at=_at(later_day, 14),
        ends_at=_at(later_day, 17),
        facilitator=director,
        capacity=15,
        location=f"{ctx.adopters[1].site.name}, Conference room B",
        video_url=VIDEO_LINK,
    )
    for physician in renewing[6:8]:
        services.enrollment_create(
            actor=director, session=later, physician=physician, notify=False, now=now
        )
