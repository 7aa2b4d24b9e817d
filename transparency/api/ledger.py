"""GET /api/v1/campaigns/<slug>/ledger/: the public ledger of receipts, searchable, paged by cursor.

The same search as the ledger page (one form checks both), the same keyset pages and the same
public fields as the JSON download; errors as every open-data answer gives them, `{"detail": …}`.
"""

from django.core.exceptions import TooManyFieldsSent
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from donations.models import Receipt
from ledger.models import Kind

from ..forms import SORT_CHOICES, LedgerSearchForm
from ..ledger import PAGE_SIZES, ledger_page_cached, ledger_row_public
from .serializers import ErrorSerializer
from .views import ERRORS, OpenDataMixin

QUERY_FIELDS = ("q", "amount", "date_from", "date_to", "number", "sort", "size")


class LedgerGoodsSerializer(serializers.Serializer):
    category = serializers.CharField(help_text="Item category slug (see /api/v1/ for the categories).")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, help_text="Negative on a reversal.")
    unit = serializers.CharField()
    estimated_value = serializers.IntegerField(allow_null=True, help_text="Estimated value in đồng, if known.")


class LedgerReceiptSerializer(serializers.Serializer):
    """One receipt as the public sees it: never contact data, the name as the donor chose it."""

    number = serializers.CharField()
    received_at = serializers.DateTimeField(help_text="Vietnam time, e.g. 2024-09-08T09:15:02+07:00.")
    kind = serializers.ChoiceField(choices=Kind.choices)
    channel = serializers.ChoiceField(choices=Receipt.Channel.choices)
    amount = serializers.IntegerField(allow_null=True, help_text="Whole đồng, negative on a reversal; null for goods.")
    goods = LedgerGoodsSerializer(many=True)
    public_name = serializers.CharField()
    reverses = serializers.CharField(allow_null=True, help_text="The receipt this reversal corrects.")
    reversed_by = serializers.CharField(allow_null=True, help_text="The reversal that corrects this receipt.")

    def to_representation(self, instance):
        return ledger_row_public(instance)  # the JSON download's rows, exactly


class LedgerPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Receipts matching; when count_capped, at least this many.")
    count_capped = serializers.BooleanField(help_text="True when more receipts match than `count` (1000).")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LedgerReceiptSerializer(many=True)


BAD_REQUEST = OpenApiResponse(
    ErrorSerializer,
    description="A parameter that cannot be read, named in the message: `amount: Enter the amount in whole đồng…`",
)


def bad_query(errors: dict[str, list[str]]) -> ParseError:
    """A 400 in the open-data error shape: one `detail` naming each parameter and what is wrong with it."""
    return ParseError(" ".join(f"{name}: {text}" for name, texts in errors.items() for text in texts))


def _parameter(name: str, description: str, **kwargs) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, description=description, **kwargs)


@extend_schema(
    parameters=[
        _parameter("q", "Part of the donor's public name, with or without diacritics."),
        _parameter("amount", "Exact amount in whole đồng (500000, 500.000 or 500.000 ₫); finds its reversals too."),
        _parameter("date_from", "First day received, Vietnam time (dd/mm/yyyy or yyyy-mm-dd)."),
        _parameter("date_to", "Last day received, Vietnam time (dd/mm/yyyy or yyyy-mm-dd)."),
        _parameter("number", "A receipt number (YAGI24-000123) or a pledge reference (K7M3PQ9X)."),
        _parameter("sort", "Order of the receipts.", enum=[value for value, _label in SORT_CHOICES]),
        OpenApiParameter("size", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Receipts per page.",
                         enum=list(PAGE_SIZES), default=50),
        _parameter("cursor", "The position given by `next` or `previous`; opaque."),
    ],
    responses={200: LedgerPageSerializer, 400: BAD_REQUEST, **ERRORS},
)
class LedgerApi(OpenDataMixin, APIView):
    """Every receipt of a campaign, newest first, searchable: number, time received (Vietnam time),
    cash or goods, channel, amount or goods lines, the name as the donor chose it, and the reversal
    that cancels it or the receipt it cancels. Paged by cursor however deep: follow `next`."""

    http_method_names = ["get", "head", "options"]

    def handle_exception(self, exc):
        # Django refuses to read a query string of thousands of fields (content negotiation asks first).
        if isinstance(exc, TooManyFieldsSent):
            exc = bad_query({"query": [_("This query has too many parameters.")]})
        return super().handle_exception(exc)

    def get(self, request, slug: str):
        campaign = self.open_campaign()
        params = request.query_params
        form = LedgerSearchForm(params, campaign_code=campaign.code)
        if not form.is_valid():
            raise bad_query(form.errors)
        page = ledger_page_cached(
            campaign=campaign, filters=form.filters(), cursor=form.position(),
            cursor_token=form.cleaned_data["cursor"], size=form.page_size(),
        )

        def link(cursor: str | None) -> str | None:
            if cursor is None:
                return None
            pairs = [(name, params.get(name, "")) for name in QUERY_FIELDS] + [("cursor", cursor)]
            return request.build_absolute_uri(f"{request.path}?{urlencode([p for p in pairs if p[1]])}")

        body = {
            "count": page.count, "count_capped": page.count_capped,
            "next": link(page.next_cursor), "previous": link(page.previous_cursor), "results": page.rows,
        }
        return Response(LedgerPageSerializer(body).data)

