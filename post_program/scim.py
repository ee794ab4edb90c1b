"""SCIM 2.0 provisioning (RFC 7643, RFC 7644) under /scim/v2/: an identity provider creates,
updates and deactivates accounts (docs/scim.md).

scim2-server speaks the protocol (discovery, filters, paging, PATCH, PUT, errors); this module
tells it what a User of this program holds (the resource models and the service's
configuration), stores the users through `post_program.provisioning` (the storage below), and
turns Django requests into its requests (the view). Every request needs the bearer token of a
SCIM client (`manage.py scim_token create`); a signed-in session is no credential here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, cast

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from pydantic import EmailStr
from scim2_models import (
    URN,
    AnyExtension,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ComplexAttribute,
    ETag,
    Extension,
    External,
    Filter,
    InvalidFilterException,
    Meta,
    NotFoundException,
    Patch,
    Reference,
    Required,
    Resource,
    ResourceType,
    ResponseParameters,
    SCIMException,
    ScimPolicy,
    ScimProvider,
    SearchRequest,
    ServiceProviderConfig,
    Sort,
    UnauthorizedException,
    Uniqueness,
    UniquenessException,
)
from scim2_models import Email as StandardEmail
from scim2_models.path.expressions import (
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
)
from scim2_server.handler import ScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import SCIM_MEDIA_TYPE
from scim2_server.service import ScimService
from scim2_server.storage import ScimStorage, SearchPage

from .models import ScimClient, ScimIdentity
from .provisioning import (
    AccountValues,
    ProvisioningConflict,
    account_provision,
    account_unprovision,
    account_update,
    scim_client_for_token,
)

MAX_RESULTS = 200


class Name(ComplexAttribute):
    """The name parts the program keeps: the account's name is made of them."""

    given_name: str | None = None
    family_name: str | None = None


class Email(ComplexAttribute):
    """An email of the user; the primary one (or the only one) is the account's email."""

    value: Annotated[EmailStr | None, Required.true] = None
    display: str | None = None
    type: StandardEmail.Type | None = None
    primary: bool | None = None


