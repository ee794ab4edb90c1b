"""Referral intake for integrations over the REST API (docs/api.md): an incident-reporting
system records a difficult event, which opens event outreach (one referral per physician
involved), with the checks and messages of the coordinators' event page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from post_program.models import ApiToken
from post_program.rest import TokenView, bad_request, errors

from . import services
from .access import can_triage_referrals, event_departments_for
from .forms import EventIntakeForm
from .models import EventCategory


class EventIntakeSerializer(serializers.Serializer):
    """What the event page asks; the department by its id in /api/v1/departments/."""

    occurred_on = serializers.CharField(help_text="Date of the event, YYYY-MM-DD.")
    department = serializers.IntegerField(help_text="The department's id.")
    category = serializers.ChoiceField(choices=EventCategory.choices)
    physician_ids = serializers.ListField(
        child=serializers.CharField(),
        help_text="The physicians involved, by their roster id (physician_id).",
    )


RECORDED = inline_serializer(
    "EventRecorded",
    fields={
        "event": serializers.IntegerField(),
        "opened": serializers.IntegerField(help_text="Referrals opened."),
        "already_open": serializers.IntegerField(
            help_text="Physicians involved who already had an open referral, which they keep."
        ),
    },
)


class EventIntakeView(TokenView):
    """Record a difficult event and open one referral (source `event`) per physician involved
    who has none open, as the coordinators' event page does. The token's director must also
    coordinate the department's site."""

    scopes = (ApiToken.Scope.EVENTS_WRITE,)

    @extend_schema(
        operation_id="event_record",
        request=EventIntakeSerializer,
        responses={201: OpenApiResponse(RECORDED, description="Recorded."), **errors(400)},
    )
    def post(self, request):
        if not can_triage_referrals(request.user):
            raise PermissionDenied(
                gettext("Recording events needs the token's director to coordinate.")
            )
        body = EventIntakeSerializer(data=request.data)
        if not body.is_valid():
            return bad_request(body.errors)
        data = body.validated_data
        form = EventIntakeForm(
            {
                "occurred_on": data["occurred_on"],
                "department": data["department"],
                "category": data["category"],
                "physicians": data["physician_ids"],
            },
            departments=event_departments_for(request.user),
        )
        if not form.is_valid():
            return bad_request(form.errors)
        event, results = services.event_record(actor=request.user, **form.recorded())
        opened = sum(result.created for result in results)
        return Response(
            {"event": event.pk, "opened": opened, "already_open": len(results) - opened},
            status=status.HTTP_201_CREATED,
        )
