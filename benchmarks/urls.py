"""The project's URLs plus the floor of the submission benchmark, for `benchmarks.settings` only.

`POST /bench/floor-insert/` goes through the same middleware (session, sign-in, ...) as every
page and inserts one row into `bench_floor_insert`, a table the benchmark creates in its own
scratch database: the least a submission can cost on this server.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

FLOOR_TABLE = "bench_floor_insert"
FLOOR_TABLE_SQL = (
    f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} "
    "(id bigserial PRIMARY KEY, user_id bigint NOT NULL, received_at timestamptz NOT NULL)"
)


@csrf_exempt
@require_POST
def floor_insert(request):
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FLOOR_TABLE} (user_id, received_at) VALUES (%s, now())",  # noqa: S608
            [request.user.pk],
        )
    return HttpResponse(status=204)


urlpatterns = [
    path("bench/floor-insert/", floor_insert, name="bench_floor_insert"),
    path("", include("post_program.urls")),
]
