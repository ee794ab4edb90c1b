"""The interactions app's REST API endpoints, under /api/v1/ (docs/api.md)."""

from django.urls import path

from . import api

urlpatterns = [
    path("events/", api.EventIntakeView.as_view(), name="api_event_record"),
]
