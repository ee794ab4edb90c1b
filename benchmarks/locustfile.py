"""Referral submissions under load, for `benchmarks.size` (which starts gunicorn and runs this
headless once per user class).

Each user signs in through the sign-in page as one of the physician accounts in BENCH_ACCOUNTS
(comma-separated, one per user) with BENCH_PASSWORD, then posts without pause:
`SelfReferral` the request form for themself (a new submission key each time, as a new form
would carry), `FloorInsert` the benchmark's one-INSERT view. Only the posts are named `submit`.
"""

from __future__ import annotations

import itertools
import os
import uuid

from locust import HttpUser, constant, task

ACCOUNTS = itertools.cycle(os.environ.get("BENCH_ACCOUNTS", "").split(","))
PASSWORD = os.environ.get("BENCH_PASSWORD", "")


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


class SelfReferral(SignedIn):
    @task
    def submit(self) -> None:
        with self.client.post(
            "/referrals/request/",
            {
                "csrfmiddlewaretoken": self.client.cookies["csrftoken"],
                "for_whom": "self",
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


class FloorInsert(SignedIn):
    @task
    def submit(self) -> None:
        with self.client.post(
            "/bench/floor-insert/", name="submit", catch_response=True
        ) as response:
            if response.status_code != 204:
                response.failure(f"not stored: {response.status_code}")
