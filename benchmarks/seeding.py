"""The program the benchmark measures, built by one function (`seed`).

It runs `manage.py seed_scale --scale F` where the project has that command, the regional
program at F times size L (20 sites, 400 departments, 100,000 physicians, 4,000 supporters,
1,000,000 interactions, 300,000 referrals, 100,000 survey responses over 5 years). Without it,
the demo program (`seed_demo`) stands in at every size: the harness runs end to end, but its
figures do not grow with the size and the results say which seeder built them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import StringIO

from django.core.management import call_command, get_commands

from post_program.demo import DEMO_PASSWORD

YEARS = 5
SEED = 2019


@dataclass(frozen=True)
class Seeded:
    """What the seeder built that the benchmark signs in with."""

    seeder: str
    director: str
    lead: str
    password: str = DEMO_PASSWORD


def seed(scale: float, end: date) -> Seeded:
    """Build the program at `scale` (1 = size L) ending on `end`, in the empty database."""
    if "seed_scale" in get_commands():
        call_command(
            "seed_scale",
            "--scale",
            str(scale),
            "--years",
            str(YEARS),
            "--end",
            end.isoformat(),
            "--seed",
            str(SEED),
            stdout=StringIO(),
        )
        return Seeded(
            seeder="seed_scale",
            director="director@scale.example.org",
            lead="lead@scale.example.org",
        )
    call_command("seed_demo", "--seed", str(SEED), "--today", end.isoformat(), stdout=StringIO())
    return Seeded(seeder="seed_demo", director="director@example.org", lead="lead@example.org")
