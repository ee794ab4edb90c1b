"""Every URL in the project has a row, and every member of the cast gets what the row says."""

from __future__ import annotations

import copy

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import MEMBERS, Cast, cast_build
from .module_data import Kept, kept_for_the_module
from .permission_table import all_rows

ROWS = all_rows()

# Third-party URL groups: their own test suites cover them; the rows above cover the pages a
# user of this project reaches (sign-in, sign-up, reset, MFA, admin index).
THIRD_PARTY_PREFIXES = ("allauth.", "django.contrib.admin")


PUBLIC_REDIRECTS = {"home", "language_set"}


def _named_patterns(patterns=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            module = getattr(pattern.urlconf_module, "__name__", "")
            if module.startswith(THIRD_PARTY_PREFIXES) or pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            if not pattern.name:
                raise AssertionError(f"URL pattern {pattern.pattern} has no name")
            names.add(namespace + pattern.name)
    return names


def test_every_project_url_has_a_row():
    covered = {row.name for row in ROWS}
    missing = sorted(_named_patterns() - covered)
    assert not missing, f"URLs without a permission-table row: {missing}"


@pytest.fixture(scope="module")
def _one_cast(django_db_setup, django_db_blocker):
    """The cast is written once for the table's many cases (tests/module_data.py)."""
    with kept_for_the_module(django_db_blocker, cast_build) as kept:
        yield kept


@pytest.fixture
def cast(_one_cast: Kept[Cast], db, _names_stay_inside) -> Cast:
    """The shared cast, its rows as written; a copy of its objects, so that nothing one case
    caches on them reaches the next."""
    _names_stay_inside.learn(_one_cast.watch)
    return copy.deepcopy(_one_cast.data)


@pytest.mark.parametrize("member", MEMBERS)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.method}:{row.name}")
def test_permission_table(cast, row, member):
    client = cast.client(member)
    url = reverse(row.name, kwargs=row.kwargs(cast))
    response = getattr(client, row.method)(url, row.data(cast))
    assert response.status_code == row.status_for(member), (
        f"{member} {row.method.upper()} {url}: got {response.status_code}"
    )
    # An anonymous visitor's redirect is to sign in, except where the page sends everyone back
    # (home to its sign-in, the language choice to the page it was made on).
    if response.status_code == 302 and member == "anonymous" and row.name not in PUBLIC_REDIRECTS:
        assert response["Location"].startswith(reverse("account_login")) or row.name.startswith(
            "admin:"
        )
