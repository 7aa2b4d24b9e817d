"""The campaign journal's canonical form and hash rule: pure functions, no database.

Every ledger event of a campaign (a receipt, an allocation, their reversals, a disbursement) is
written as one line of text, its *canonical form*, and chained:

    hash(n) = SHA-256( hash(n-1) + canonical(n) )        hash(0) = GENESIS (64 zeros)

both strings UTF-8, hashes as 64 lowercase hex digits. The README documents the format; anyone can
re-check a downloaded journal with a few lines in any language.
"""

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

FORMAT_VERSION = "1"
GENESIS = "0" * 64

# The fields of a canonical line, in order, separated by "|".
FIELDS = (
    "version",  # FORMAT_VERSION
    "campaign",  # campaign transfer code, e.g. YAGI24
    "sequence",  # position in the campaign's journal, from 1
    "event",  # receipt, receipt_reversal, allocation, allocation_reversal, disbursement, …
    "number",  # the entry's public number, e.g. YAGI24-000123 or YAGI24-PB000004
    "time",  # receipts: received at (UTC, 2024-09-12T08:15:00Z); allocations: decision date (2024-09-20)
    "kind",  # cash or goods
    "channel",  # receipts: bank, cash_desk, goods; otherwise empty
    "amount",  # signed whole đồng, empty for goods
    "goods",  # category:quantity:estimated value;… sorted by category, quantity without trailing zeros
    "name",  # public name as the donor chose it (receipts), empty otherwise
    "province",  # allocations: map year and code of the province, e.g. 2025:15
    "reverses",  # number of the entry a reversal corrects
    "date",  # disbursement: the day it was handed over
)


@dataclass(frozen=True)
class JournalEvent:
    """One event about to be journalled: what happened to which entry, and its public fields."""

    event: str
    number: str
    values: dict[str, str]


_ESCAPES = str.maketrans({"\\": "\\\\", "|": "\\|", "\n": "\\n", "\r": "\\r"})
_FIELD_NAMES = frozenset(FIELDS)
_VALUE_FIELDS = FIELDS[5:]  # those after version, campaign, sequence, event and number


def escape(value: str) -> str:
    """Backslash, bar, line feed and carriage return are escaped so a line always splits the same way."""
    return value.translate(_ESCAPES)


def canonical_text(*, campaign_code: str, sequence: int, event: JournalEvent) -> str:
    values = event.values
    if not values.keys() <= _FIELD_NAMES:
        raise ValueError(f"not journal fields: {sorted(set(values) - _FIELD_NAMES)}")
    get = values.get
    fields = [
        FORMAT_VERSION, campaign_code, str(sequence), event.event, event.number,
        *[get(name, "") for name in _VALUE_FIELDS],
    ]
    everything = "".join(fields)
    if "\\" in everything or "|" in everything or "\n" in everything or "\r" in everything:
        fields = [escape(field) for field in fields]
    return "|".join(fields)


def chain_hash(previous: str, canonical: str) -> str:
    return hashlib.sha256((previous + canonical).encode("utf-8")).hexdigest()


def utc_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def decimal_plain(number: Decimal) -> str:
    """1500.500 → `1500.5`, 2000.000 → `2000`, -3 → `-3`: no exponent, no trailing zeros."""
    text = f"{number.normalize():f}"
    return text if text != "-0" else "0"


def goods_text(lines: Iterable[tuple[str, Decimal, int | None]]) -> str:
    """(category slug, quantity, estimated value) lines → `rice:1500.5:30000000;water:200:`."""
    return ";".join(
        f"{slug}:{decimal_plain(quantity)}:{'' if value is None else value}"
        for slug, quantity, value in sorted(lines, key=lambda line: (line[0], line[1]))
    )
