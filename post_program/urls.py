from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from . import scim, views

admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "POST administration"

urlpatterns = [
    path("", views.home, name="home"),
    # Each role's home lives in the app that owns what it shows; the names stay those the
    # home dispatch redirects to (post_program.access.HOME_URL_NAMES).
    path("home/", include("reporting.home_urls")),
    path("home/", include("interactions.home_urls")),
    path("home/physician/", views.home_physician, name="home_physician"),
    path("roster/", views.roster_list, name="roster_list"),
    path("program/import/", views.import_start, name="import_start"),
    path("program/import/<int:pk>/", views.import_detail, name="import_detail"),
    path("program/import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("program/settings/", views.program_settings_edit, name="program_settings"),
    path("program/audit/", views.audit_list, name="audit_list"),
    path("program/audit/export/", views.audit_export, name="audit_export"),
    path("help/", views.help_now, name="help_now"),
    path("language/", views.language_set, name="language_set"),
    path("healthz/", views.healthz, name="healthz"),
    path("readyz/", views.readyz, name="readyz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("referrals/", include("interactions.urls")),
    path("on-call/", include("interactions.on_call_urls")),
    path("training/", include("training.urls")),
    path("surveys/", include("surveys.urls")),
    path("reports/", include("reporting.urls")),
    path("program/api-tokens/", views.api_token_list, name="api_token_list"),
    path("program/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("api/v1/", include("post_program.api_urls")),
    path("api/v1/", include("reporting.api_urls")),
    path("api/v1/", include("interactions.api_urls")),
    re_path(r"^scim/v2(?P<path>(?:/.*)?)$", scim.endpoint, name="scim"),
    path("program/scim/", views.scim_client_list, name="scim_client_list"),
    path("program/scim/<int:pk>/revoke/", views.scim_client_revoke, name="scim_client_revoke"),
]
