"""The public ledger of receipts: filters, keyset paging and streamed rows, public fields only.

Reads the receipts ledger itself (the only public read that does), loading nothing but what the
public may see: number, time received, kind, channel, amount, goods lines, the public name as the
donor chose it, and which entry a reversal corrects. Never the donor, the pledge or the bank
transaction behind a receipt.

Paging is by keyset, never by offset, so a page a million rows deep costs what the first one does:
a page is "the next N rows after (sort value, sequence)", a position carried by an opaque cursor.
"""

import datetime
import hashlib
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.translation import get_language

from campaigns.models import Campaign, ItemCategory
from campaigns.text import search_key
from donations.models import Receipt, ReceiptItem
from ledger.journal import goods_text

from .exports import BOM, FORMULA_START, PLAIN_NUMBER, csv_chunks, local_time_text
from .models import CampaignTotals
from .selectors import campaign_figures_version

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50
# A search is counted up to here, then "more than 1.000": counting further means reading every
# matching row (10,000 rows of a common name cost several times the page itself; see bench/ledger_read.py).
COUNT_CAP = 1_000
STREAM_CHUNK = 5_000
VIETNAM = zoneinfo.ZoneInfo(settings.TIME_ZONE)
CACHE_SECONDS = 600

NEWEST, OLDEST, LARGEST, SMALLEST = "newest", "oldest", "largest", "smallest"
FORWARD, BACKWARD = "n", "p"


# --- what the public sees of a receipt -------------------------------------------------------------


class LedgerGoods(NamedTuple):
    """One goods line of a receipt: the category's slug and unit code, and their words in the reader's language."""

    category: str
    name: str
    unit: str
    unit_label: str
    quantity: Decimal
    estimated_value: int | None


class LedgerRow(NamedTuple):
    """One row of the ledger as the public sees it (a tuple: a million of them stream quickly)."""

    number: str
    sequence: int
    received_at: datetime.datetime
    kind: str
    channel: str
    amount: int | None
    public_name: str
    reverses: str = ""  # the number of the receipt this reversal corrects
    reversed_by: str = ""  # the number of the reversal that corrects this receipt
    goods: tuple[LedgerGoods, ...] = ()

    @property
    def is_reversal(self) -> bool:
        return bool(self.reverses)

    @property
    def channel_label(self) -> str:
        return Receipt.Channel(self.channel).label


# --- filters --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilters:
    """What a reader asked for. `number` is ("receipt", campaign code or "", sequence) or ("pledge", reference)."""

    name: str = ""
    amount: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    number: tuple = ()
    sort: str = NEWEST

    @property
    def is_empty(self) -> bool:
        return not (self.name and search_key(self.name)) and self.amount is None and not (
            self.date_from or self.date_to or self.number
        )

    def cache_text(self) -> str:
        return repr((search_key(self.name), self.amount, self.date_from, self.date_to, self.number, self.sort))


def _vietnam_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=VIETNAM)


def _filtered(*, campaign: Campaign, filters: LedgerFilters) -> QuerySet[Receipt]:
    receipts = Receipt.objects.filter(campaign_id=campaign.pk)
    key = search_key(filters.name)
    if key:
        receipts = receipts.filter(search_name__contains=key)  # a trigram index serves this on PostgreSQL
    if filters.amount is not None:
        receipts = receipts.filter(amount__in=[filters.amount, -filters.amount])  # and its reversal
    if filters.date_from:
        receipts = receipts.filter(received_at__gte=_vietnam_midnight(filters.date_from))
    if filters.date_to:
        receipts = receipts.filter(received_at__lt=_vietnam_midnight(filters.date_to + datetime.timedelta(days=1)))
    if filters.number:
        receipts = receipts.filter(_number_condition(campaign=campaign, number=filters.number))
    return receipts


def _number_condition(*, campaign: Campaign, number: tuple) -> Q:
    """A pledge reference finds the pledge's receipts; a receipt number finds the receipt and its
    reversal (or the reversal and the receipt it corrects), side by side."""
    if number[0] == "pledge":
        return Q(pledge__reference=number[1])
    _receipt, code, sequence = number
    wanted = Receipt.number_for(campaign_code=code or campaign.code, sequence=sequence)
    found = Receipt.objects.filter(campaign_id=campaign.pk, number=wanted).values("pk", "reverses_id").first()
    if found is None:
        return Q(pk__in=[])
    return Q(pk=found["pk"]) | Q(reverses_id=found["pk"]) | Q(pk=found["reverses_id"])


