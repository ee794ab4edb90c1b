"""The REST API keeps its contract: Schemathesis reads the OpenAPI schema the server serves at
/api/v1/schema/, generates calls to every operation from it, sends them to the real WSGI
application with a token holding every scope, and checks each answer against the schema:
its status code is one the operation documents, its content type and its body fit, and it is
never a server error.

Schema-valid data may still be refused with a 400 that the schema documents, because the
schema cannot say everything the checks do (a start before the end, a site that exists, a
physician on the department's roster): Schemathesis's "positive data is accepted" check is
left out for that reason, and the data is generated from the schema only (positive mode).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from post_program.models import ApiToken, RoleAssignment
from tests.api import token_for

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
schema.config.generation.update(modes=[GenerationMode.POSITIVE])

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_the_schema_describes_every_endpoint():
    operations = {
        f"{operation.method.upper()} {operation.path}"
        for result in schema.get_all_operations()
        for operation in [result.ok()]
    }
    assert operations == {
        "GET /api/v1/departments/",
        "GET /api/v1/roster/",
        "POST /api/v1/roster/",
        "GET /api/v1/report/",
        "POST /api/v1/events/",
    }


@pytest.fixture
def secret(cast, one_connection):
    """A token with every scope, of a director who also coordinates North (event intake)."""
    RoleAssignment.objects.create(
        user=cast.director, role=RoleAssignment.Role.COORDINATOR, site=cast.north
    )
    return token_for(cast.director, *ApiToken.Scope.values)


@pytest.mark.django_db
@override_settings(API_TOKEN_RATE="10000/minute")
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_fits_the_schema(case, secret):
    case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)
