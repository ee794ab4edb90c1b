"""The director makes an API token in Chromium, reads it once, and an integration calls the API
with it; the API's docs page draws every operation from the vendored Swagger UI under the
site's content security policy."""

from __future__ import annotations

import pytest

from post_program.models import ApiToken, AuditEvent, RoleAssignment
from tests import factories

from .conftest import _watch_policy, signed_in


@pytest.fixture
def program(transactional_db, live_server):
    north = factories.SiteFactory(name="North Hospital")
    factories.DepartmentFactory(site=north, name="Emergency")
    director = factories.UserFactory(email="dana@example.org", name="Dana Director")
    factories.RoleAssignmentFactory(user=director, role=RoleAssignment.Role.DIRECTOR)
    return director


def test_the_director_makes_a_token_that_an_integration_calls_with(browser, live_server, program):
    context, page = signed_in(browser, live_server, program, factories.PASSWORD)
    page.get_by_role("link", name="API tokens").first.click()
    page.get_by_label("Name").fill("BI report")
    page.get_by_label("report:read: the RE-AIM report, suppressed").check()
    page.get_by_role("button", name="Create token").click()
    shown = page.get_by_label("Token")
    shown.wait_for()
    secret = shown.input_value()
    assert secret.startswith("post_")
    assert ApiToken.objects.get().name == "BI report"

    answer = page.request.get(
        "/api/v1/report/?start=2024-01-01&end=2024-12-31",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status == 200
    assert answer.json()["suppression"]["threshold"] == 11
    assert AuditEvent.objects.filter(action="api.token.use").count() == 1

    page.goto("/program/api-tokens/")
    assert secret not in page.content()  # shown once
    page.get_by_role("button", name="Revoke BI report").click()
    page.get_by_text("is revoked").wait_for()
    refused = page.request.get(
        "/api/v1/departments/", headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status == 401
    context.close()


def test_the_docs_page_draws_every_operation_under_the_policy(browser, live_server, program):
    # Swagger UI is a third party's page: watched for the policy, not for accessibility.
    context = browser.new_context(base_url=live_server.url)
    context.on("page", _watch_policy)
    page = context.new_page()
    page.goto("/api/v1/docs/")
    operations = page.locator(".opblock-summary-path")
    operations.first.wait_for()
    paths = sorted(set(operations.all_inner_texts()))
    assert [path.replace("\u200b", "") for path in paths] == [
        "/api/v1/departments/",
        "/api/v1/events/",
        "/api/v1/report/",
        "/api/v1/roster/",
    ]
    context.close()
