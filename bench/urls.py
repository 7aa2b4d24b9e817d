"""The portal's addresses plus the two baselines the load benchmarks measure against, in the same
process with the same middleware:

- `/bench/ping/`: a trivial Django view (no template, no query);
- `/bench/insert/`: a bare view that inserts one row into a scratch table and commits.
"""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

SCRATCH_TABLE = "bench_bare_insert"


def ping(request):
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
def insert(request):
    with connection.cursor() as cursor:  # autocommit: the insert commits durably on its own
        cursor.execute(f"INSERT INTO {SCRATCH_TABLE} (body) VALUES (%s) RETURNING id", [request.body.decode()[:200]])
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [
    path("bench/ping/", ping),
    path("bench/insert/", insert),
    path("", include("relief_portal.urls")),
]
