"""Build a program of any size, fast, for the benchmarks, and print a sign-in for each role."""

from __future__ import annotations

import time
from dataclasses import fields, replace
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from post_program.app_modules import app_seeders
from post_program.demo import DEMO_PASSWORD
from post_program.models import FIRST_DAY, LAST_DAY, Site
from post_program.scale import ACCOUNTS, L, ScaleContext


class Command(BaseCommand):
    help = (
        "Build a program at regional scale (L: 20 sites, 400 departments, 100,000 physicians, "
        "4,000 supporters, 1,000,000 interactions, 300,000 referrals, 100,000 survey "
        "responses), deterministic for a given --seed and --end."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="Fraction of L (default 1).")
        for f in fields(L):
            parser.add_argument(
                f"--{f.name}", type=int, default=None, help=f"Override (L: {getattr(L, f.name)})."
            )
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument(
            "--end", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--seed", type=int, default=2019)

    def handle(self, *args, scale: float, years: int, end: date | None, seed: int, **options):
        if scale <= 0 or years < 1:
            raise CommandError("--scale must be above 0 and --years at least 1.")
        sizes = L.scaled(scale)
        overrides = {f.name: options[f.name] for f in fields(L) if options[f.name] is not None}
        if any(value < 0 for value in overrides.values()):
            raise CommandError("Sizes cannot be negative.")
        sizes = replace(sizes, **overrides)
        if min(sizes.sites, sizes.departments, sizes.physicians) < 1:
            raise CommandError("A program needs at least one site, department and physician.")
        if sizes.departments < sizes.sites:
            raise CommandError("Give every site a department: --departments >= --sites.")
        if sizes.supporters < 1 and (sizes.interactions or sizes.referrals):
            raise CommandError("Interactions and referrals need at least one supporter.")
        if Site.objects.exists():
            raise CommandError(
                "The database already holds a program; seed_scale needs an empty one."
            )
        ctx = ScaleContext(sizes=sizes, end=end or timezone.localdate(), years=years, seed=seed)
        if ctx.start < FIRST_DAY or ctx.end > LAST_DAY:
            raise CommandError(
                f"The program would run from {ctx.start} to {ctx.end}; the program's dates lie "
                f"within {FIRST_DAY} and {LAST_DAY}."
            )
        started = time.perf_counter()
        with transaction.atomic():
            for module in app_seeders("scale"):
                module.seed(ctx)
        total = time.perf_counter() - started
        self.stdout.write(f"{'table':<36} {'rows':>10} {'seconds':>8}")
        for timing in ctx.timings:
            self.stdout.write(f"{timing.table:<36} {timing.rows:>10} {timing.seconds:>8.1f}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Program at scale loaded ({ctx.start} to {ctx.end}) in {total:.1f} s."
            )
        )
        self.stdout.write(f"\nSign in at /accounts/login/ with password {DEMO_PASSWORD!r}:")
        for role, email, _ in ACCOUNTS:
            self.stdout.write(f"  {role:<12} {email}")
