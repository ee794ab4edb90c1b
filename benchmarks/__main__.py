"""Timed figures for the pages and commands people wait on (`make bench`).

Builds the demo program in a scratch SQLite database (or in DATABASE_URL: use a throwaway
database), then times each page as the role who uses it. Figures are medians of several runs.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from io import StringIO

RUNS = 7


def _median_ms(action, runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> int:
    scratch = tempfile.mkdtemp(prefix="post-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "post_program.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from post_program.models import User

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", "--today", "2026-06-30", stdout=StringIO())
    print(f"seed_demo: {time.perf_counter() - started:.1f} s")

    lead = User.objects.get(email="lead@example.org")
    lead_department = lead.role_assignments.get(role="lead").department_id
    pages = [
        ("director@example.org", "home_director", {}),
        ("director@example.org", "roster_list", {}),
        ("director@example.org", "reporting:program_dashboard", {}),
        ("coordinator@example.org", "home_coordinator", {}),
        ("coordinator@example.org", "interactions:queue", {}),
        ("lead@example.org", "home_lead", {}),
        ("lead@example.org", "reporting:department_dashboard", {"pk": lead_department}),
        ("supporter@example.org", "home_supporter", {}),
        ("supporter@example.org", "interactions:case_list", {}),
        ("physician@example.org", "home_physician", {}),
    ]
    print(f"{'page':<32} {'as':<26} {'median ms':>9} {'queries':>8}")
    for email, name, kwargs in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(email=email))
        url = reverse(name, kwargs=kwargs)

        def get(client=client, url=url):
            assert client.get(url).status_code == 200

        queries: list[str] = []

        def count(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            get()
        print(f"{name:<32} {email:<26} {_median_ms(get):>9.1f} {len(queries):>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
