"""The homes this app owns, under the names the home dispatch redirects to (no namespace)."""

from django.urls import path

from . import homes

urlpatterns = [
    path("director/", homes.home_director, name="home_director"),
    path("lead/", homes.home_lead, name="home_lead"),
]
