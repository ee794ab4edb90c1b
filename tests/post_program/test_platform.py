"""Settings, background jobs, pages and the demo: the platform every feature stands on."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from post_program import jobs
from post_program.celery import app as celery_app
from post_program.context_processors import crisis_resources
from post_program.models import Department, PeerSupporter, Physician, RoleAssignment, User

ROOT = Path(__file__).resolve().parents[2]


PROD = {
    "DJANGO_SETTINGS_MODULE": "post_program.settings.prod",
    "SECRET_KEY": "k" * 20 + "-a-long-and-random-enough-production-secret-value",
    "PSEUDONYM_KEY": "p" * 20 + "-a-long-and-random-pseudonym-key",
    "MFA_ENCRYPTION_KEY": "bWZhLWVuY3J5cHRpb24ta2V5LTMyLWJ5dGVzLWxvbmc=",
    "ALLOWED_HOSTS": "post.example.org",
    "DATABASE_URL": "sqlite:////tmp/post-check-deploy.sqlite3",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "SITE_URL": "https://post.example.org",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def _run(argv: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run `argv` in the project with `env` and none of the configuration of this process."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {*PROD, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, *argv],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return _run(["manage.py", *args], **env)


@pytest.mark.parametrize("missing", sorted(set(PROD) - {"DJANGO_SETTINGS_MODULE"}))
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {key: value for key, value in PROD.items() if key != missing}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        # Mail that is printed, kept in memory, dropped or written to a file never arrives.
        ("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend", "only prints"),
        ("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend", "never delivers"),
        ("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend", "never delivers"),
        ("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend", "never delivers"),
        ("SITE_URL", "post.example.org", "scheme://host"),
        ("SITE_URL", "ftp://post.example.org", "scheme://host"),
        ("REDIS_URL", "localhost:6379", "redis://"),
        ("MFA_ENCRYPTION_KEY", "not-a-key", "32 url-safe base64-encoded bytes"),
    ],
)
def test_production_refuses_a_setting_that_cannot_work(name, value, message):
    result = _manage("check", **{**PROD, name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr and message in result.stderr


@pytest.mark.parametrize("module", ["post_program.wsgi", "post_program.asgi"])
def test_a_server_started_without_settings_gets_production_and_its_checks(module):
    """Without DJANGO_SETTINGS_MODULE a server must not come up as the development site
    (debug pages, a published key, printed mail): it loads production, which asks for secrets."""
    result = _run(["-c", f"import {module}"])
    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment for production" in result.stderr
    assert _run(["-c", f"import {module}"], **PROD).returncode == 0


def test_the_celery_app_defaults_to_production_settings():
    code = "import post_program.celery, os; print(os.environ['DJANGO_SETTINGS_MODULE'])"
    result = _run(["-c", code])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "post_program.settings.prod"


def test_production_settings_pass_the_deployment_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PROD)
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_crisis_resources_come_from_the_setting():
    """Until the director saves the settings page, the environment's resources are shown."""
    with override_settings(CRISIS_RESOURCES="Line A|tel:111; Line B|https://b.test ;"):
        assert crisis_resources() == [
            {"label": "Line A", "link": "tel:111"},
            {"label": "Line B", "link": "https://b.test"},
        ]


@pytest.mark.parametrize(
    "url_name", ["account_login", "account_signup", "help_now", "home_physician"]
)
def test_every_page_shows_help_and_loads_nothing_from_outside(cast, url_name):
    client = cast.client("physician" if url_name == "home_physician" else "anonymous")
    with override_settings(CRISIS_RESOURCES="Hotline Z|tel:555"):
        page = client.get(reverse(url_name)).content.decode()
    assert "Need help now?" in page and 'href="tel:555"' in page
    assets = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', page)
    assert assets, "the page should load its stylesheet and scripts"
    assert all(asset.startswith("/static/") for asset in assets), assets
    # Landmarks and the skip link for keyboard and screen reader users.
    assert 'href="#main"' in page and '<main id="main"' in page and "<nav" in page


def test_vendored_assets_exist_for_every_static_reference():
    templates = (ROOT / "templates").rglob("*.html")
    referenced = {
        match
        for template in templates
        for match in re.findall(r"{% static '([^']+)' %}", template.read_text())
    }
    assert referenced
    missing = [path for path in referenced if not (ROOT / "static" / path).is_file()]
    assert not missing


CALLS: list[tuple] = []


@celery_app.task(name="tests.record_call")
def _record_call(*args):
    CALLS.append(args)


@pytest.mark.django_db(transaction=True)
def test_enqueue_waits_for_commit_and_takes_ids_only():
    CALLS.clear()
    with transaction.atomic():
        jobs.enqueue_on_commit("tests.record_call", 7, 8)
        assert CALLS == []
    assert CALLS == [(7, 8)]
    for bad in ("Jane Doe", User(email="x@example.org"), True, 1.5):
        with pytest.raises(TypeError, match="identifiers only"):
            jobs.enqueue_on_commit("tests.record_call", bad)
    with pytest.raises(LookupError, match=r"tests\.no_such_task"):
        jobs.enqueue_on_commit("tests.no_such_task", 1)
    assert CALLS == [(7, 8)]


def test_every_task_a_service_names_is_registered():
    """Services queue work by name: each name they use is a task Celery knows."""
    names = {
        name
        for path in ROOT.glob("*/**/*.py")
        if "tests" not in path.parts and ".venv" not in path.parts
        for name in re.findall(r'enqueue_on_commit\(\s*"([^"]+)"', path.read_text())
    }
    assert names
    assert names <= set(celery_app.tasks), names - set(celery_app.tasks)


