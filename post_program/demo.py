"""The demo program: a two-hospital system shaped like the published reference program.

Built deterministically (a seeded random generator and a fixed "today") and only through the
app's own services, so the demo exercises the same code paths as real use. Each app adds its own
part in `<app>/demo.py`, called in INSTALLED_APPS order with the same `DemoContext`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta

from . import services
from .models import Department, PeerSupporter, Physician, RoleAssignment, User

DEMO_PASSWORD = "peer-support-demo"  # noqa: S105 (printed for demo sign-in only)

SITES = {
    "Northbay Medical Center": [
        "Emergency Medicine",
        "Internal Medicine",
        "Surgery",
        "Obstetrics and Gynecology",
        "Pediatrics",
        "Anesthesiology",
        "Radiology",
        "Psychiatry",
        "Cardiology",
        "Oncology",
    ],
    "Southbay Medical Center": [
        "Emergency Medicine",
        "Hospital Medicine",
        "General Surgery",
        "Orthopedics",
        "Neonatology",
        "Critical Care",
        "Neurology",
        "Family Medicine",
        "Urology",
        "Pathology",
    ],
}
# (site index, department index) of the 11 adopting departments, in launch order.
ADOPTERS = [(0, 0), (1, 0), (0, 2), (0, 3), (1, 5), (0, 5), (1, 2), (0, 1), (1, 4), (0, 4), (1, 1)]
DEPARTMENT_SIZES = [70, 64, 58, 52, 30, 48, 34, 28, 40, 36, 62, 55, 50, 38, 24, 44, 32, 46, 26, 22]
SUPPORTERS_PER_ADOPTER = [8, 7, 6, 6, 5, 5, 5, 5, 5, 4, 4]
# The adopter whose program stopped, so that reports meet an ended department.
ENDED_ADOPTER = 8

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Carmen",
    "Daniel",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Isabel",
    "Jonah",
    "Keiko",
    "Luis",
    "Maya",
    "Nikhil",
    "Olivia",
    "Pavel",
    "Quinn",
    "Rosa",
    "Samuel",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aaron",
    "Bianca",
    "Chen",
    "Dalia",
]
LAST_NAMES = [
    "Adeyemi",
    "Brennan",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Gupta",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quintero",
    "Rossi",
    "Schneider",
    "Takahashi",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Alvarez",
    "Bauer",
    "Costa",
    "Delgado",
    "Evans",
    "Friedman",
    "Garcia",
    "Horvat",
]

ACCOUNTS = [
    ("director", "director@example.org", "Dana Director"),
    ("coordinator", "coordinator@example.org", "Casey Coordinator"),
    ("lead", "lead@example.org", "Lee Lead"),
    ("supporter", "supporter@example.org", "Sam Supporter"),
    ("physician", "physician@example.org", "Pat Physician"),
]


@dataclass
class DemoContext:
    """What each app's demo seeder shares: the clock, the dice and the cast."""

    today: date
    rng: random.Random
    director: User | None = None
    accounts: dict[str, User] = field(default_factory=dict)
    adopters: list[Department] = field(default_factory=list)

    @property
    def program_start(self) -> date:
        return self.today - relativedelta(years=3)


def _account(*, email: str, name: str) -> User:
    user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    director = _account(email=ACCOUNTS[0][1], name=ACCOUNTS[0][2])
    ctx.director = director
    services.role_grant(actor=None, user=director, role=RoleAssignment.Role.DIRECTOR)

    departments: list[list[Department]] = []
    for site_name, names in SITES.items():
        site = services.site_create(actor=director, name=site_name)
        departments.append(
            [services.department_create(actor=director, site=site, name=n) for n in names]
        )

    # Eleven departments adopt on dates staggered over the three years.
    span = (ctx.today - relativedelta(months=3) - ctx.program_start).days
    for rank, (site_index, department_index) in enumerate(ADOPTERS):
        department = departments[site_index][department_index]
        department.launched_on = ctx.program_start + timedelta(days=span * rank // len(ADOPTERS))
        if rank == ENDED_ADOPTER:
            department.ended_on = ctx.today - relativedelta(months=4)
        department.save(update_fields=["launched_on", "ended_on"])
        ctx.adopters.append(department)

    flat = [d for site_departments in departments for d in site_departments]
    number = 0
    for department, size in zip(flat, DEPARTMENT_SIZES, strict=True):
        for _ in range(size):
            number += 1
            started_on = ended_on = None
            dice = rng.random()
            if dice < 0.15:
                started_on = ctx.program_start + timedelta(days=rng.randrange(1, 3 * 365))
            elif dice < 0.25:
                ended_on = ctx.program_start + timedelta(days=rng.randrange(1, 3 * 365 - 30))
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            services.physician_create(
                actor=director,
                physician_id=f"P{number:05d}",
                department=department,
                name=name,
                email=f"p{number:05d}@example.org",
                started_on=started_on,
                ended_on=ended_on,
            )

    _cast(ctx, director=director, lead_department=ctx.adopters[0])
    _supporters(ctx)


def grant_cast_roles(accounts: dict[str, User], *, lead_department: Department) -> None:
    """The director makes the coordinator coordinate the lead department's site and the lead
    lead that department (the demo's cast and the program at scale's)."""
    director = accounts["director"]
    services.role_grant(
        actor=director,
        user=accounts["coordinator"],
        role=RoleAssignment.Role.COORDINATOR,
        site=lead_department.site,
    )
    services.role_grant(
        actor=director,
        user=accounts["lead"],
        role=RoleAssignment.Role.LEAD,
        department=lead_department,
    )


def _cast(ctx: DemoContext, *, director: User, lead_department: Department) -> None:
    """The demo accounts: each role, in the first adopting department and its site."""
    ctx.accounts["director"] = director
    for role, email, name in ACCOUNTS[1:]:
        ctx.accounts[role] = _account(email=email, name=name)
    grant_cast_roles(ctx.accounts, lead_department=lead_department)
    for role in ("supporter", "physician"):
        user = ctx.accounts[role]
        services.physician_create(
            actor=director,
            physician_id=f"DEMO-{role.upper()}",
            department=lead_department,
            name=user.name,
            email=user.email,
        )


def _launch_day(department: Department) -> date:
    if department.launched_on is None:
        raise ValueError(f"{department} has not launched the program")
    return department.launched_on


def _supporters(ctx: DemoContext) -> None:
    """About sixty supporters, trained in the adopting departments after each launch."""
    rng = ctx.rng
    demo_supporter = Physician.objects.get(physician_id="DEMO-SUPPORTER")
    services.supporter_activate(
        actor=ctx.director,
        physician=demo_supporter,
        activated_on=_launch_day(ctx.adopters[0]) + timedelta(days=30),
        bio="Emergency physician; happy to talk by phone any evening.",
    )
    for department, count in zip(ctx.adopters, SUPPORTERS_PER_ADOPTER, strict=True):
        candidates = list(
            Physician.objects.filter(department=department, ended_on__isnull=True)
            .exclude(physician_id__startswith="DEMO-")
            .order_by("physician_id")
        )
        for physician in rng.sample(candidates, count):
            activated_on = _launch_day(department) + timedelta(days=rng.randrange(0, 120))
            supporter = services.supporter_activate(
                actor=ctx.director,
                physician=physician,
                activated_on=min(activated_on, ctx.today),
                bio=f"{department.name} physician at {department.site.name}.",
            )
            if rng.random() < 0.08:
                supporter.status = PeerSupporter.Status.PAUSED
                supporter.save(update_fields=["status"])
