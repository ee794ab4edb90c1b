"""Referral submissions under load, for `benchmarks.size` (which starts gunicorn and runs this
headless once per user class).

Each user signs in through the sign-in page as one of the physician accounts in BENCH_ACCOUNTS
(comma-separated, one per user) with BENCH_PASSWORD, then posts without pause:

- `SelfReferral`: the request form for themself, with a new submission key each time as a new
  form would carry. The first opens a referral; the others join it, as a physician with an open
  referral keeps it.
- `ColleagueReferral`: the request form for a colleague on the roster, the next of the file
  BENCH_COLLEAGUES (physician ids, one a line), so each opens a new referral until the list
  comes round again.
- `FloorInsert`: the benchmark's one-INSERT view.

Only the posts are named `submit`.
"""

from __future__ import annotations

import itertools
import os
import uuid
from pathlib import Path

from locust import HttpUser, constant, task

ACCOUNTS = itertools.cycle(os.environ.get("BENCH_ACCOUNTS", "").split(","))
PASSWORD = os.environ.get("BENCH_PASSWORD", "")
COLLEAGUES = itertools.cycle(
    Path(os.environ["BENCH_COLLEAGUES"]).read_text().split()
    if os.environ.get("BENCH_COLLEAGUES")
    else [""]
)


class SignedIn(HttpUser):
    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        self.client.get("/accounts/login/", name="sign-in page")
        response = self.client.post(
            "/accounts/login/",
            {
                "login": next(ACCOUNTS),
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.client.cookies["csrftoken"],
            },
            allow_redirects=False,
            name="sign in",
        )
        if response.status_code != 302 or "sessionid" not in self.client.cookies:
            raise RuntimeError(f"sign-in failed: {response.status_code}")


class RequestForm(SignedIn):
    abstract = True
    for_colleague = False  # for oneself unless a subclass says otherwise

    @task
    def submit(self) -> None:
        whom = (
            {"for_whom": "colleague", "colleague": next(COLLEAGUES)}
            if self.for_colleague
            else {"for_whom": "self"}
        )
        with self.client.post(
            "/referrals/request/",
            {
                "csrfmiddlewaretoken": self.client.cookies["csrftoken"],
                **whom,
                "reason": "adverse_event",
                "urgency": "routine",
                "contact_method": "any",
                "department_preference": "none",
                "submission_key": str(uuid.uuid4()),
            },
            allow_redirects=False,
            name="submit",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"not accepted: {response.status_code}")


class SelfReferral(RequestForm):
    pass


class ColleagueReferral(RequestForm):
    for_colleague = True


class FloorInsert(SignedIn):
    @task
    def submit(self) -> None:
        with self.client.post(
            "/bench/floor-insert/", name="submit", catch_response=True
        ) as response:
            if response.status_code != 204:
                response.failure(f"not stored: {response.status_code}")