# --- sorting and keyset positions -----------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    """A run of the sorted ledger: rows matching `only`, in (`field`, sequence) order.

    Sorting by amount has two runs: cash by amount, then goods (which have no amount) by number.
    """

    only: dict
    field: str | None
    descending: bool

    def key(self, row: dict):
        return row[self.field] if self.field else None

    def ordering(self, *, backwards: bool) -> list:
        descending = self.descending != backwards
        fields = [self.field, "sequence"] if self.field else ["sequence"]
        return [F(name).desc() if descending else F(name).asc() for name in fields]

    def beyond(self, value, sequence: int, *, backwards: bool):
        """The rows after (value, sequence) in this run's order, or before it when going backwards:
        a row comparison, `(amount, sequence) < (500000, 812)`, which an index on (campaign, amount,
        sequence) answers directly however many rows share the amount."""
        smaller = self.descending != backwards
        if self.field is None:
            return Q(sequence__lt=sequence) if smaller else Q(sequence__gt=sequence)
        lookup = TupleLessThan if smaller else TupleGreaterThan
        return lookup(Tuple(F(self.field), F("sequence")), (value, sequence))


SORTS: dict[str, tuple[_Segment, ...]] = {
    NEWEST: (_Segment({}, "received_at", True),),
    OLDEST: (_Segment({}, "received_at", False),),
    LARGEST: (_Segment({"amount__isnull": False}, "amount", True), _Segment({"amount__isnull": True}, None, True)),
    SMALLEST: (_Segment({"amount__isnull": False}, "amount", False), _Segment({"amount__isnull": True}, None, False)),
}


@dataclass(frozen=True)
class LedgerCursor:
    """A position in the sorted ledger: which sort, which run of it, the row's (value, sequence),
    and whether the page is the rows after it or before it."""

    sort: str
    segment: int
    value: object
    sequence: int
    direction: str = FORWARD


class LedgerCursorError(ValueError):
    """A cursor that was not made here or was altered."""


class LedgerCursorOtherSort(LedgerCursorError):
    """A cursor of another sort order than the one asked for."""


_CURSOR_SALT = "transparency.ledger.cursor"


def ledger_cursor_encode(*, cursor: LedgerCursor) -> str:
    """An opaque, signed token: base64 of a small JSON and a short signature, safe in a URL."""
    value = cursor.value.isoformat() if isinstance(cursor.value, datetime.datetime) else cursor.value
    payload = {"o": cursor.sort, "g": cursor.segment, "k": value, "n": cursor.sequence, "d": cursor.direction}
    return signing.Signer(salt=_CURSOR_SALT).sign_object(payload)


def ledger_cursor_decode(*, token: str, sort: str) -> LedgerCursor:
    """The position a token names, for the given sort order; LedgerCursorError for anything else."""
    try:
        payload = signing.Signer(salt=_CURSOR_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as exc:
        raise LedgerCursorError("bad cursor") from exc
    if not isinstance(payload, dict) or set(payload) != {"o", "g", "k", "n", "d"}:
        raise LedgerCursorError("bad cursor")
    if payload["o"] != sort:
        raise LedgerCursorOtherSort("other sort")
    segments = SORTS[sort]
    segment, value, sequence, direction = payload["g"], payload["k"], payload["n"], payload["d"]
    if type(segment) is not int or not 0 <= segment < len(segments) or direction not in (FORWARD, BACKWARD):
        raise LedgerCursorError("bad cursor")
    if type(sequence) is not int or not 0 < sequence < 2**31:
        raise LedgerCursorError("bad cursor")
    kind = segments[segment].field
    if kind == "received_at":
        try:
            value = datetime.datetime.fromisoformat(value)
        except (TypeError, ValueError) as exc:
            raise LedgerCursorError("bad cursor") from exc
        if value.tzinfo is None:
            raise LedgerCursorError("bad cursor")
    elif kind == "amount":
        if type(value) is not int or not -(2**63) < value < 2**63:
            raise LedgerCursorError("bad cursor")
    elif value is not None:
        raise LedgerCursorError("bad cursor")
    return LedgerCursor(sort=sort, segment=segment, value=value, sequence=sequence, direction=direction)


# --- one page -------------------------------------------------------------------------------------

PAGE_FIELDS = (
    "pk", "number", "sequence", "received_at", "kind", "channel", "amount", "public_name",
    "reverses__number", "reversed_by__number",
)


@dataclass(frozen=True)
class LedgerPage:
    rows: list[LedgerRow]
    count: int
    count_capped: bool  # more than `count` receipts match
    next_cursor: str | None
    previous_cursor: str | None
    cash_received: int | None = None  # the published figure, for the page's heading
    stale_cursor: bool = False  # the cursor pointed past the end: nothing there any more


def _count(
    *, campaign: Campaign, filters: LedgerFilters, base: QuerySet, published: int | None
) -> tuple[int, bool, QuerySet]:
    """How many rows the ledger shows, and where to read the page from.

    Without filters the count is exact and free: the published count of receipts, plus each reversal
    and the receipt it cancels, which that count leaves out. With filters the matches are listed up
    to COUNT_CAP: when there are no more than that, the page is read from those rows alone (a search
    by a rare name never walks the whole ledger in time order looking for them).
    """
    if filters.is_empty and published is not None:
        reversals = Receipt.objects.filter(campaign_id=campaign.pk, reverses__isnull=False).count()
        return published + 2 * reversals, False, base
    matches = list(base.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])
    if len(matches) > COUNT_CAP:
        return COUNT_CAP, True, base
    return len(matches), False, Receipt.objects.filter(pk__in=matches)


def _page_rows(*, base: QuerySet, segments, cursor: LedgerCursor | None, want: int) -> list[tuple[int, dict]]:
    backwards = cursor is not None and cursor.direction == BACKWARD
    start = cursor.segment if cursor else 0
    order = range(start, -1, -1) if backwards else range(start, len(segments))
    found: list[tuple[int, dict]] = []
    for index in order:
        segment = segments[index]
        rows = base.filter(**segment.only)
        if cursor is not None and index == start:
            rows = rows.filter(segment.beyond(cursor.value, cursor.sequence, backwards=backwards))
        rows = rows.order_by(*segment.ordering(backwards=backwards)).values(*PAGE_FIELDS)[: want - len(found)]
        found += [(index, row) for row in rows]
        if len(found) >= want:
            break
    return found


def ledger_page_get(
    *, campaign: Campaign, filters: LedgerFilters, cursor: LedgerCursor | None = None, size: int = DEFAULT_PAGE_SIZE
) -> LedgerPage:
    """One page of the ledger: at most `size` rows after (or before) the cursor, and the cursors of
    the pages either side. A fixed number of queries whatever the depth."""
    segments = SORTS[filters.sort]
    totals = CampaignTotals.objects.filter(campaign_id=campaign.pk).values("receipts", "cash_received").first() or {}
    count, capped, base = _count(
        campaign=campaign, filters=filters, base=_filtered(campaign=campaign, filters=filters),
        published=totals.get("receipts"),
    )
    backwards = cursor is not None and cursor.direction == BACKWARD
    found = _page_rows(base=base, segments=segments, cursor=cursor, want=size + 1)
    if backwards and len(found) <= size:
        # Back at the start of the ledger: show the first page in full.
        cursor, backwards = None, False
        found = _page_rows(base=base, segments=segments, cursor=None, want=size + 1)
    more = len(found) > size
    found = found[:size]
    if backwards:
        found.reverse()
    has_next = (more and not backwards) or (backwards and bool(found))
    has_previous = (more and backwards) or (cursor is not None and not backwards and bool(found))

    def token(position: tuple[int, dict], direction: str) -> str:
        index, row = position
        return ledger_cursor_encode(cursor=LedgerCursor(
            sort=filters.sort, segment=index, value=segments[index].key(row), sequence=row["sequence"],
            direction=direction,
        ))

    return LedgerPage(
        rows=_with_goods([row for _index, row in found]),
        count=count,
        count_capped=capped,
        next_cursor=token(found[-1], FORWARD) if has_next else None,
        previous_cursor=token(found[0], BACKWARD) if has_previous else None,
        cash_received=totals.get("cash_received"),
        stale_cursor=cursor is not None and not found,
    )


def _goods_lines(receipt_ids: list[int]) -> dict[int, list[LedgerGoods]]:
    if not receipt_ids:
        return {}
    english = (get_language() or "vi").startswith("en")
    lines: dict[int, list[LedgerGoods]] = {}
    for receipt_id, slug, name_vi, name_en, unit, quantity, value in (
        ReceiptItem.objects.filter(receipt_id__in=receipt_ids)
        .order_by("receipt_id", "category__position", "category__slug", "pk")
        .values_list("receipt_id", "category__slug", "category__name_vi", "category__name_en", "category__unit",
                     "quantity", "estimated_value")
    ):
        lines.setdefault(receipt_id, []).append(LedgerGoods(
            category=slug, name=name_en if english else name_vi, unit=unit,
            unit_label=str(ItemCategory.Unit(unit).label), quantity=quantity, estimated_value=value,
        ))
    return lines


def _with_goods(rows: list[dict]) -> list[LedgerRow]:
    goods = _goods_lines([row["pk"] for row in rows if row["kind"] == "goods"])
    return [
        LedgerRow(
            number=row["number"], sequence=row["sequence"], received_at=row["received_at"], kind=row["kind"],
            channel=row["channel"], amount=row["amount"], public_name=row["public_name"],
            reverses=row["reverses__number"] or "", reversed_by=row["reversed_by__number"] or "",
            goods=tuple(goods.get(row["pk"], ())),
        )
        for row in rows
    ]


def ledger_page_cached(
    *, campaign: Campaign, filters: LedgerFilters, cursor: LedgerCursor | None, cursor_token: str, size: int
) -> LedgerPage:
    """`ledger_page_get`, kept per figures version, query and language: a refresh of the campaign's
    figures (every ledger change) makes every cached page stale at once."""
    version = campaign_figures_version(campaign_id=campaign.pk)
    query = f"{filters.cache_text()}|{size}|{cursor_token}".encode("utf-8", "surrogatepass")
    key = f"transparency:ledger:{campaign.pk}:{version}:{get_language()}:{hashlib.sha256(query).hexdigest()}"
    try:
        page = cache.get(key)
    except Exception:  # a cache outage: read the database
        page = None
    if page is None:
        page = ledger_page_get(campaign=campaign, filters=filters, cursor=cursor, size=size)
        try:
            cache.set(key, page, CACHE_SECONDS)
        except Exception:
            pass
    return page


# --- the whole ledger, streamed ------------------------------------------------------------------

STREAM_FIELDS = ("pk", "number", "sequence", "received_at", "kind", "channel", "amount", "public_name", "reverses_id")


def ledger_rows_stream(
    *, campaign: Campaign, filters: LedgerFilters, chunk_size: int = STREAM_CHUNK
) -> Iterator[LedgerRow]:
    """Every row of the filtered ledger in the chosen order, read in chunks through a server-side
    cursor (PostgreSQL) so memory stays flat however long the ledger is, all from one snapshot (one
    transaction): a download adds up whatever is being recorded meanwhile.

    Reversals are few: their links are read once, up front; goods lines once per chunk.
    """
    with transaction.atomic():
        reversals = list(
            Receipt.objects.filter(campaign_id=campaign.pk, reverses__isnull=False)
            .values_list("reverses_id", "reverses__number", "number")
        )
        original_number = {pk: number for pk, number, _reversal in reversals}
        reversed_by = {pk: reversal for pk, _number, reversal in reversals}
        for ordered in _segments_in_order(campaign=campaign, filters=filters):
            rows = ordered.values_list(*STREAM_FIELDS).iterator(chunk_size=chunk_size)
            while chunk := list(islice(rows, chunk_size)):
                goods = _goods_lines([row[0] for row in chunk if row[4] == "goods"])
                for pk, number, sequence, received_at, kind, channel, amount, public_name, reverses_id in chunk:
                    yield LedgerRow(
                        number, sequence, received_at, kind, channel, amount, public_name,
                        original_number[reverses_id] if reverses_id else "", reversed_by.get(pk, ""),
                        tuple(goods.get(pk, ())),
                    )


def _segments_in_order(*, campaign: Campaign, filters: LedgerFilters) -> Iterator[QuerySet]:
    base = _filtered(campaign=campaign, filters=filters)
    for segment in SORTS[filters.sort]:
        yield base.filter(**segment.only).order_by(*segment.ordering(backwards=False))


CSV_COLUMNS = ("number", "time", "kind", "channel", "amount", "goods", "public_name", "reverses")


def _sql_csv_cell(sql: str) -> str:
    """`exports.csv_safe` and the csv module's minimal quoting, in SQL, of the text `sql` evaluates to."""
    starts = ", ".join(f"chr({ord(ch)})" for ch in FORMULA_START)
    safe = (f"CASE WHEN left({sql}, 1) IN ({starts}) AND {sql} !~ '^(?:{PLAIN_NUMBER.pattern})$' "
            f"THEN chr(39) || {sql} ELSE {sql} END")
    needs_quotes = " + ".join(f"strpos({sql}, chr({ord(ch)}))" for ch in ',"\r\n') + " > 0"
    quoted = f"chr(34) || replace({safe}, chr(34), chr(34) || chr(34)) || chr(34)"
    return f"CASE WHEN {needs_quotes} THEN {quoted} ELSE {safe} END"


