"""Writing open data as CSV: UTF-8 with a byte-order mark (so spreadsheets read Vietnamese right),
every cell neutralised against formula injection, long files streamed; and the HXL 3W file.

`csv_safe` is the one place a cell is made safe; every CSV the portal writes goes through it.
"""

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

BOM = "\ufeff"
# A spreadsheet reads a cell starting with one of these as a formula (tab and carriage return too,
# as some of them strip those first).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# Rows are sent in chunks of about this many characters, not one write per row.
CHUNK_CHARS = 64 * 1024


def csv_safe(value) -> str:
    """The text of one CSV cell, a leading `'` added where a spreadsheet would run it as a formula.

    `None` is the empty cell; a plain signed number (`-500000`, `-1.5`) is kept as it is, since a
    negative amount is data, not a formula.
    """
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = f"{value:f}"
    else:
        text = str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def local_time_text(moment) -> str:
    """A moment in Vietnam time, ISO 8601 with its offset, to the second: `2024-09-12T15:15:00+07:00`."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


class _Line:
    """A file-like object whose write() hands back what csv.writer wrote: one row as text."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(rows: Iterable[Sequence]) -> Iterator[bytes]:
    """The CSV text of `rows` (header rows included), BOM first, in UTF-8 chunks for streaming."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    buffer, size = [BOM], 1
    for row in rows:
        line = writer.writerow([csv_safe(value) for value in row])
        buffer.append(line)
        size += len(line)
        if size >= CHUNK_CHARS:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def csv_bytes(rows: Iterable[Sequence]) -> bytes:
    return b"".join(csv_chunks(rows))


def _disposition(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def csv_response(content: bytes, *, filename: str) -> HttpResponse:
    return HttpResponse(content, content_type=CSV_CONTENT_TYPE, headers=_disposition(filename))


def csv_streaming_response(rows: Iterable[Sequence], *, filename: str) -> StreamingHttpResponse:
    """A long file, written while it is sent: memory stays flat whatever the number of rows."""
    return StreamingHttpResponse(csv_chunks(rows), content_type=CSV_CONTENT_TYPE, headers=_disposition(filename))


def table_rows(records: Iterable[dict], columns: Sequence[str]) -> Iterator[list]:
    """A header row of column names, then each record's values in that order."""
    yield list(columns)
    for record in records:
        yield [record.get(name) for name in columns]


# --- the 3W file in HXL ------------------------------------------------------------------------
#
# Who does what where: one row per allocation line (a cash allocation is one row, a goods
# allocation one row per item category), every allocation of the ledger including reversals (a
# negative value), so each column sums to the published figure. People and households reached
# (from the distribution reports) sit on the first row of their allocation only, for the same reason.

HXL_3W_COLUMNS: tuple[tuple[str, str, str], ...] = (
    # (key, header, HXL hashtag)
    ("org", "Organisation", "#org"),
    ("sector", "Sector", "#sector"),
    ("sector_code", "Sector code", "#sector+code"),
    ("province", "Province", "#adm1+name"),
    ("province_code", "Province code", "#adm1+code"),
    ("date", "Date", "#date"),
    ("status", "Status", "#status"),
    ("allocation", "Allocation", "#activity+code"),
    ("decision", "Decision", "#meta+decision"),
    ("reverses", "Reverses", "#meta+reverses"),
    ("quantity", "Quantity", "#output+num"),
    ("unit", "Unit", "#output+unit"),
    ("value", "Value (VND)", "#value"),
    ("currency", "Currency", "#currency"),
    ("people", "People reached", "#reached"),
    ("households", "Households reached", "#reached+households"),
)


def hxl_3w_rows(records: Iterable[dict]) -> Iterator[list]:
    """The header row, the HXL hashtag row under it (as HDX expects), then one row per record."""
    yield [header for _key, header, _tag in HXL_3W_COLUMNS]
    yield [tag for _key, _header, tag in HXL_3W_COLUMNS]
    for record in records:
        yield [record.get(key) for key, _header, _tag in HXL_3W_COLUMNS]
