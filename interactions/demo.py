"""Demo referrals and case work: three years of closed cases with their outreach and
interactions, interactions that came without a referral, and an open queue with every status.

Referrals are built through the services with their real times (`at`) and `notify=False`, so
the demo sends no email and schedules no deadline jobs. The interaction log is shaped like the
reference program (about 300 successful interactions in three years, a median of about an hour,
a share pointed to professional help, every source) and written in bulk; every row meets the
rules of `services.interaction_errors`, is by a supporter who was active and trained that day,
and lies within its referral's life. The demo physician has asked for support, the demo
supporter holds cases and has a recent load, and the demo coordinator's site has a queue with
new, urgent and overdue referrals.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from typing import TypedDict

from django.utils import timezone

from post_program import program_settings
from post_program.demo import DemoContext
from post_program.models import (
    Department,
    PeerSupporter,
    Physician,
    RoleAssignment,
    Site,
    Weekday,
)
from surveys import demo as survey_demo
from training.models import TrainingCompletion
from training.selectors import current_cutoff

from . import services
from .models import (
    ContactMethod,
    DeclineReason,
    DepartmentPreference,
    EscalationResource,
    EventCategory,
    Interaction,
    InteractionSource,
    Modality,
    Outcome,
    OutreachMethod,
    Reason,
    Referral,
    Source,
    Topic,
    Urgency,
    physician_pseudonym,
)
from .services.rollup import rollup_rebuild

CLOSED_PER_ADOPTER = 5
OUTCOMES = [Outcome.SUPPORTED] * 6 + [Outcome.DECLINED, Outcome.UNREACHABLE, Outcome.REFERRED_OUT]
REASONS = list(Reason.values)

# The interaction log: proactive conversations on top of those of the referrals, so that the
# three years hold about as many successful interactions as the reference program (306).
PROACTIVE_SUCCESSFUL = 225
UNSUCCESSFUL_SHARE = 0.12
ESCALATION_SHARE = 0.11
OUTSIDE_ADOPTERS_SHARE = 0.04
ROSTER_LINK_SHARE = 0.75
MODALITIES = (
    [Modality.PHONE] * 8 + [Modality.IN_PERSON] * 7 + [Modality.VIDEO] * 3 + [Modality.MESSAGE] * 2
)
RESOURCES = (
    [EscalationResource.EAP] * 5
    + [EscalationResource.MENTAL_HEALTH] * 3
    + [
        EscalationResource.CRISIS_LINE,
        EscalationResource.OTHER,
    ]
)
TOPICS = list(Topic.values)
TOPIC_WEIGHTS = [5, 3, 2, 3, 3, 4, 4, 1]
FOLLOW_UP_NOTES = [
    "Check in after the next night shift.",
    "Call again next week.",
    "Send the EAP number by text.",
    "Ask how the meeting with the department chief went.",
]
NOTES_WITHIN_DAYS = 60  # older notes would have gone with retention


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour % 24)))


def _launched_on(department: Department) -> date:
    """The day an adopting department launched the program (every adopter has one)."""
    if department.launched_on is None:
        raise ValueError(f"{department} is an adopter without a launch day")
    return department.launched_on


class _Facts(TypedDict):
    """The facts of one demo interaction that the rules check."""

    occurred_on: date
    duration_minutes: int
    successful: bool
    escalated: bool
    escalated_to: str
    topics: list[str]
    modality: str


class _Demo:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng
        # The interaction log has dice of its own, so it can grow without moving the referrals.
        self.log_rng = random.Random(f"interactions:{ctx.rng.random()!r}")
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
        self.completions: dict[int, list[date]] = {}
        for physician_id, completed_on in TrainingCompletion.objects.filter(
            physician_id__in=supporter_physicians
        ).values_list("physician_id", "completed_on"):
            self.completions.setdefault(physician_id, []).append(completed_on)
        for dates in self.completions.values():
            dates.sort()
        self.interactions: list[Interaction] = []

    def can_support(self, supporter: PeerSupporter, day: date) -> bool:
        """Activated by `day`, and training current on it (some course in the N months up to
        it, as the suggestions and the reports count it)."""
        if supporter.activated_on > day:
            return False
        dates = self.completions.get(supporter.physician_id, [])
        latest = bisect_right(dates, day)
        return latest > 0 and dates[latest - 1] >= current_cutoff(day)

    def site_ready_on(self, site_id: int) -> date | None:
        """The first day some supporter of the site could take a case."""
        days = [
            s.activated_on
            for s in self.supporters
            if s.physician.department.site_id == site_id and self.can_support(s, s.activated_on)
        ]
        return min(days, default=None)

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
            and self.can_support(s, day)
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
        user = supporter.physician.user
        log = self.log_rng
        misses = 3 if outcome == Outcome.UNREACHABLE else log.choice([0, 0, 0, 1, 2])
        for _ in range(misses):
            at += timedelta(hours=1 if quick else log.randint(1, 10))
            self.outreach(referral, supporter, at, reached=False)
        if outcome != Outcome.UNREACHABLE:
            at += timedelta(hours=step(2, 16))
            self.outreach(referral, supporter, at, reached=True)
        if until == "contacted":
            if not quick:
                return
            self.log(referral, supporter, timezone.localdate(at), successful=True)
            return
        contact_day = timezone.localdate(at)
        at += timedelta(days=self.rng.randint(1, 12))
        close_day = timezone.localdate(at)
        if outcome in (Outcome.SUPPORTED, Outcome.REFERRED_OUT):
            count = 1 if outcome == Outcome.REFERRED_OUT else log.choice([1, 1, 1, 2, 2, 3])
            span = (close_day - contact_day).days
            days = sorted(contact_day + timedelta(days=log.randint(0, span)) for _ in range(count))
            for index, day in enumerate(days):
                self.log(
                    referral,
                    supporter,
                    day,
                    successful=True,
                    escalated=outcome == Outcome.REFERRED_OUT and index == 0,
                )
        elif outcome == Outcome.DECLINED and log.random() < 0.5:
            self.log(referral, supporter, contact_day, successful=False)
        services.referral_close(actor=user, referral=referral, outcome=outcome, at=at)

    def outreach(self, referral, supporter, at: datetime, *, reached: bool) -> None:
        services.outreach_record(
            actor=supporter.physician.user,
            referral=referral,
            supporter=supporter,
            attempted_at=at,
            method=self.log_rng.choice(
                [OutreachMethod.PHONE] * 3 + [OutreachMethod.TEXT] * 2 + [OutreachMethod.EMAIL]
            ),
            reached=reached,
            now=at,
        )

    def log(
        self,
        referral,
        supporter: PeerSupporter,
        day: date,
        *,
        successful: bool,
        escalated: bool | None = None,
        department: Department | None = None,
        physician: Physician | None = None,
    ) -> None:
        """Queue one interaction for the bulk insert, with facts drawn like the reference
        program's; one that would break a rule (a supporter whose training lapsed meanwhile)
        is left out."""
        log = self.log_rng
        if day > self.ctx.today or not self.can_support(supporter, day):
            return
        if referral is not None:
            department, physician = referral.department, referral.physician
        if successful:
            minutes = min(max(5 * round(log.lognormvariate(4.1, 0.4) / 5), 10), 240)
            topics = sorted(
                set(log.choices(TOPICS, weights=TOPIC_WEIGHTS, k=log.choice([1, 1, 2, 2, 3]))),
                key=TOPICS.index,
            )
        else:
            minutes, topics = log.choice([0, 0, 5, 10]), []
        if escalated is None:
            escalated = successful and log.random() < ESCALATION_SHARE
        planned = successful and log.random() < 0.4
        values: _Facts = {
            "occurred_on": day,
            "duration_minutes": minutes,
            "successful": successful,
            "escalated": escalated,
            "escalated_to": log.choice(RESOURCES) if escalated else "",
            "topics": topics,
            "modality": log.choice(MODALITIES),
        }
        errors = services.interaction_errors(
            supporter=supporter,
            referral=referral,
            physician=physician,
            today=self.ctx.today,
            **values,
        )
        if errors:  # pragma: no cover - the demo's own dice never break a rule
            raise AssertionError(f"demo interaction breaks a rule: {errors}")
        recent = (self.ctx.today - day).days <= NOTES_WITHIN_DAYS
        self.interactions.append(
            Interaction(
                interaction_id=f"I-{log.getrandbits(48):012X}",
                supporter=supporter,
                physician=physician,
                physician_pseudonym=physician_pseudonym(physician.physician_id)
                if physician
                else "",
                department=department,
                source=referral.source if referral is not None else InteractionSource.PROACTIVE,
                referral=referral,
                follow_up_planned=planned,
                follow_up_note=log.choice(FOLLOW_UP_NOTES) if planned and recent else "",
                logged_by=supporter.physician.user,
                logged_at=timezone.make_aware(datetime.combine(day, time(20))),
                **values,
            )
        )

    def proactive(self, count: int) -> None:
        """Conversations that came without a referral: mostly in adopting departments while
        they run the program, by a supporter of the same department or site when one was
        trained by then, with a roster link to the physician most of the time."""
        ctx, log = self.ctx, self.log_rng
        others = list(Department.objects.exclude(pk__in=[d.pk for d in ctx.adopters]))
        start = _launched_on(ctx.adopters[0])
        employed = list(
            Physician.objects.exclude(physician_id__startswith="DEMO-")
            .exclude(pk__in=[s.physician_id for s in self.supporters])
            .select_related("department")
            .order_by("physician_id")
        )
        by_department: dict[int, list[Physician]] = {}
        for employee in employed:
            by_department.setdefault(employee.department_id, []).append(employee)
        made = attempts = 0
        while made < count and attempts < count * 20:
            attempts += 1
            day = start + timedelta(days=log.randrange((ctx.today - start).days))
            running = [d for d in ctx.adopters if d.is_adopted_on(day)]
            if not running:
                continue
            if others and log.random() < OUTSIDE_ADOPTERS_SHARE:
                department = log.choice(others)
            else:
                department = log.choice(running)
            ready = [s for s in self.supporters if self.can_support(s, day)]
            near = [s for s in ready if s.physician.department_id == department.pk] or [
                s for s in ready if s.physician.department.site_id == department.site_id
            ]
            if not near:
                continue
            supporter = log.choice(near)
            physician = None
            if log.random() < ROSTER_LINK_SHARE:
                roster = [
                    p
                    for p in by_department.get(department.pk, [])
                    if (p.started_on is None or p.started_on <= day)
                    and (p.ended_on is None or p.ended_on >= day)
                ]
                physician = log.choice(roster) if roster else None
            successful = log.random() >= UNSUCCESSFUL_SHARE
            before = len(self.interactions)
            self.log(
                None,
                supporter,
                day,
                successful=successful,
                department=department,
                physician=physician,
            )
            made += successful and len(self.interactions) > before

    def demo_supporter_load(self) -> None:
        """The demo supporter's last weeks: a few conversations, one pointing a colleague to
        professional help, so their load page offers a debrief."""
        today = self.ctx.today
        department = self.demo_supporter.physician.department
        roster = self.roster[department.pk]
        for days_ago, escalated in ((2, True), (9, False), (23, False), (61, False)):
            self.log(
                None,
                self.demo_supporter,
                today - timedelta(days=days_ago),
                successful=True,
                escalated=escalated,
                department=department,
                physician=self.log_rng.choice(roster),
            )

    def save(self) -> None:
        Interaction.objects.bulk_create(self.interactions, batch_size=500)


def seed(ctx: DemoContext) -> None:
    demo = _Demo(ctx)
    rng = ctx.rng
    today = ctx.today

    # Closed cases since each department's launch, once a supporter of its site was trained
    # (one was first declined by a supporter).
    for department in ctx.adopters:
        last_day = min(department.ended_on or today, today) - timedelta(days=30)
        first_day = max(_launched_on(department), demo.site_ready_on(department.site_id) or today)
        first_day = min(first_day, last_day)
        span = (last_day - first_day).days
        for _ in range(CLOSED_PER_ADOPTER):
            day = first_day + timedelta(days=rng.randrange(max(span, 1)))
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

    # The interaction log: what came without a referral, and the demo supporter's last weeks.
    demo.proactive(PROACTIVE_SUCCESSFUL)
    demo.demo_supporter_load()
    demo.save()
    rollup_rebuild()  # the interactions were written in bulk
    _feedback_surveys(ctx)
    _on_call_roster(demo)


def _on_call_roster(demo: _Demo) -> None:
    """The demo coordinator's site has someone on call at every hour: the coordinator in
    weekdays' working hours and the demo supporter (if of that site) nights and weekends, each
    the other's second call."""
    coordinator = demo.coordinator
    site_id = (
        RoleAssignment.objects.filter(user=coordinator, role=RoleAssignment.Role.COORDINATOR)
        .values_list("site_id", flat=True)
        .first()
    )
    if site_id is None:
        return
    physician = demo.demo_supporter.physician
    volunteer = physician.user if physician.department.site_id == site_id else None
    for weekday in Weekday:
        for starts, ends in ((time(8), time(18)), (time(18), time(8))):
            working_hours = weekday < Weekday.SATURDAY and starts == time(8)
            order = [coordinator, volunteer] if working_hours else [volunteer, coordinator]
            for position, user in enumerate(filter(None, order), start=1):
                services.on_call_shift_add(
                    actor=coordinator,
                    site=Site(pk=site_id),
                    user=user,
                    weekday=weekday,
                    starts=starts,
                    ends=ends,
                    position=position,
                )


def _feedback_surveys(ctx: DemoContext) -> None:
    """Recipient feedback for the cases closed as supported whose invitation is due by now, as
    the survey job would have sent it; later ones stay planned and go out on their day."""
    delay = timedelta(days=program_settings.get().recipient_feedback_delay_days)
    supported = (
        Referral.objects.filter(outcome=Outcome.SUPPORTED)
        .select_related("physician")
        .order_by("closed_at", "pk")
    )
    events = [
        (
            services.recipient_feedback_source(r.pk),
            r.physician,
            timezone.localdate(r.closed_at + delay),
        )
        for r in supported
        if r.physician is not None
        and r.closed_at is not None
        and r.closed_at + delay <= _at(ctx.today, 0)
    ]
    survey_demo.automatic_seed(ctx, instrument="recipient_feedback", events=events)
