"""The program's URLs plus one view that fails, to see the 500 page served."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from post_program.urls import urlpatterns as program_urlpatterns


@login_not_required
def fail(request):
    raise RuntimeError("a fault in a view")


urlpatterns = [*program_urlpatterns, path("fail/", fail)]