def test_celery_is_configured_from_django_settings():
    from post_program.celery import app

    assert app.main == "post_program"
    assert app.conf.task_serializer == "json"
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


def test_demo_program_has_the_shape_of_the_reference_program(demo_program):
    assert Department.objects.values("site").distinct().count() == 2
    assert Department.objects.count() == 20
    adopters = Department.objects.exclude(launched_on=None)
    assert adopters.count() == 11
    launches = sorted(adopters.values_list("launched_on", flat=True))
    assert launches[0] >= date(2023, 6, 30) and launches[-1] <= date(2026, 6, 30)
    assert len(set(launches)) == 11, "launches are staggered"
    assert 800 <= Physician.objects.count() <= 900
    assert 55 <= PeerSupporter.objects.count() <= 65
    # Every supporter works in an adopting department and was activated after its launch.
    for supporter in PeerSupporter.objects.select_related("physician__department"):
        department = supporter.physician.department
        assert department.launched_on and supporter.activated_on >= department.launched_on


def test_demo_accounts_sign_in_to_their_own_homes(demo_program, client):
    homes = {
        "director": "home_director",
        "coordinator": "home_coordinator",
        "lead": "home_lead",
        "supporter": "home_supporter",
        "physician": "home_physician",
    }
    for role, home in homes.items():
        client.logout()
        assert client.login(email=f"{role}@example.org", password="peer-support-demo")
        assert client.get(reverse("home"))["Location"] == reverse(home)
        assert client.get(reverse(home)).status_code == 200
    assert RoleAssignment.objects.count() == 3


@pytest.mark.parametrize("port", ["8000", "8123"])
def test_the_demo_links_its_emails_to_the_port_it_serves_on(port):
    """`make demo PORT=...` serves on that port, so the links in its emails must point there."""
    commands = subprocess.run(  # noqa: S603 - fixed arguments
        ["make", "-n", "demo", f"PORT={port}"],  # noqa: S607 - make from PATH
        cwd=ROOT,
        env={key: value for key, value in os.environ.items() if key != "SITE_URL"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    serve = [line for line in commands if "runserver" in line]
    assert serve and f"runserver 127.0.0.1:{port}" in serve[0]
    assert f"SITE_URL=http://127.0.0.1:{port} " in serve[0], serve[0]


def test_demo_loads_once(demo_program):
    count = Physician.objects.count()
    out = mock.MagicMock()
    call_command("seed_demo", "--today", "2026-06-30", stdout=out)
    assert "already holds a program" in str(out.write.call_args_list)
    assert Physician.objects.count() == count


def test_demo_is_deterministic_and_its_export_round_trips(tmp_path):
    """Two fresh databases built from the same seed and day export the same program; that
    export imported into an empty database comes out identical, with the same report."""

    def run(database: str, *commands: list[str]) -> list[str]:
        env = {
            "DJANGO_SETTINGS_MODULE": "post_program.settings.test",
            "DATABASE_URL": f"sqlite:///{tmp_path / database}.sqlite3",
        }
        outputs = []
        for command in (["migrate", "--noinput"], *commands):
            result = _manage(*command, **env)
            assert result.returncode == 0, result.stderr
            outputs.append(result.stdout)
        return outputs

    def exported(name: str) -> dict[str, str]:
        return {path.name: path.read_text() for path in sorted((tmp_path / name).iterdir())}

    report = ["reaim_report", "--start", "2023-07-01", "--end", "2026-06-30"]
    seeded = ["seed_demo", "--today", "2026-06-30"]
    first = run("one", seeded, ["export_program", str(tmp_path / "one"), "--identified"], report)
    run("two", seeded, ["export_program", str(tmp_path / "two"), "--identified"])
    assert exported("one")["physicians.csv"].count("\n") > 800
    assert exported("one") == exported("two")

    again = run(
        "three",
        ["import_program", str(tmp_path / "one")],
        ["export_program", str(tmp_path / "three"), "--identified"],
        report,
    )
    assert exported("three") == exported("one")

    def figures(output: str) -> dict:
        data = json.loads(output)
        data.pop("generated_at")
        data.pop("prism")  # context notes are not among the program files
        return data

    assert figures(again[-1]) == figures(first[-1])


def test_single_sign_on_is_configured_from_the_environment():
    show = (
        "from django.conf import settings;"
        "apps = settings.SOCIALACCOUNT_PROVIDERS.get('openid_connect', {}).get('APPS', []);"
        "print([(a['provider_id'], a['client_id'], a['settings']['server_url']) for a in apps])"
    )
    without = _manage("shell", "-c", show, DJANGO_SETTINGS_MODULE="post_program.settings.test")
    assert without.stdout.strip().endswith("[]"), without.stderr
    sso = _manage(
        "shell",
        "-c",
        show,
        DJANGO_SETTINGS_MODULE="post_program.settings.test",
        OIDC_CLIENT_ID="post-client",
        OIDC_SERVER_URL="https://idp.hospital.test/realms/staff",
        OIDC_PROVIDER_ID="hospital",
    )
    assert sso.stdout.strip().endswith(
        "[('hospital', 'post-client', 'https://idp.hospital.test/realms/staff')]"
    ), sso.stderr
