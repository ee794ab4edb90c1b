"""Every page's title names the page once, then the program once ("Roster · POST"): never the
program twice, nor the page's name twice."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from .conftest import MEMBERS
from .permission_table import all_rows

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _check(title: str) -> None:
    page, _, program = title.rpartition(" · ")
    assert program == "POST", title
    assert page and "POST" not in page, title
    assert page.casefold() != program.casefold(), title
    parts = [part.strip().casefold() for part in re.split(r"[·—|-]", page)]
    assert len(parts) == len(set(parts)), title


@pytest.mark.django_db
def test_every_page_s_title_names_it_and_the_program_once(cast):
    checked = 0
    for row in all_rows():
        if row.method != "get":
            continue
        member = next((m for m in MEMBERS if row.status_for(m) == 200), None)
        if member is None:
            continue
        response = cast.client(member).get(reverse(row.name, kwargs=row.kwargs(cast)))
        if "text/html" not in response.get("Content-Type", "") or response.streaming:
            continue
        found = TITLE.search(response.content.decode())
        if found is None:  # a fragment (htmx) or a file
            continue
        _check(" ".join(found.group(1).split()))
        checked += 1
    assert checked > 40


def test_the_error_page_s_title_is_not_doubled():
    _check(" ".join(TITLE.search(render_to_string("500.html")).group(1).split()))


@pytest.mark.django_db
def test_the_physician_home_is_not_peer_support_twice(cast):
    text = cast.client("physician").get(reverse("home_physician")).content.decode()
    assert TITLE.search(text).group(1) == "Peer support · POST"
