"""Spanish alongside English: the catalog is complete and current, every page a member can
open reads in Spanish, and the language is chosen per user, remembered, or the browser's."""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from post_program.models import AuditEvent

from .conftest import MEMBERS
from .permission_table import all_rows
from .spanish import stored_words, untranslated

CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_the_spanish_catalog_has_no_untranslated_or_fuzzy_message():
    catalog = polib.pofile(str(CATALOG))
    assert not catalog.metadata_is_fuzzy
    assert [entry.msgid for entry in catalog.untranslated_entries()] == []
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []
    assert catalog.obsolete_entries() == []
    assert len(catalog) > 1000


def test_the_compiled_catalog_is_the_catalog():
    """The .mo the server reads holds exactly the .po's translations (`make messages`)."""
    source = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.pofile(str(CATALOG))}
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.mofile(str(CATALOG.with_suffix(".mo")))
        if e.msgid
    }
    assert compiled == source


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_string_marked_for_translation_is_in_the_catalog(tmp_path, settings, monkeypatch):
    """makemessages over the sources finds no message the catalog lacks, nor one it no longer
    needs."""
    monkeypatch.chdir(settings.BASE_DIR)
    copy = tmp_path / "es" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copy(CATALOG, copy)
    settings.LOCALE_PATHS = [tmp_path]
    call_command("makemessages", locale=["es"], verbosity=0)
    fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(copy))}
    committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(CATALOG))}
    assert sorted(fresh - committed, key=str) == []
    assert sorted(committed - fresh, key=str) == []


@pytest.mark.django_db
def test_every_page_reads_in_spanish(cast):
    """Each page of the permission table, opened by a member who may, shows no English the
    Spanish page does not translate (data the database holds aside)."""
    pages: dict[str, tuple[str, str]] = {}
    for row in all_rows():
        if row.method != "get" or row.name in pages:
            continue
        member = next((m for m in MEMBERS if row.status_for(m) == 200), None)
        if member is None:
            continue
        client = cast.client(member)
        url = reverse(row.name, kwargs=row.kwargs(cast))
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        if "text/html" not in english.get("Content-Type", "") or english.streaming:
            continue
        spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert spanish["Content-Language"] == "es", row.name
        pages[row.name] = (english.content.decode(), spanish.content.decode())
    data = stored_words()
    left = {
        name: found
        for name, (english, spanish) in pages.items()
        if (found := untranslated(english, spanish, data))
    }
    assert not left, "\n".join(f"{name}: {found}" for name, found in sorted(left.items()))
    assert len(pages) > 60


@pytest.mark.django_db
def test_the_error_pages_read_in_spanish(cast):
    client = cast.client("physician")
    english = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    spanish = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.status_code == 404
    # The member's email in the navigation is data, as on every other page.
    data = stored_words()
    assert untranslated(english.content.decode(), spanish.content.decode(), data) == []


@pytest.mark.django_db
def test_a_visitor_reads_the_language_their_browser_prefers():
    client = Client()
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert page["Content-Language"] == "es"
    assert '<html lang="es">' in page.content.decode()
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr, en;q=0.5")
    assert page["Content-Language"] == "en"


@pytest.mark.django_db
def test_a_visitor_s_choice_beats_the_browser_s_preference():
    client = Client()
    client.post(reverse("language_set"), {"language": "es", "next": reverse("help_now")})
    page = client.get(reverse("help_now"), HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "es"


@pytest.mark.django_db
def test_a_user_s_choice_is_remembered_on_every_device(cast):
    first = cast.client("physician")
    response = first.post(reverse("language_set"), {"language": "es", "next": "/help/"})
    assert response.status_code == 302 and response["Location"] == "/help/"
    cast.physician.refresh_from_db()
    assert cast.physician.language == "es"
    event = AuditEvent.objects.get(action="user.language_set")
    assert event.detail == {"old": "", "new": "es"}
    # Another browser, no cookie, an English-speaking browser: the account's choice wins.
    other = cast.client("physician")
    page = other.get(reverse("home_physician"), HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "es"
    assert "Cerrar sesión" in page.content.decode()
    # Someone else on an English browser still reads English.
    page = cast.client("lead").get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert page["Content-Language"] == "en"


@pytest.mark.django_db
def test_a_language_the_program_does_not_offer_changes_nothing(cast):
    client = cast.client("physician")
    client.post(reverse("language_set"), {"language": "fr", "next": "/help/"})
    cast.physician.refresh_from_db()
    assert cast.physician.language == ""
    assert not AuditEvent.objects.filter(action="user.language_set").exists()
    assert client.get("/help/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"


@pytest.mark.django_db
def test_the_language_choice_goes_back_only_to_this_site(cast):
    response = cast.client("physician").post(
        reverse("language_set"), {"language": "es", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")