# One line of the CSV, written by PostgreSQL: the time in the session's time zone (set to Vietnam's),
# goods as the journal writes them (`drinking-water:20:;rice:1500.5:`), text cells made safe and
# quoted as `exports.csv_chunks` writes them: the same bytes (the tests hold both to it).
_RECEIPT = '"donations_receipt"'
_CSV_LINE_SQL = " || ',' || ".join((
    f"{_RECEIPT}.number",
    f"""to_char({_RECEIPT}.received_at, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM')""",
    f"{_RECEIPT}.kind",
    f"{_RECEIPT}.channel",
    f"coalesce({_RECEIPT}.amount::text, '')",
    f"""CASE WHEN {_RECEIPT}.kind = 'goods' THEN coalesce((
        SELECT {_sql_csv_cell("lines.goods")} FROM (
            SELECT string_agg(c.slug || ':' || trim_scale(i.quantity)::text || ':'
                              || coalesce(i.estimated_value::text, ''), ';' ORDER BY c.slug, i.quantity) AS goods
            FROM donations_receiptitem i JOIN campaigns_itemcategory c ON c.id = i.category_id
            WHERE i.receipt_id = {_RECEIPT}.id) AS lines), '') ELSE '' END""",
    _sql_csv_cell(f"{_RECEIPT}.public_name"),
    f"""CASE WHEN {_RECEIPT}.reverses_id IS NULL THEN '' ELSE (
        SELECT r.number FROM donations_receipt r WHERE r.id = {_RECEIPT}.reverses_id) END""",
))


