"""The reporting app's REST API endpoints, under /api/v1/ (docs/api.md)."""

from django.urls import path

from . import api

urlpatterns = [
    path("report/", api.ReportView.as_view(), name="api_report"),
]
