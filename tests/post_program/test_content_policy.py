"""The Content-Security-Policy allows scripts and styles from this site only, and no template
needs more: no inline script, inline style or inline event handler anywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_every_page_carries_the_policy_and_the_permissions_policy(cast):
    for client, url in ((cast.client("anonymous"), "/help/"), (cast.client("director"), "/")):
        response = client.get(url, follow=True)
        policy = dict(
            directive.strip().split(" ", 1)
            for directive in response.headers["Content-Security-Policy"].split(";")
        )
        assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
        assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
        assert "unsafe" not in response.headers["Content-Security-Policy"]
        assert "camera=()" in response.headers["Permissions-Policy"]


def test_no_template_holds_inline_script_style_or_handlers():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        if template.name == "report_pdf.html":  # the PDF's source for WeasyPrint, never served
            continue
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{template.name}: {tag}")
        offenders += [f"{template.name}: style=" for _ in re.findall(r"\sstyle=", text)]
        offenders += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+=", text)]
        offenders += [f"{template.name}: hx-on" for _ in re.findall(r"hx-on", text)]
        offenders += [f"{template.name}: <style>" for _ in re.findall(r"<style\b", text)]
    assert not offenders
