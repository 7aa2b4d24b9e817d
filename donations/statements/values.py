"""Cell values → text, header keys, dates and whole-đồng amounts.

Cells come either from CSV (always ``str``) or from openpyxl (``str``, ``int``,
``float``, ``datetime`` or ``None``).  The parse functions raise ``ValueError``
(``FractionalAmount`` for a fraction of a đồng); the caller adds line and column.
"""

import datetime
import math
import re
import unicodedata
from decimal import Decimal

from campaigns.text import strip_diacritics

_WHITESPACE = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
# "Số tiền ghi có/Credit", "Nợ / Debit", "Ghi có (Credit)", "Số dư\nBalance", "Ngày GD - Date"
_BILINGUAL_SPLIT = re.compile(r"[/|()\[\]\n]|\s[-–]\s")

_DATE = re.compile(
    r"(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})"
    r"(?:(?:\s+-\s+|\s+|T)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
_ISO_DATE = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[ T](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)

_CURRENCY_SUFFIX = re.compile(r"\s*(?:vnd|vnđ|đ|đồng)\.?$", re.IGNORECASE)
_PLAIN = re.compile(r"\d+")
_GROUPED = re.compile(r"\d{1,3}(?P<sep>[.,  ])\d{3}(?:(?P=sep)\d{3})*")
# 1,000,000.00 or 1000000.00 / 1.000.000,00 or 1000000,00
_DOT_DECIMAL = re.compile(r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)\.(?P<frac>\d{1,2})")
_COMMA_DECIMAL = re.compile(r"(?P<int>\d{1,3}(?:\.\d{3})+|\d+),(?P<frac>\d{1,2})")
_EMPTY_AMOUNTS = frozenset({"", "-", "–", "—"})


# No amount or balance of a bank statement comes near a million tỷ đồng; a number beyond it is a
# damaged cell, and would not fit the database's integers anyway.
MAX_STATEMENT_AMOUNT = 10**15


class FractionalAmount(ValueError):
    """The amount is a number, but not a whole number of đồng."""


class AmountTooLarge(ValueError):
    """The amount is a whole number, but larger than ``MAX_STATEMENT_AMOUNT``."""


def collapse(text: str) -> str:
    """Collapse runs of whitespace (spaces, tabs, newlines) to one space and strip."""
    return " ".join(text.split())  # what _WHITESPACE.sub(" ", text).strip() gives: the same whitespace


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """A cell as whitespace-collapsed text; whole floats lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return collapse(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return collapse(str(value))


def fold(text: str) -> str:
    """Lower-case ASCII key: no diacritics (đ → d), punctuation as single spaces."""
    return _NOT_ALNUM.sub(" ", strip_diacritics(text).lower()).strip()


def header_keys(text: str) -> frozenset[str]:
    """Folded names a header cell answers to: the whole cell and each bilingual part."""
    keys = {_header_key(text)}
    keys.update(_header_key(part) for part in _BILINGUAL_SPLIT.split(text))
    keys.discard("")
    return frozenset(keys)


def _header_key(text: str) -> str:
    key = fold(text)
    if key == "no":
        # "Nợ" (debit) and the row number "No." fold alike; an all-capitals "NO" is the debit
        # of an export without diacritics, any other spelling the row number.
        plain = unicodedata.normalize("NFC", text.strip())
        if "ợ" not in plain.lower() and plain != "NO":
            return "stt"
    return key


def parse_date(value: object) -> datetime.datetime:
    """``dd/mm/yyyy``, ``dd-mm-yyyy`` (optionally `` HH:MM[:SS]``), ISO, or an XLSX date cell."""
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip()
    if len(text) == 19 and text[2] == text[5] == "/" and text[10] == " " and text[13] == text[16] == ":":
        # dd/mm/yyyy HH:MM:SS, as most banks write it: what _DATE reads, without the regular expression
        digits = text[:2] + text[3:5] + text[6:10] + text[11:13] + text[14:16] + text[17:]
        if digits.isascii() and digits.isdigit():
            return datetime.datetime(
                int(text[6:10]), int(text[3:5]), int(text[:2]), int(text[11:13]), int(text[14:16]), int(text[17:])
            )
    match = _DATE.fullmatch(text) or _ISO_DATE.fullmatch(text)
    if match is None:
        raise ValueError(value)
    parts = match.groupdict()
    # datetime() itself rejects 31/02/2024, month 13 and hour 25.
    return datetime.datetime(
        int(parts["y"]),
        int(parts["m"]),
        int(parts["d"]),
        int(parts["H"] or 0),
        int(parts["M"] or 0),
        int(parts["S"] or 0),
    )


def parse_amount(value: object) -> int | None:
    """Whole đồng from ``1.000.000``, ``1,000,000``, ``1 000 000 VND``, ``-50.000 đ`` or a number cell.

    Returns ``None`` for an empty cell (or a lone dash).  Both ``.`` and ``,`` are
    thousands separators when they group digits by three; a trailing one- or two-digit
    part after the other separator is decimals, accepted only when zero.  Raises
    ``AmountTooLarge`` beyond ``MAX_STATEMENT_AMOUNT`` either way.
    """
    amount = _parse_amount(value)
    if amount is not None and abs(amount) > MAX_STATEMENT_AMOUNT:
        raise AmountTooLarge(value)
    return amount


def _parse_amount(value: object) -> int | None:
    if type(value) is str:  # CSV cells, and most XLSX ones
        return _parse_amount_text(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)):
        if not math.isfinite(value):
            raise ValueError(value)
        if value != int(value):
            raise FractionalAmount(value)
        return int(value)
    if not isinstance(value, str):
        raise ValueError(value)
    return _parse_amount_text(value)


def _parse_amount_text(value: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if text.isdecimal():  # what _PLAIN matches, without the steps below (they change no such text)
        return int(text)
    if "\u00a0" in text or "\u202f" in text:
        text = text.replace("\u00a0", " ").replace("\u202f", " ").strip()
    if not text[-1].isdigit():
        text = _CURRENCY_SUFFIX.sub("", text).strip()
    if text in _EMPTY_AMOUNTS:
        return None
    sign = 1
    if text.startswith("(") and text.endswith(")"):  # accounting style (50,000)
        sign, text = -1, text[1:-1].strip()
    if text[:1] in "+-":
        sign, text = (-sign if text[0] == "-" else sign), text[1:].strip()
    if _PLAIN.fullmatch(text):
        return sign * int(text)
    grouped = _GROUPED.fullmatch(text)
    if grouped:
        return sign * int(text.replace(grouped["sep"], ""))
    decimal = _DOT_DECIMAL.fullmatch(text) or _COMMA_DECIMAL.fullmatch(text)
    if decimal:
        if int(decimal["frac"]):
            raise FractionalAmount(value)
        return sign * int(re.sub(r"[.,]", "", decimal["int"]))
    raise ValueError(value)