def ledger_csv_chunks(
    *, campaign: Campaign, filters: LedgerFilters, chunk_size: int = STREAM_CHUNK
) -> Iterator[bytes]:
    """The filtered ledger as a CSV file (BOM, header, CRLF lines), a few thousand lines at a time.

    On PostgreSQL the database writes each line, so a million rows cost little more than reading
    them; elsewhere `exports.csv_chunks` writes the rows of `ledger_rows_stream`.
    """
    if connection.vendor != "postgresql":
        yield from csv_chunks(_csv_rows(ledger_rows_stream(campaign=campaign, filters=filters, chunk_size=chunk_size)))
        return
    yield (BOM + ",".join(CSV_COLUMNS) + "\r\n").encode("utf-8")
    with transaction.atomic():  # one snapshot, and a cursor that streams instead of being held whole
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL TIME ZONE %s", [settings.TIME_ZONE])
        for ordered in _segments_in_order(campaign=campaign, filters=filters):
            lines = ordered.annotate(csv_line=RawSQL(_CSV_LINE_SQL, ())).values_list("csv_line", flat=True)
            lines = lines.iterator(chunk_size=chunk_size)
            while chunk := list(islice(lines, chunk_size)):
                yield ("\r\n".join(chunk) + "\r\n").encode("utf-8")


def _csv_rows(rows: Iterator[LedgerRow]) -> Iterator[tuple]:
    yield CSV_COLUMNS
    for row in rows:
        goods = goods_text((line.category, line.quantity, line.estimated_value) for line in row.goods)
        yield (row.number, local_time_text(row.received_at), row.kind, row.channel, row.amount, goods,
               row.public_name, row.reverses)


# --- the public form of a row (API answers and the JSON download) ---------------------------------


def ledger_row_public(row: LedgerRow) -> dict:
    return {
        "number": row.number,
        "received_at": local_time_text(row.received_at),
        "kind": row.kind,
        "channel": row.channel,
        "amount": row.amount,
        "goods": [
            {"category": line.category, "quantity": f"{line.quantity:.3f}", "unit": line.unit,
             "estimated_value": line.estimated_value}
            for line in row.goods
        ],
        "public_name": row.public_name,
        "reverses": row.reverses or None,
        "reversed_by": row.reversed_by or None,
    }

