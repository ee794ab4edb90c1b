"""The REST API's own pages and the core's endpoints, under /api/v1/ (docs/api.md). The apps
add theirs from their `api_urls` modules (post_program/urls.py includes them)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import api

urlpatterns = [
    # The schema and its docs page hold no program data: anyone may read them.
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="api_schema"),
    path(
        "docs/",
        login_not_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api_schema", template_name="post_program/api_docs.html"
            )
        ),
        name="api_docs",
    ),
    path("departments/", api.DepartmentsView.as_view(), name="api_departments"),
    path("roster/", api.RosterView.as_view(), name="api_roster"),
]
