"""The RE-AIM report over the REST API (docs/api.md): the JSON `manage.py reaim_report` writes,
for the same period and scope options, suppressed unless the token may read exact figures."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers

from post_program import program_settings
from post_program.models import ApiToken
from post_program.rest import TokenView, bad_request, errors

from .access import can_view_program_dashboard, report_token_must_suppress
from .render import render_json
from .report import SECTIONS, ReAimReport, ReportInputError, period_parse, scope_resolve


class ReportQuerySerializer(serializers.Serializer):
    """The options of `manage.py reaim_report`."""

    start = serializers.CharField(help_text="First day of the period, YYYY-MM-DD.")
    end = serializers.CharField(help_text="Last day of the period (included), YYYY-MM-DD.")
    site = serializers.CharField(required=False, help_text="Report on one site's departments.")
    department = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Report on these departments, each as SITE/DEPARTMENT (repeatable).",
    )


REPORT_KEYS = ("period", "scope", "generated_at", "suppression", *SECTIONS)
REPORT_SCHEMA = {
    "type": "object",
    "description": "The report as docs/metrics.md defines it; suppressed cells are null.",
    "required": [*REPORT_KEYS, "by_department", "prism", "supplementary"],
    "properties": {
        **{key: {"type": "object"} for key in REPORT_KEYS},
        "generated_at": {"type": "string", "format": "date-time"},
        "by_department": {"type": "array", "items": {"type": "object"}},
        "prism": {"type": "array", "items": {"type": "object"}},
        "supplementary": {"type": "object"},
    },
}


class ReportView(TokenView):
    """The PRISM/RE-AIM report for a period and scope, as `manage.py reaim_report` writes it
    in JSON. Suppressed (the program's threshold) unless the token holds `report:exact`."""

    scopes = (ApiToken.Scope.REPORT_READ,)

    @extend_schema(
        operation_id="report_read",
        parameters=[ReportQuerySerializer],
        responses={200: OpenApiResponse(REPORT_SCHEMA, description="The report."), **errors(400)},
    )
    def get(self, request):
        if not can_view_program_dashboard(request.user):
            raise PermissionDenied
        query = ReportQuerySerializer(data=request.query_params)
        if not query.is_valid():
            return bad_request(query.errors)
        options = query.validated_data
        suppress = report_token_must_suppress(
            request.user, exact=request.auth.allows(ApiToken.Scope.REPORT_EXACT)
        )
        try:
            report = ReAimReport(
                period=period_parse(options["start"], options["end"]),
                scope=scope_resolve(
                    site=options.get("site"), departments=options.get("department", [])
                ),
                threshold=program_settings.get().suppression_threshold if suppress else None,
            )
            content = render_json(report)
        except ReportInputError as error:
            return bad_request(str(error))
        return HttpResponse(content, content_type="application/json")
