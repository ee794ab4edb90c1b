"""The homes this app owns, under the names the home dispatch redirects to (no namespace)."""

from django.urls import path

from . import homes

urlpatterns = [
    path("coordinator/", homes.home_coordinator, name="home_coordinator"),
    path("supporter/", homes.home_supporter, name="home_supporter"),
]
