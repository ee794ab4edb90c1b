from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/responses.csv", views.campaign_export, name="campaign_export"),
    path("instruments/", views.instrument_list, name="instrument_list"),
    path("instruments/new/", views.instrument_create, name="instrument_create"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument_detail"),
    path(
        "instruments/<int:pk>/versions/new/",
        views.instrument_version_create,
        name="instrument_version_create",
    ),
    # Public: the link in the invitation email. Its token never appears in a log line
    # (surveys.logs names it to the core's redaction of request paths in logs).
    path("answer/thanks/", views.response_thanks, name="response_thanks"),
    path("answer/<str:token>/", views.response_create, name="response_create"),
]
