"""The core's REST API endpoints (docs/api.md): departments, and the roster read and upserted.

The roster upsert is an import of `physicians.csv` whose rows come as JSON objects: the same
columns, the same checks and messages (`import_export.PhysiciansFile`), and everything or
nothing per request.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from . import selectors
from .access import can_import_program, can_view_roster, departments_visible_to
from .import_export import ImportRejected, PhysiciansFile, RawFile, import_files
from .models import ApiToken
from .rest import ERROR_BODY, TokenView, errors

ROSTER_FILE = PhysiciansFile()
ROSTER_COLUMNS = [column.name for column in ROSTER_FILE.columns]
MAX_ROSTER_ROWS = 5000
"""Rows one upsert takes (a larger roster is sent in several requests, or imported)."""


class DepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    site = serializers.CharField(source="site.name")
    name = serializers.CharField()
    label = serializers.CharField()
    launched_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)


class DepartmentsView(TokenView):
    """Every department the token's director sees, with the id other calls name it by."""

    scopes = tuple(ApiToken.Scope.values)

    @extend_schema(
        operation_id="departments_list",
        responses={200: DepartmentSerializer(many=True), **errors()},
    )
    def get(self, request):
        departments = departments_visible_to(request.user).order_by("site__name", "name")
        return Response(DepartmentSerializer(departments, many=True).data)


class RosterRowSerializer(serializers.Serializer):
    """One roster entry: the columns of physicians.csv (docs/data-formats.md)."""

    physician_id = serializers.CharField()
    site = serializers.CharField(source="department.site.name")
    department = serializers.CharField(source="department.name")
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    email = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)


ERRORS_PAGE = OpenApiResponse(ERROR_BODY, description="There is no such page.")


class RosterUpsertRowSerializer(serializers.Serializer):
    """A row to add or update, by `physician_id`. A column left out of every row leaves its
    field as it is; a value checked as physicians.csv checks its cell."""

    physician_id = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    site = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    department = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    started_on = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    ended_on = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    email = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class RosterUpsertSerializer(serializers.Serializer):
    physicians = RosterUpsertRowSerializer(many=True, max_length=MAX_ROSTER_ROWS)


class RosterPagination(PageNumberPagination):
    page_size = 500


class RosterPageSerializer(serializers.Serializer):
    """One page of the roster, by `physician_id`; `next` is the link to the following one."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RosterRowSerializer(many=True)


class RosterRowErrorSerializer(serializers.Serializer):
    """One problem: the row's place in `physicians` (none for a problem of the whole request
    or of a column), its line in the physicians.csv it stands for, the column and the message."""

    index = serializers.IntegerField(allow_null=True)
    line = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    message = serializers.CharField()


class RosterRejectedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = RosterRowErrorSerializer(many=True)


REJECTED = OpenApiResponse(
    RosterRejectedSerializer,
    description="Every problem found, as physicians.csv reports it; nothing was written.",
)
COUNTS = inline_serializer(
    "RosterCounts",
    fields={
        "rows": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
    },
)


def roster_file(records: list[dict], named: set[str]) -> RawFile:
    """The rows as the physicians.csv they stand for: a header of the `named` columns (any a
    row of the request names, so an unknown one is refused as the import refuses it), and each
    row on the line it would hold in that file (the first on line 2)."""
    header = [name for name in ROSTER_COLUMNS if name in named]
    header += sorted(named - set(ROSTER_COLUMNS))
    rows = [
        (line, [(record.get(name) or "").strip() for name in header])
        for line, record in enumerate(records, start=2)
    ]
    return RawFile(ROSTER_FILE.name, header, rows)


def _problem(index: int | None, column: str, message) -> dict:
    line = index + 2 if index is not None else None
    return {"index": index, "line": line, "column": column, "message": str(message)}


def _shape_errors(found: dict) -> list[dict]:
    """The serializer's complaints (a body that is not a list of objects of text) in the
    shape of the import's: {"physicians": {index: {column: [message]}}} or messages about
    the list or the body itself."""
    shaped = []
    for field, problems in found.items():
        if not isinstance(problems, dict):  # the body, or the list, in a word
            shaped += [_problem(None, "physicians", message) for message in problems]
            continue
        for index, problem in problems.items():
            if not isinstance(index, int):  # the list: not a list, too long
                shaped += [_problem(None, field, message) for message in problem]
                continue
            for column, messages in problem.items():
                column = "-" if column == "non_field_errors" else column
                shaped += [_problem(index, column, message) for message in messages]
    return shaped


def _rejected(found: list[dict]) -> Response:
    return Response(
        {"detail": f"{len(found)} error(s); nothing was written", "errors": found},
        status=status.HTTP_400_BAD_REQUEST,
    )


class RosterView(TokenView):
    """The roster: read it page by page, or add and update entries as physicians.csv does."""

    scopes_by_method = {
        "GET": (ApiToken.Scope.ROSTER_READ, ApiToken.Scope.ROSTER_WRITE),
        "POST": (ApiToken.Scope.ROSTER_WRITE,),
    }

    @extend_schema(
        operation_id="roster_list",
        parameters=[OpenApiParameter("page", int, description="The page, from 1.")],
        responses={200: RosterPageSerializer, 404: ERRORS_PAGE, **errors()},
    )
    def get(self, request):
        if not can_view_roster(request.user):
            raise PermissionDenied
        physicians = selectors.roster_list(user=request.user).order_by("physician_id")
        paginator = RosterPagination()
        page = paginator.paginate_queryset(physicians, request, view=self)
        return paginator.get_paginated_response(RosterRowSerializer(page, many=True).data)

    @extend_schema(
        operation_id="roster_upsert",
        request=RosterUpsertSerializer,
        responses={200: COUNTS, 400: REJECTED, **errors()},
    )
    def post(self, request):
        if not can_import_program(request.user):
            raise PermissionDenied
        body = RosterUpsertSerializer(data=request.data)
        if not body.is_valid():
            return _rejected(_shape_errors(body.errors))
        try:
            report = import_files(
                {
                    ROSTER_FILE.name: roster_file(
                        body.validated_data["physicians"],
                        {name for row in request.data["physicians"] for name in row},
                    )
                },
                actor=request.user,
            )
        except ImportRejected as rejected:
            return _rejected(
                [
                    _problem(
                        error.line - 2 if error.line >= 2 else None, error.column, error.message
                    )
                    for error in rejected.errors
                ]
            )
        counts = report.counts[ROSTER_FILE.name]
        return Response(
            {
                "rows": counts.rows,
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            }
        )
