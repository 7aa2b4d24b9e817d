"""The open-data API: read-only, public, cached per figures version, a fixed number of queries each.

Every error, 400 to 429, answers in the API's one shape (`relief_portal.api.errors`).
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from campaigns.models import Campaign

from ..exports import CSV_CONTENT_TYPE
from .answers import (
    daily_answer,
    goods_answer,
    hxl_3w_answer,
    journal_heads_answer,
    provinces_answer,
    totals_answer,
)
from .caching import figures_cached
from .selectors import allocation_list_open, campaign_get_open, journal_entry_list
from .serializers import (
    AllocationSerializer,
    DailyTotalsSerializer,
    ErrorSerializer,
    GoodsTotalsSerializer,
    JournalEntrySerializer,
    JournalHeadSerializer,
    ProvinceTotalsSerializer,
    TotalsSerializer,
)

UNKNOWN_CAMPAIGN = _("There is no public campaign at this address.")
DEFAULT_RATE = "1200/minute"

ERRORS = {
    404: OpenApiResponse(ErrorSerializer, description="No public campaign at this slug, or an invalid cursor."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests from this address; retry later."),
}


class OpenDataThrottle(AnonRateThrottle):
    """A generous limit per address (the `open_data` rate, `OPEN_DATA_THROTTLE`) that never turns
    a cache outage into an error: without the cache nobody is throttled."""

    scope = "open_data"

    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope, DEFAULT_RATE)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:
            return True


class OpenDataMixin:
    """Public and read-only: no session, so no CSRF and no personal context."""

    authentication_classes: list = []
    throttle_classes = [OpenDataThrottle]

    def open_campaign(self) -> Campaign:
        campaign = campaign_get_open(slug=self.kwargs["slug"])
        if campaign is None:
            raise NotFound(UNKNOWN_CAMPAIGN)
        return campaign


@extend_schema(responses={200: TotalsSerializer, **ERRORS})
class CampaignTotalsApi(OpenDataMixin, APIView):
    """A campaign's headline figures: cash pledged, received, allocated, available, disbursed and reported
    handed out (đồng), goods value received, counts, people reached, and the journal's head."""

    def get(self, request, slug):
        return Response(totals_answer(campaign=self.open_campaign()))


@extend_schema(responses={200: ProvinceTotalsSerializer(many=True), **ERRORS})
class CampaignProvincesApi(OpenDataMixin, APIView):
    """Per unit of today's (2025) map, most cash first: allocated, disbursed, reported, reach, goods.
    Allocations to the 63 units of the 2008 map are counted in their successor."""

    def get(self, request, slug):
        return Response(provinces_answer(campaign=self.open_campaign()))


@extend_schema(responses={200: GoodsTotalsSerializer(many=True), **ERRORS})
class CampaignGoodsApi(OpenDataMixin, APIView):
    """Per item category: quantities received, allocated and distributed, and their estimated values."""

    def get(self, request, slug):
        return Response(goods_answer(campaign=self.open_campaign()))


@extend_schema(responses={200: DailyTotalsSerializer(many=True), **ERRORS})
class CampaignDailyApi(OpenDataMixin, APIView):
    """Per day (Vietnam time): cash received, allocated and disbursed, and the running totals."""

    def get(self, request, slug):
        return Response(daily_answer(campaign=self.open_campaign()))


@extend_schema(responses={200: JournalHeadSerializer(many=True), **ERRORS})
class CampaignJournalHeadsApi(OpenDataMixin, APIView):
    """The journal's head at the end of each day (Vietnam time): entries so far and the last hash."""

    def get(self, request, slug):
        return Response(journal_heads_answer(campaign=self.open_campaign()))


class SequencePagination(CursorPagination):
    """Pages in ledger order; `limit` asks for up to `max_page_size` rows a page."""

    ordering = "sequence"
    page_size = 100
    page_size_query_param = "limit"
    max_page_size = 1000


class CachedCursorListApi(OpenDataMixin, generics.ListAPIView):
    """A ledger in sequence order, page by page, each page cached per figures version."""

    pagination_class = SequencePagination
    answer_name = ""

    def list(self, request, *args, **kwargs):
        campaign = self.open_campaign()

        def compute() -> dict:
            page = self.paginate_queryset(self.ledger(campaign_id=campaign.pk))
            return dict(self.get_paginated_response(self.get_serializer(page, many=True).data).data)

        variant = "|".join((
            request.build_absolute_uri("/"),
            request.query_params.get(self.paginator.cursor_query_param, ""),
            request.query_params.get(SequencePagination.page_size_query_param, ""),
        ))
        answer = figures_cached(campaign_id=campaign.pk, name=self.answer_name, variant=variant, compute=compute)
        return Response(answer)

    def ledger(self, *, campaign_id: int):
        raise NotImplementedError

    def get_queryset(self):  # for the schema; `list` reads `ledger`
        return self.ledger(campaign_id=0).none()


@extend_schema(responses={200: AllocationSerializer(many=True), **ERRORS})
class CampaignAllocationsApi(CachedCursorListApi):
    """Every allocation in ledger order: number, decision, province (and its 2025 unit), purpose, cash
    or goods, status, the reversal that cancels it or the allocation it cancels, and its distribution
    reports. Cursor-paginated: follow `next`."""

    serializer_class = AllocationSerializer
    answer_name = "allocations"

    def ledger(self, *, campaign_id: int):
        return allocation_list_open(campaign_id=campaign_id)


@extend_schema(responses={200: JournalEntrySerializer(many=True), **ERRORS})
class CampaignJournalApi(CachedCursorListApi):
    """The campaign's hash-chained journal in sequence order (see the README for the canonical form and
    the hash rule). Cursor-paginated: follow `next`."""

    serializer_class = JournalEntrySerializer
    answer_name = "journal"

    def ledger(self, *, campaign_id: int):
        return journal_entry_list(campaign_id=campaign_id)


class HxlCsvRenderer(BaseRenderer):
    """Lets a client ask for `text/csv`; the view answers the file itself, errors as their message."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "detail" in data:
            return str(data["detail"])
        return data


@extend_schema(
    responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=(
        "The 3W file in HXL (header row, then the hashtag row): one row per allocation line, see the README.")),
        **ERRORS},
)
class Campaign3wApi(OpenDataMixin, APIView):
    """Who does what where: the campaign's allocations as an HXL 3W file (CSV), as HDX reads it."""

    renderer_classes = [JSONRenderer, HxlCsvRenderer]

    def get(self, request, slug):
        campaign = self.open_campaign()
        return HttpResponse(
            hxl_3w_answer(campaign=campaign), content_type=CSV_CONTENT_TYPE,
            headers={"Content-Disposition": f'inline; filename="{campaign.slug}-3w.csv"'},
        )
