"""Every email leaves through post_program.mail: one home for composing and sending."""

from __future__ import annotations

import ast
from pathlib import Path

from django.core import mail

from post_program.mail import email_compose, email_connection, email_send

ROOT = Path(__file__).resolve().parents[2]
APPS = ["post_program", "surveys", "training", "interactions", "reporting"]
SENDERS = {
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "get_connection",
    "EmailMessage",
    "EmailMultiAlternatives",
}


def test_a_message_goes_from_the_program_address_to_one_recipient(settings):
    settings.DEFAULT_FROM_EMAIL = "post@example.org"
    mail.outbox.clear()
    email_send(email_compose(to="a@example.org", subject="Hello", body="Sign in to read it."))
    email_send(
        email_compose(to="b@example.org", subject="Again", body="-"), connection=email_connection()
    )
    assert [(m.from_email, m.to, m.subject) for m in mail.outbox] == [
        ("post@example.org", ["a@example.org"], "Hello"),
        ("post@example.org", ["b@example.org"], "Again"),
    ]


def test_no_other_module_composes_or_sends_email():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path == ROOT / "post_program" / "mail.py" or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call):
                    func = node.func
                    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                    if name in SENDERS:
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert not offenders
