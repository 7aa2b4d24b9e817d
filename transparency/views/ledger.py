"""The public ledger of receipts: the search page, and the whole filtered ledger as CSV and JSON,
streamed so that a million rows cost the server no more memory than a hundred."""

import json
from collections.abc import Iterable, Iterator

from django.core.exceptions import TooManyFieldsSent
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..exports import CSV_CONTENT_TYPE, local_time_text
from ..forms import LedgerSearchForm
from ..ledger import (
    LedgerRow,
    ledger_csv_chunks,
    ledger_page_cached,
    ledger_row_public,
    ledger_rows_stream,
)
from ..selectors import campaign_public_find

SEARCH_FIELDS = ("q", "amount", "date_from", "date_to", "number", "sort")
ROWS_PER_WRITE = 1_000


def _campaign_or_404(slug: str):
    campaign = campaign_public_find(slug=slug)
    if campaign is None:
        raise Http404
    return campaign


def _query(request) -> QueryDict | None:
    """The query string, or None when it has more fields than anyone types (Django refuses to read it)."""
    try:
        return request.GET
    except TooManyFieldsSent:
        return None


def _link(params: QueryDict, fields: Iterable[str], **extra) -> str:
    """`?…` with the given fields as the reader typed them (empty ones left out) and `extra`."""
    pairs = [(name, params.get(name, "")) for name in fields] + list(extra.items())
    return "?" + urlencode([(name, value) for name, value in pairs if value])


def _search(request, campaign) -> tuple[LedgerSearchForm, QueryDict, str]:
    """The bound search form, the query it read, and a message for a query that cannot be read at all."""
    params = _query(request)
    if params is None:
        return LedgerSearchForm({}, campaign_code=campaign.code), QueryDict(), _(
            "This address is too long to be a search. Start a new search below."
        )
    return LedgerSearchForm(params, campaign_code=campaign.code), params, ""


def _page(request, campaign, form: LedgerSearchForm, params: QueryDict, problem: str):
    """The ledger page: the search's rows, or (status 400) what is wrong with the search."""
    context = {"campaign": campaign, "form": form, "problem": problem, "page": None}
    status = 200
    if not problem and form.is_valid():
        filters, size = form.filters(), form.page_size()
        page = ledger_page_cached(
            campaign=campaign, filters=filters, cursor=form.position(), cursor_token=form.cleaned_data["cursor"],
            size=size,
        )
        keep = (*SEARCH_FIELDS, "size")
        context.update(
            page=page,
            filtered=not filters.is_empty,
            next_url=_link(params, keep, cursor=page.next_cursor) if page.next_cursor else "",
            previous_url=_link(params, keep, cursor=page.previous_cursor) if page.previous_cursor else "",
            first_url=_link(params, keep),
            download_query=_link(params, SEARCH_FIELDS),
        )
    else:
        status = 400
        context["first_url"] = _link(params, (*SEARCH_FIELDS, "size")) if "cursor" in form.errors else ""
    return render(request, "transparency/ledger.html", context, status=status)


@require_GET
def ledger(request, slug: str):
    """Every receipt of a campaign, searchable, newest first, fifty to a page however deep."""
    campaign = _campaign_or_404(slug)
    form, params, problem = _search(request, campaign)
    return _page(request, campaign, form, params, problem)


def _download(request, slug: str, *, chunks, content_type: str, extension: str):
    campaign = _campaign_or_404(slug)
    form, params, problem = _search(request, campaign)
    if problem or not form.is_valid():
        return _page(request, campaign, form, params, problem)
    response = StreamingHttpResponse(chunks(campaign=campaign, filters=form.filters()), content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-ledger-{stamp}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def ledger_csv(request, slug: str):
    """The whole filtered ledger as CSV: UTF-8 with a BOM so Excel reads Vietnamese names."""
    return _download(request, slug, chunks=ledger_csv_chunks, content_type=CSV_CONTENT_TYPE, extension="csv")


@require_GET
def ledger_json(request, slug: str):
    """The whole filtered ledger as one JSON document, each receipt as the API gives it."""
    return _download(request, slug, chunks=_json_chunks, content_type="application/json", extension="json")


def _json_chunks(*, campaign, filters) -> Iterator[bytes]:
    head = {"campaign": campaign.slug, "code": campaign.code, "generated_at": local_time_text(timezone.now())}
    parts = [json.dumps(head, ensure_ascii=False)[:-1] + ', "receipts": [']
    rows: Iterator[LedgerRow] = ledger_rows_stream(campaign=campaign, filters=filters)
    for count, row in enumerate(rows, 1):
        parts.append(("\n" if count == 1 else ",\n") + json.dumps(ledger_row_public(row), ensure_ascii=False))
        if count % ROWS_PER_WRITE == 0:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("\n]}\n")
    yield "".join(parts).encode("utf-8")
