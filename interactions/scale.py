"""Referrals and the interaction log of the program at scale.

Referrals arrive day by day (more in winter, fewer at weekends) in the departments running the
program, once a supporter of their site was active. Each is walked through its life cycle at
plausible times (assigned within hours, first contact mostly within a day, closed within three
weeks); the program's clock stops at midnight starting the end day, so the last cases are still
open, in every status. The interaction log holds the conversations of those cases and, for the
rest of the requested count, proactive ones, drawn the same way. Every interaction is by a
supporter activated by then (whose training is current, where one is), with a physician of the
department employed that day (or nobody on the roster), on a day the department ran the
program, storing the physician's keyed pseudonym as the services do.

The referral plans come from a generator run twice with the same dice: once to write the
referrals, once to write their interactions, so that neither is held in memory.
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from post_program import program_settings
from post_program.scale import (
    ScaleContext,
    WeightedPick,
    analyze,
    local_at,
    next_pk,
    seasonal,
    spread,
    write,
)

from .models import (
    HELD_STATUSES,
    Assignment,
    AssignmentState,
    ContactMethod,
    DepartmentPreference,
    EscalationResource,
    Interaction,
    InteractionSource,
    Modality,
    Outcome,
    Reason,
    Referral,
    Source,
    Status,
    Topic,
    Urgency,
    first_contact_deadline,
    physician_pseudonym,
)
from .services.rollup import rollup_rebuild

SOURCES = [Source.SELF.value] * 3 + [Source.THIRD_PARTY.value] * 5 + [Source.EVENT.value] * 2
OUTCOMES = (
    [Outcome.SUPPORTED.value] * 70
    + [Outcome.DECLINED.value] * 10
    + [Outcome.UNREACHABLE.value] * 8
    + [Outcome.REFERRED_OUT.value] * 12
)
URGENCIES = [Urgency.ROUTINE.value] * 16 + [Urgency.SOON.value] * 3 + [Urgency.SAFETY.value]
PREFERENCES = [DepartmentPreference.NONE.value] * 6 + [
    DepartmentPreference.OWN.value,
    DepartmentPreference.OTHER.value,
]
REASONS = list(Reason.values)
CONTACT_METHODS = list(ContactMethod.values)
MODALITIES = (
    [Modality.PHONE.value] * 8
    + [Modality.IN_PERSON.value] * 7
    + [Modality.VIDEO.value] * 3
    + [Modality.MESSAGE.value] * 2
)
RESOURCES = (
    [EscalationResource.EAP.value] * 5
    + [EscalationResource.MENTAL_HEALTH.value] * 3
    + [
        EscalationResource.CRISIS_LINE.value,
        EscalationResource.OTHER.value,
    ]
)
TOPICS = list(Topic.values)
TOPIC_WEIGHTS = [5, 3, 2, 3, 3, 4, 4, 1]
PROACTIVE_SUCCESSFUL = 0.9
ROSTER_LINK = 0.8  # proactive interactions linked to a roster entry
ESCALATED = 0.1
SAME_DEPARTMENT = 0.6  # supporters chosen from the physician's department when there is one
# Ids that look random and never repeat: a multiplication modulo 16**12 by an odd number.
ID_MODULUS, ID_FACTOR = 16**12, 0x9E3779B97F4B


def public_id(prefix: str, pk: int) -> str:
    return f"{prefix}-{pk * ID_FACTOR % ID_MODULUS:012X}"


@dataclass
class Plan:
    """One referral as drawn: its row, and what its interactions need."""

    row: tuple
    department: int
    physician: int | None
    supporter: int | None
    source: str
    status: str
    outcome: str
    assigned_at: datetime | None
    accepted_at: datetime | None
    contact_on: date | None  # the first contact's day
    last_on: date | None  # the last day its interactions may fall on
    interactions: int


class _Running:
    """The departments running case work on a day (days asked in increasing order), to draw
    from by roster size."""

    def __init__(self, windows: dict[int, tuple[int, int]], sizes: list[int]):
        self.windows, self.sizes = windows, sizes
        self.changes = sorted(
            {a for a, _ in windows.values()} | {b + 1 for _, b in windows.values()}
        )
        self.passed = 0
        self.pick = WeightedPick([], [])

    def on(self, ordinal: int) -> WeightedPick:
        if self.passed < len(self.changes) and self.changes[self.passed] <= ordinal:
            while self.passed < len(self.changes) and self.changes[self.passed] <= ordinal:
                self.passed += 1
            running = [d for d, (a, b) in self.windows.items() if a <= ordinal <= b]
            self.pick = WeightedPick(running, [self.sizes[d] for d in running])
        return self.pick


class _Program:
    def __init__(self, ctx: ScaleContext):
        # The program's rules, read before any COPY: the rows are drawn while it runs.
        self.values = program_settings.get()
        self.ctx = ctx
        self.pseudonyms = [
            physician_pseudonym(ctx.physician_id(i)) for i in range(ctx.sizes.physicians)
        ]
        self.roster: list[list[int]] = [[] for _ in ctx.departments]
        for index, department in enumerate(ctx.physician_department):
            self.roster[department].append(index)
        self.sizes = [len(r) for r in self.roster]
        # Supporters by activation, in each department, each site, and the whole program.
        ordered = sorted(range(len(ctx.supporters)), key=lambda s: ctx.supporters[s].activated_on)
        self.pools: dict[tuple[str, int], list[int]] = {}
        for s in ordered:
            supporter = ctx.supporters[s]
            site = ctx.departments[supporter.department_index].site_index
            for key in (("department", supporter.department_index), ("site", site), ("all", 0)):
                self.pools.setdefault(key, []).append(s)
        self.activation = {
            key: [ctx.supporters[s].activated_on.toordinal() for s in pool]
            for key, pool in self.pools.items()
        }
        self.lapses = {s: day.toordinal() for s, day in ctx.training_lapses_on.items()}
        self.windows = self._windows()
        self.supporter_user = {0: ctx.accounts["supporter"].pk} if ctx.supporters else {}
        self.evenings: dict[date, datetime] = {}
        self.linked = 0  # interactions the referrals call for, counted while writing them
        self.first_referral = next_pk(Referral)
        self.first_interaction = next_pk(Interaction)

    def _windows(self) -> dict[int, tuple[int, int]]:
        """For each department with a roster: the days of case work, from its launch (or the
        first activation of a supporter of its site) to its end or the end of the period."""
        ctx = self.ctx
        windows = {}
        for d, department in enumerate(ctx.departments):
            if not department.launched_on or not self.sizes[d]:
                continue
            dates = self.activation.get(("site", department.site_index)) or self.activation.get(
                ("all", 0)
            )
            if not dates:
                continue
            first = max(department.launched_on.toordinal(), dates[0])
            last = department.adopted_until(ctx.last_day).toordinal()
            if first <= last:
                windows[d] = (first, last)
        return windows

    def weight(self, day: date) -> float:
        ordinal = day.toordinal()
        running = sum(self.sizes[d] for d, (a, b) in self.windows.items() if a <= ordinal <= b)
        return seasonal(day) * running

    def physician(self, rng: random.Random, department: int, ordinal: int) -> int | None:
        """Someone of the department's roster employed that day, or None."""
        roster = self.roster[department]
        for _ in range(6):
            index = roster[rng.randrange(len(roster))]
            if self.ctx.employed_on(index, ordinal):
                return index
        return None

    def supporter(self, rng: random.Random, department: int, ordinal: int, physician) -> int:
        """A supporter activated by that day, not the physician: of the same department or
        site when one is there, trained then when one is."""
        site = self.ctx.departments[department].site_index
        keys = [("site", site), ("all", 0)]
        if rng.random() < SAME_DEPARTMENT:
            keys.insert(0, ("department", department))
        fallback = None
        for key in keys:
            pool = self.pools.get(key)
            if not pool:
                continue
            count = bisect_right(self.activation[key], ordinal)
            for _ in range(4 if count else 0):
                s = pool[rng.randrange(count)]
                if self.ctx.supporters[s].physician_index == physician:
                    continue
                if self.lapses.get(s, ordinal + 1) > ordinal:
                    return s
                fallback = s
        if fallback is None:
            raise LookupError("no supporter for that day")
        return fallback

    def evening(self, day: date) -> datetime:
        if day not in self.evenings:
            self.evenings[day] = local_at(day, 20)
        return self.evenings[day]

    # --- referrals --------------------------------------------------------------------

    def plans(self) -> Iterator[Plan]:
        """Every referral, in the order received; the same ones each time."""
        ctx = self.ctx
        rng = ctx.rng("interactions:referrals")
        end_at = ctx.end_at
        running = _Running(self.windows, self.sizes)
        open_physicians: set[int] = set()
        pk = self.first_referral
        for day, count in spread(rng, ctx.sizes.referrals, ctx.start, ctx.last_day, self.weight):
            ordinal = day.toordinal()
            pick = running.on(ordinal)
            for _ in range(count):
                department = pick.pick(rng)
                yield self._plan(rng, pk, day, department, end_at, open_physicians)
                pk += 1

    def _plan(self, rng, pk, day, department, end_at, open_physicians) -> Plan:
        ordinal = day.toordinal()
        received = local_at(day, rng.uniform(7, 23))
        physician = self.physician(rng, department, ordinal)
        source, outcome = rng.choice(SOURCES), rng.choice(OUTCOMES)
        supporter: int | None = self.supporter(rng, department, ordinal, physician)
        assigned = received + timedelta(hours=rng.uniform(0.2, 4))
        accepted = assigned + timedelta(hours=rng.uniform(0.2, 3))
        reached = None
        if outcome != Outcome.UNREACHABLE:
            delay = received + timedelta(hours=rng.lognormvariate(1.6, 0.9))
            reached = max(delay, accepted + timedelta(minutes=5))
        done = (reached or accepted) + timedelta(hours=rng.uniform(20, 21 * 24))
        # The clock stops at end_at: what had not happened by then has not happened.
        assigned_at: datetime | None = assigned
        accepted_at: datetime | None = accepted
        contact: datetime | None = reached
        closed: datetime | None = done
        if done <= end_at:
            status = Status.CLOSED.value
        else:
            closed, outcome = None, ""
            if reached and reached <= end_at:
                status = Status.CONTACTED.value
            else:
                contact = None
                if accepted <= end_at:
                    status = Status.ACCEPTED.value
                elif assigned <= end_at:
                    status, accepted_at = Status.ASSIGNED.value, None
                else:
                    status, accepted_at, assigned_at = Status.NEW.value, None, None
        named = ""
        if status != Status.CLOSED:
            for _ in range(6):
                if physician is None or physician not in open_physicians:
                    break
                physician = self.physician(rng, department, ordinal)
            if physician is None or physician in open_physicians:
                physician, named = None, "A visiting colleague"
            else:
                open_physicians.add(physician)
        if status == Status.NEW:
            supporter = None
        interactions = 0
        contact_on = contact.date() if contact else None
        last_on = None
        if contact_on is not None:
            ends = [self.ctx.departments[department].adopted_until(self.ctx.last_day)]
            ends.append(closed.date() if closed else self.ctx.last_day)
            if physician is not None and self.ctx.physician_ended[physician]:
                ends.append(date.fromordinal(self.ctx.physician_ended[physician]))
            last_on = min(ends)
            if contact_on <= last_on:
                if outcome == Outcome.REFERRED_OUT:
                    interactions = 1
                elif outcome == Outcome.DECLINED:
                    interactions = rng.random() < 0.5
                else:
                    interactions = rng.choice([1, 1, 1, 2, 2, 3])
        version = [assigned_at, accepted_at, contact, closed]
        # Drawn in the order the row lists them; the deadline follows the urgency.
        reason, urgency = rng.choice(REASONS), rng.choice(URGENCIES)
        row = (
            pk,
            public_id("R", pk),
            received,
            source,
            None if physician is None else self.ctx.physician_first_pk + physician,
            named,
            self.ctx.departments[department].pk,
            status,
            outcome,
            None if supporter is None else self.ctx.supporters[supporter].pk,
            assigned_at,
            accepted_at,
            contact,
            closed,
            first_contact_deadline(received, urgency, self.values),
            reason,
            urgency,
            rng.choice(CONTACT_METHODS),
            rng.choice(PREFERENCES),
            sum(1 for moment in version if moment is not None),
            "",
            False,
            "",
        )
        return Plan(
            row,
            department,
            physician,
            supporter,
            source,
            status,
            outcome,
            assigned_at,
            accepted_at,
            contact_on,
            last_on,
            int(interactions),
        )

    def write_referrals(self) -> None:
        ctx = self.ctx
        coordinator = ctx.accounts["coordinator"].pk
        accept_within = timedelta(hours=self.values.accept_within_hours)
        offers: list[tuple] = []  # the open cases' active assignments, as the services keep them

        def rows():
            for plan in self.plans():
                self.linked += plan.interactions
                if plan.status in HELD_STATUSES and plan.assigned_at is not None:
                    state = (
                        AssignmentState.ACCEPTED if plan.accepted_at else AssignmentState.PENDING
                    )
                    offers.append(
                        (
                            plan.row[0],
                            plan.row[9],
                            coordinator,
                            plan.assigned_at,
                            plan.assigned_at + accept_within,
                            state.value,
                            plan.accepted_at,
                            "",
                        )
                    )
                yield plan.row

        columns = [
            "id",
            "referral_id",
            "received_at",
            "source",
            "physician_id",
            "named_colleague",
            "department_id",
            "status",
            "outcome",
            "assigned_to_id",
            "assigned_at",
            "accepted_at",
            "first_contact_at",
            "closed_at",
            "first_contact_due_at",
            "reason",
            "urgency",
            "contact_method",
            "department_preference",
            "version",
            "note",
            "referrer_may_be_named",
            "physician_pseudonym",
        ]
        write(ctx, Referral, columns, rows())
        columns = [
            "referral_id",
            "supporter_id",
            "assigned_by_id",
            "assigned_at",
            "accept_due_at",
            "state",
            "responded_at",
            "decline_reason",
        ]
        write(ctx, Assignment, columns, offers)

    # --- interactions -------------------------------------------------------------------

    def interactions(self) -> Iterator[tuple]:
        """The referrals' interactions (as many as the count allows) and proactive ones for
        the rest, roughly in the order they happened."""
        ctx = self.ctx
        rng = ctx.rng("interactions:log")
        total = ctx.sizes.interactions
        linked_left = min(self.linked, total)
        pk = self.first_interaction
        running = _Running(self.windows, self.sizes)
        # The referrals by the day they arrived, merged with the days of proactive ones.
        referrals = ((plan.row[2].date(), plan) for plan in self.plans())
        proactive = spread(rng, total - linked_left, ctx.start, ctx.last_day, self.weight)
        for day, item in heapq.merge(referrals, proactive, key=lambda pair: pair[0]):
            if isinstance(item, Plan):
                for index in range(min(item.interactions, linked_left)):
                    yield self._linked(rng, pk, item, index)
                    pk += 1
                    linked_left -= 1
                continue
            assert isinstance(item, int)  # a day's count of proactive interactions
            ordinal = day.toordinal()
            pick = running.on(ordinal)
            for _ in range(item):
                department = pick.pick(rng)
                physician = (
                    self.physician(rng, department, ordinal) if rng.random() < ROSTER_LINK else None
                )
                supporter = self.supporter(rng, department, ordinal, physician)
                successful = rng.random() < PROACTIVE_SUCCESSFUL
                yield self._row(
                    rng,
                    pk,
                    day,
                    supporter,
                    physician,
                    department,
                    successful,
                    InteractionSource.PROACTIVE.value,
                    None,
                    None,
                )
                pk += 1

    def _linked(self, rng: random.Random, pk: int, plan: Plan, index: int) -> tuple:
        assert (
            plan.contact_on is not None and plan.last_on is not None and plan.supporter is not None
        )
        span = (plan.last_on - plan.contact_on).days
        day = (
            plan.contact_on
            if index == 0
            else plan.contact_on + timedelta(days=rng.randint(0, span))
        )
        successful = plan.outcome != Outcome.DECLINED
        escalated = plan.outcome == Outcome.REFERRED_OUT or None
        return self._row(
            rng,
            pk,
            day,
            plan.supporter,
            plan.physician,
            plan.department,
            successful,
            plan.source,
            plan.row[0],
            escalated,
        )

    def _row(
        self,
        rng,
        pk,
        day,
        supporter,
        physician,
        department,
        successful,
        source,
        referral,
        escalated,
    ) -> tuple:
        if successful:
            minutes = min(max(5 * round(rng.lognormvariate(4.09, 0.45) / 5), 5), 480)
            topics = tuple(
                sorted(
                    set(rng.choices(TOPICS, weights=TOPIC_WEIGHTS, k=rng.choice((1, 1, 2, 2, 3)))),
                    key=TOPICS.index,
                )
            )
            if escalated is None:
                escalated = rng.random() < ESCALATED
        else:
            minutes, topics, escalated = rng.choice((0, 0, 5, 10)), (), False
        planned = successful and rng.random() < 0.3
        ctx = self.ctx
        return (
            public_id("I", pk),
            day,
            ctx.supporters[supporter].pk,
            None if physician is None else ctx.physician_first_pk + physician,
            "" if physician is None else self.pseudonyms[physician],
            ctx.departments[department].pk,
            minutes,
            successful,
            source,
            rng.choice(MODALITIES),
            escalated,
            rng.choice(RESOURCES) if escalated else "",
            topics,
            planned,
            "",
            referral,
            self.supporter_user.get(supporter),
            self.evening(day),
        )


def seed(ctx: ScaleContext) -> None:
    program = _Program(ctx)
    program.write_referrals()
    columns = [
        "interaction_id",
        "occurred_on",
        "supporter_id",
        "physician_id",
        "physician_pseudonym",
        "department_id",
        "duration_minutes",
        "successful",
        "source",
        "modality",
        "escalated",
        "escalated_to",
        "topics",
        "follow_up_planned",
        "follow_up_note",
        "referral_id",
        "logged_by_id",
        "logged_at",
    ]
    write(ctx, Interaction, columns, program.interactions())
    analyze(ctx, [Referral._meta.db_table, Assignment._meta.db_table, Interaction._meta.db_table])
    rollup_rebuild()
