"""The portal's addresses plus the baselines the load benchmarks measure against, in the same process
with the same middleware:

- `/bench/ping/`: a trivial Django view (no template, no query);
- `/bench/insert/`: a bare view that inserts one row into a scratch table and commits;
- `/bench/pledge-rows/`: a bare view that writes the rows a cash pledge writes (its donor, the pledge
  and their history rows, in the pledge's one statement), with fixed values, to the campaign the
  posted pledge names, and answers the reference: no validation, no pledge limit, no answer to
  build. No pledge through the API can be faster, so it shows how near the bare insert any pledge
  could come on the machine measured.
"""

import functools
import json

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from campaigns.models import Campaign
from donations.models import Donor, Pledge
from donations.services.pledges import pledge_reference_generate
from ledger.bulk import objects_insert_linked

SCRATCH_TABLE = "bench_bare_insert"


def ping(request):
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
def insert(request):
    with connection.cursor() as cursor:  # autocommit: the insert commits durably on its own
        cursor.execute(f"INSERT INTO {SCRATCH_TABLE} (body) VALUES (%s) RETURNING id", [request.body.decode()[:200]])
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


@functools.cache
def _campaign(slug: str) -> Campaign:
    return Campaign.objects.get(slug=slug)


@csrf_exempt
def pledge_rows(request):
    campaign, reference = _campaign(json.loads(request.body)["campaign"]), pledge_reference_generate()
    donor = Donor(kind=Donor.Kind.INDIVIDUAL, full_name="Nguyễn Văn An", phone="0912345678")
    pledge = Pledge(campaign=campaign, donor=donor, kind="cash", amount=500_000, reference=reference,
                    transfer_content=f"{campaign.code} {reference}", source=Pledge.Source.API)
    objects_insert_linked(objs=[donor, pledge], with_history=(Donor, Pledge))
    return JsonResponse({"reference": reference}, status=201)


urlpatterns = [
    path("bench/ping/", ping),
    path("bench/insert/", insert),
    path("bench/pledge-rows/", pledge_rows),
    path("", include("relief_portal.urls")),
]