class User(Resource[AnyExtension]):
    """A sign-in account of the program."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:User")

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    name: Name | None = None
    display_name: str | None = None
    active: Annotated[bool | None, Required.true] = None
    emails: Annotated[list[Email] | None, Required.true] = None


class EnterpriseUser(Extension):
    """The employee number is the physician ID of the roster entry the account is linked to."""

    __schema__ = URN("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")

    employee_number: str | None = None


BEARER_TOKEN = AuthenticationScheme(
    type=AuthenticationScheme.Type.oauthbearertoken,
    name="Bearer token",
    description="The token of a SCIM client, created with manage.py scim_token create.",
    spec_uri=Reference[External]("https://datatracker.ietf.org/doc/html/rfc6750"),
    primary=True,
)

PROVIDER = ScimProvider(
    models=[User, EnterpriseUser],
    resource_types=[ResourceType.from_resource(User[EnterpriseUser])],
    config=ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[BEARER_TOKEN],
    ),
    # What identity providers send in practice: Okta adds attributes the schema does not
    # declare (locale, groups, password), and Entra ID removes a value by naming it and
    # replaces the work email with a filter that may match no entry yet.
    policy=ScimPolicy(
        unknown=ScimPolicy.Unknown.ignore,
        remove_value_as_filter=ScimPolicy.RemoveValue.apply,
        unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
    ),
)
SERVICE = ScimService(PROVIDER)
UserResource = User[EnterpriseUser]

CORE = str(User.__schema__).lower()
ENTERPRISE = str(EnterpriseUser.__schema__).lower()
# The attributes a filter may name, and the column of each (RFC 7644 §3.4.2.2). `emails`
# filters on the account's email, the one that matters.
FILTER_COLUMNS = {
    "id": "scim_id",
    "username": "user_name",
    "externalid": "external_id",
    "displayname": "display_name",
    "name.givenname": "given_name",
    "name.familyname": "family_name",
    "emails": "user__email",
    "emails.value": "user__email",
    "active": "user__is_active",
    f"{ENTERPRISE}:employeenumber": "employee_number",
}
CASE_EXACT = {"external_id"}
TEXT_LOOKUPS = {"exact", "contains", "startswith", "endswith"}
LOOKUPS = {
    CompareOperator.eq: "exact",
    CompareOperator.co: "contains",
    CompareOperator.sw: "startswith",
    CompareOperator.ew: "endswith",
    CompareOperator.gt: "gt",
    CompareOperator.ge: "gte",
    CompareOperator.lt: "lt",
    CompareOperator.le: "lte",
}


def _column(node: Comparison | Present) -> str:
    path = str(node.attr_path).lower().removeprefix(f"{CORE}:")
    column = FILTER_COLUMNS.get(path)
    if column is None:
        raise InvalidFilterException(detail=f"Filtering on {node.attr_path} is not supported.")
    return column


def _q(node: FilterNode) -> Q:
    """The filter as a query on the identities (RFC 7644 §3.4.2.2)."""
    if isinstance(node, LogicalExpr):
        terms = [_q(term) for term in node.terms]
        query = terms[0]
        for term in terms[1:]:
            query = query & term if node.op == LogicalOperator.and_ else query | term
        return query
    if isinstance(node, Not):
        return ~_q(node.expr)
    if isinstance(node, Present):
        column = _column(node)
        return Q() if column == "user__is_active" else ~Q(**{column: ""})
    if isinstance(node, Comparison):
        column = _column(node)
        if node.op == CompareOperator.ne:
            return ~_q(Comparison(node.attr_path, CompareOperator.eq, node.value))
        if node.op not in LOOKUPS or isinstance(node.value, bool) != (column == "user__is_active"):
            raise InvalidFilterException(detail=f"{node} is not a comparison this server makes.")
        if column == "scim_id":  # an id that is no UUID is nobody's
            if node.op != CompareOperator.eq:
                raise InvalidFilterException(detail="An id can only be compared with eq.")
            scim_id = _uuid(node.value)
            return Q(scim_id=scim_id) if scim_id else Q(pk__in=[])
        lookup = LOOKUPS[node.op]
        if column not in CASE_EXACT and lookup in TEXT_LOOKUPS:
            lookup = f"i{lookup}"
        return Q(**{f"{column}__{lookup}": node.value})
    raise InvalidFilterException(detail="This filter is not supported.")


def _resource(identity: ScimIdentity) -> Resource[Any]:
    user = identity.user
    extension = EnterpriseUser(employee_number=identity.employee_number or None)
    resource = UserResource(
        id=str(identity.scim_id),
        external_id=identity.external_id or None,
        user_name=identity.user_name,
        display_name=identity.display_name or None,
        name=Name(given_name=identity.given_name or None, family_name=identity.family_name or None)
        if identity.given_name or identity.family_name
        else None,
        active=user.is_active,
        emails=[Email.model_validate(email) for email in identity.emails],
        meta=Meta(
            resource_type="User",
            created=identity.created_at,
            last_modified=identity.updated_at,
            version=f'W/"{identity.version}"',
        ),
    )
    if identity.employee_number:
        resource[EnterpriseUser] = extension
    return resource


def _values(resource: Resource[Any]) -> AccountValues:
    user = cast(User, resource)
    emails = user.emails or []
    account_email = next((email for email in emails if email.primary), emails[0])
    name = user.name or Name()
    extension = resource[EnterpriseUser]
    return AccountValues(
        user_name=user.user_name or "",
        email=str(account_email.value),
        active=bool(user.active),
        external_id=user.external_id or "",
        display_name=user.display_name or "",
        given_name=name.given_name or "",
        family_name=name.family_name or "",
        emails=[email.model_dump(mode="json", exclude_none=True) for email in emails],
        employee_number=(extension.employee_number if extension else None) or "",
    )


class AccountStorage(ScimStorage):
    """The program's accounts as SCIM Users, read from and written to the database on behalf
    of one SCIM client."""

    def __init__(self, client: ScimClient):
        self.client = client

    def _identities(self) -> QuerySet[ScimIdentity]:
        return ScimIdentity.objects.select_related("user")

    def _identity(self, resource_id: str | None) -> ScimIdentity:
        scim_id = _uuid(resource_id)
        identity = self._identities().filter(scim_id=scim_id).first() if scim_id else None
        if identity is None:
            raise NotFoundException(detail="No such user.")
        return identity

    def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> Resource[Any]:
        return _resource(self._identity(resource_id))

    def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        identities = self._identities().order_by("created_at", "pk")
        if search_request.filter is not None:
            identities = identities.filter(_q(search_request.filter.ast))
        start = search_request.start_index_0 or 0
        count = search_request.count if search_request.count is not None else MAX_RESULTS
        page = identities[start : start + count]
        return SearchPage(total=identities.count(), resources=[_resource(i) for i in page])

    def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        with _conflicts():
            identity = account_provision(client=self.client, values=_values(resource))
        return _resource(identity)

    def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        identity = self._identity(resource.id)
        with _conflicts():
            identity = account_update(
                client=self.client, identity=identity, values=_values(resource)
            )
        return _resource(identity)

    def delete(
        self, resource_type: ResourceType, resource_id: str, *, expected_version: str | None = None
    ) -> None:
        account_unprovision(client=self.client, identity=self._identity(resource_id))


@contextmanager
def _conflicts() -> Iterator[None]:
    """A value another account holds, as SCIM's 409 uniqueness error."""
    try:
        yield
    except ProvisioningConflict as error:
        raise UniquenessException(attribute=error.attribute, detail=str(error)) from error


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _client(request: HttpRequest) -> ScimClient:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    client = scim_client_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if client is None:
        raise UnauthorizedException(detail="A valid SCIM bearer token is required.")
    return client


@csrf_exempt
@login_not_required
def endpoint(request: HttpRequest, path: str = "") -> HttpResponse:
    """Every SCIM endpoint: authenticate the client, then let scim2-server serve the request
    in one transaction (an error undoes everything the request did)."""
    scim_request = ScimRequest(
        method=request.method or "GET",
        base_url=request.build_absolute_uri(reverse("scim", kwargs={"path": ""})).rstrip("/"),
        path=path.removesuffix(".scim"),
        query=request.GET.dict(),
        headers=dict(request.headers),
        body=request.body,
    )
    try:
        with transaction.atomic():
            scim_request.subject = _client(request)
            handler = ScimHandler(SERVICE, AccountStorage(scim_request.subject))
            response = handler.handle(scim_request)
    except SCIMException as error:
        response = SERVICE.error_response(error)
    body = "" if response.body is None else json.dumps(response.body)
    http = HttpResponse(body, status=response.status.value, content_type=SCIM_MEDIA_TYPE)
    for name, value in response.headers.items():
        if name.lower() != "content-type":
            http[name] = value
    return http
