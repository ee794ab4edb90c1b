"""The on-call calendar and feeds, under /on-call/ (namespace `on_call`)."""

from django.urls import path

from .views import oncall

app_name = "on_call"

urlpatterns = [
    path("", oncall.on_call_calendar, name="calendar"),
    path("shifts/new/", oncall.on_call_shift_add, name="shift_add"),
    path("shifts/<int:pk>/remove/", oncall.on_call_shift_remove, name="shift_remove"),
    path("exceptions/new/", oncall.on_call_exception_add, name="exception_add"),
    path("exceptions/<int:pk>/remove/", oncall.on_call_exception_remove, name="exception_remove"),
    path("feed/", oncall.on_call_feed, name="feed"),
    path("feed/new/", oncall.on_call_feed_issue, name="feed_issue"),
    path("feed/revoke/", oncall.on_call_feed_revoke, name="feed_revoke"),
    # Public: a calendar subscribes without signing in. Its token never appears in a log line
    # (interactions.logs names the path to the core's redaction).
    path("feed/<str:token>.ics", oncall.on_call_feed_ics, name="feed_ics"),
]
