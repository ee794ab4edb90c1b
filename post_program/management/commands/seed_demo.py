"""Load the demo program and print a sign-in for each role."""

from __future__ import annotations

import random
from datetime import date

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from post_program.app_modules import app_seeders
from post_program.demo import ACCOUNTS, DEMO_PASSWORD, DemoContext
from post_program.models import Site


class Command(BaseCommand):
    help = "Build the demo program (deterministic for a given --seed and --today)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2019)
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)"
        )

    def handle(self, *args, seed: int, today: date | None, **options):
        if Site.objects.exists():
            self.stdout.write("The database already holds a program; the demo was not loaded.")
        else:
            ctx = DemoContext(today=today or timezone.localdate(), rng=random.Random(seed))
            with transaction.atomic():
                for module in app_seeders("demo"):
                    module.seed(ctx)
            self.stdout.write(self.style.SUCCESS("Demo program loaded."))
        self.stdout.write(f"\nSign in at /accounts/login/ with password {DEMO_PASSWORD!r}:")
        for role, email, _ in ACCOUNTS:
            self.stdout.write(f"  {role:<12} {email}")
