"""403, 404 and 500 are pages of the site, in its layout, with a way home; the 500 page renders
without a request (Django renders it with no context at all)."""

from __future__ import annotations

import pytest
from django.template import loader
from django.test import Client


def assert_site_page(response, status: int, heading: str) -> None:
    assert response.status_code == status
    html = response.content.decode()
    assert "css/post.css" in html  # the site's stylesheet, hence its layout
    assert heading in html
    assert 'href="/"' in html  # the way home
    assert 'href="/help/"' in html  # crisis help stays one click away


@pytest.mark.django_db
def test_an_unknown_address_is_the_sites_404_page(cast):
    response = cast.client("physician").get("/no/such/page/")
    assert_site_page(response, 404, "Page not found")


@pytest.mark.django_db
def test_a_forbidden_page_is_the_sites_403_page(cast):
    response = cast.client("physician").get("/program/audit/")
    assert_site_page(response, 403, "Not allowed")


@pytest.mark.django_db
@pytest.mark.urls("tests.post_program.error_urls")
def test_a_failing_view_is_the_sites_500_page(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/fail/")
    assert_site_page(response, 500, "Something went wrong")
    assert "a fault in a view" not in response.content.decode()


def test_the_500_page_renders_without_a_request_or_context():
    html = loader.get_template("500.html").render()
    assert "Something went wrong" in html and 'href="/"' in html
