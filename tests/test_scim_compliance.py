"""scim2-tester's compliance checks (RFC 7643, RFC 7644) against the SCIM endpoints, served
by the project's own WSGI application in this process (scim2-client's WSGI engine)."""

from __future__ import annotations

import pytest
from django.core.wsgi import get_wsgi_application
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import Status, check_server

from post_program.provisioning import scim_client_create

pytestmark = pytest.mark.django_db


def test_scim2_tester_checks_all_pass(one_connection):
    _, token = scim_client_create(actor=None, name="scim2-tester")
    client = WSGISCIMClient(
        get_wsgi_application(),
        base_url="http://localhost/scim/v2",
        headers={"Authorization": f"Bearer {token}"},
    )
    results = check_server(client)
    failed = [
        f"{result.title} {result.resource_type or ''}: {result.reason}"
        for result in results
        if result.status not in (Status.SUCCESS, Status.SKIPPED)
    ]
    assert not failed, "\n".join(failed)
    assert sum(result.status == Status.SUCCESS for result in results) > 20
