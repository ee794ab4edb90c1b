"""Demo referrals: three years of closed cases and an open queue with every status.

Built through the services with their real times (`at`) and `notify=False`, so the demo sends
no email and schedules no deadline jobs. The demo physician has asked for support, the demo
supporter holds cases, and the demo coordinator's site has a queue with new, urgent and overdue
referrals.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from post_program.demo import DemoContext
from post_program.models import Department, PeerSupporter, Physician

from . import services
from .models import (
    ContactMethod,
    DeclineReason,
    DepartmentPreference,
    EventCategory,
    Outcome,
    Reason,
    Source,
    Urgency,
)

CLOSED_PER_ADOPTER = 5
OUTCOMES = [Outcome.SUPPORTED] * 6 + [Outcome.DECLINED, Outcome.UNREACHABLE, Outcome.REFERRED_OUT]
REASONS = list(Reason.values)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour % 24)))


class _Demo:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng
        self.coordinator = ctx.accounts["coordinator"]
        self.open_physicians: set[int] = set()
        supporters = list(
            PeerSupporter.objects.active().select_related("physician__department").order_by("pk")
        )
        self.supporters = supporters
        self.demo_supporter = next(
            s for s in supporters if s.physician.physician_id == "DEMO-SUPPORTER"
        )
        supporter_physicians = {s.physician_id for s in supporters}
        self.roster: dict[int, list[Physician]] = {}
        for physician in (
            Physician.objects.filter(department__in=ctx.adopters, ended_on__isnull=True)
            .exclude(physician_id__startswith="DEMO-")
            .exclude(pk__in=supporter_physicians)
            .order_by("physician_id")
        ):
            self.roster.setdefault(physician.department_id, []).append(physician)

    def referral_id(self) -> str:
        """Random-looking like a real one, but the same for every load of the same seed."""
        return f"R-{self.rng.getrandbits(48):012X}"

    def physician(self, department: Department, *, open_case: bool) -> Physician:
        choices = [p for p in self.roster[department.pk] if p.pk not in self.open_physicians]
        physician = self.rng.choice(choices)
        if open_case:
            self.open_physicians.add(physician.pk)
        return physician

    def supporter_for(self, referral, day: date, *, exclude=()) -> PeerSupporter:
        same_site = [
            s
            for s in self.supporters
            if s.physician.department.site_id == referral.department.site_id
            and s.physician_id != referral.physician_id
            and s.activated_on <= day
            and s.pk not in exclude
            and s.pk != self.demo_supporter.pk
        ]
        if not same_site:  # before anyone at the site was trained: whoever is there now
            same_site = [
                s
                for s in self.supporters
                if s.physician.department.site_id == referral.department.site_id
                and s.physician_id != referral.physician_id
                and s.pk not in exclude
            ]
        return self.rng.choice(same_site)

    def request(self, *, department, at, source=None, open_case=False, **extra):
        source = source or self.rng.choice([Source.SELF, Source.THIRD_PARTY, Source.THIRD_PARTY])
        physician = extra.pop("physician", None) or self.physician(department, open_case=open_case)
        return services.referral_request(
            requester=extra.pop("requester", None),
            source=source,
            department=department,
            physician=physician,
            reason=extra.pop("reason", self.rng.choice(REASONS)),
            contact_method=self.rng.choice(ContactMethod.values),
            department_preference=self.rng.choice(
                [DepartmentPreference.NONE] * 3 + [DepartmentPreference.OTHER]
            ),
            referrer_may_be_named=source == Source.THIRD_PARTY and self.rng.random() < 0.4,
            referral_id=self.referral_id(),
            at=at,
            notify=False,
            **extra,
        ).referral

    def carry(self, referral, *, until: str, supporter=None, outcome=None, start=None, quick=False):
        """Walk a referral through the life cycle up to `until`, at plausible times (an hour
        per step when `quick`, for the open cases of the last day)."""
        at = start or referral.received_at
        day = timezone.localdate(at)
        supporter = supporter or self.supporter_for(referral, day)
        step = (lambda low, high: 1) if quick else self.rng.randint
        at += timedelta(hours=step(1, 4))
        services.referral_assign(
            actor=self.coordinator, referral=referral, supporter=supporter, at=at, notify=False
        )
        if until == "assigned":
            return
        at += timedelta(hours=step(1, 3))
        services.referral_accept(
            actor=supporter.physician.user, referral=referral, supporter=supporter, at=at
        )
        if until == "accepted":
            return
        if outcome != Outcome.UNREACHABLE:
            at += timedelta(hours=step(2, 16))
            services.referral_record_contact(
                actor=supporter.physician.user, referral=referral, at=at
            )
        if until == "contacted":
            return
        at += timedelta(days=self.rng.randint(1, 12))
        services.referral_close(
            actor=supporter.physician.user, referral=referral, outcome=outcome, at=at
        )


def seed(ctx: DemoContext) -> None:
    demo = _Demo(ctx)
    rng = ctx.rng
    today = ctx.today

    # Closed cases since each department's launch (one was first declined by a supporter).
    for department in ctx.adopters:
        last_day = min(department.ended_on or today, today) - timedelta(days=30)
        span = (last_day - department.launched_on).days
        for _ in range(CLOSED_PER_ADOPTER):
            day = department.launched_on + timedelta(days=rng.randrange(max(span, 1)))
            referral = demo.request(department=department, at=_at(day, rng.randint(7, 18)))
            demo.carry(referral, until="closed", outcome=rng.choice(OUTCOMES))
    first = ctx.adopters[0]
    referral = demo.request(department=first, at=_at(today - timedelta(days=90), 10))
    declining = demo.supporter_for(referral, today - timedelta(days=90))
    services.referral_assign(
        actor=demo.coordinator,
        referral=referral,
        supporter=declining,
        at=referral.received_at + timedelta(hours=1),
        notify=False,
    )
    services.referral_decline(
        actor=declining.physician.user,
        referral=referral,
        supporter=declining,
        reason=DeclineReason.CAPACITY,
        at=referral.received_at + timedelta(hours=2),
        notify=False,
    )
    demo.carry(
        referral,
        until="closed",
        outcome=Outcome.SUPPORTED,
        supporter=demo.demo_supporter,
        start=referral.received_at + timedelta(hours=2),
    )

    # An event two months ago, its referrals closed; another two days ago, still new.
    _, results = services.event_record(
        actor=demo.coordinator,
        occurred_on=today - timedelta(days=60),
        department=first,
        category=EventCategory.PATIENT_DEATH,
        physicians=[demo.physician(first, open_case=False) for _ in range(3)],
        referral_ids=[demo.referral_id() for _ in range(3)],
        at=_at(today - timedelta(days=59), 9),
        notify=False,
    )
    for result in results:
        demo.carry(result.referral, until="closed", outcome=Outcome.SUPPORTED)
    services.event_record(
        actor=demo.coordinator,
        occurred_on=today - timedelta(days=2),
        department=first,
        category=EventCategory.ADVERSE_EVENT,
        physicians=[demo.physician(first, open_case=True) for _ in range(2)],
        referral_ids=[demo.referral_id() for _ in range(2)],
        at=_at(today - timedelta(days=1), 8),
        notify=False,
    )

    # The open queue of the demo coordinator's site, in every status.
    now = _at(today, 0)
    physician_user = ctx.accounts["physician"]
    site_departments = [d for d in ctx.adopters if d.site_id == first.site_id]
    demo.request(
        department=first,
        at=now - timedelta(hours=2),
        source=Source.THIRD_PARTY,
        requester=physician_user,
        open_case=True,
        urgency=Urgency.SAFETY,
        note="Seemed very shaken after the night shift.",
    )
    demo.request(department=site_departments[1], at=now - timedelta(hours=30), open_case=True)
    services.referral_request(
        requester=physician_user,
        source=Source.THIRD_PARTY,
        department=site_departments[2],
        named_colleague="Dr. Robin Visiting (locum)",
        reason=Reason.ADVERSE_EVENT,
        referral_id=demo.referral_id(),
        at=now - timedelta(hours=5),
        notify=False,
    )
    for index, until in enumerate(["assigned", "accepted", "contacted"] * 2):
        department = site_departments[index % len(site_departments)]
        referral = demo.request(
            department=department,
            at=now - timedelta(hours=20 - 3 * index),
            open_case=True,
            requester=physician_user if index == 0 else None,
            source=Source.THIRD_PARTY if index == 0 else None,
        )
        supporter = demo.demo_supporter if index < 2 else None
        demo.carry(referral, until=until, supporter=supporter, quick=True)
    # The demo physician asked for themself once, long ago.
    own = Physician.objects.get(physician_id="DEMO-PHYSICIAN")
    referral = demo.request(
        department=first,
        at=_at(today - timedelta(days=200), 20),
        source=Source.SELF,
        requester=physician_user,
        physician=own,
    )
    demo.carry(referral, until="closed", outcome=Outcome.SUPPORTED)
