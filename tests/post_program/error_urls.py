"""The program's URLs plus a view that fails, to see the 500 page and the error report."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from post_program.urls import urlpatterns as program_urlpatterns


@login_not_required
def fail(request, token: str = ""):
    raise RuntimeError("a fault in a view")


urlpatterns = [
    *program_urlpatterns,
    path("fail/", fail),
    # A failure at an address that carries a survey link token.
    path("surveys/answer/<str:token>/fail/", fail),
]
