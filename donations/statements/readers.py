"""File bytes → ``(line number, cells)`` rows, streamed, for CSV and XLSX.

CSV cells are strings; XLSX cells are whatever openpyxl reads (``str``, ``int``,
``float``, ``datetime`` or ``None``).  Line numbers are 1-based: the physical line a
CSV record starts on (a quoted cell may span lines) or the worksheet row number.
"""

import codecs
import csv
import io
import os
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice

from .errors import StatementError

Row = tuple[int, Sequence[object]]

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (BIFF) and other OLE files
CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv", ""})
XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
DELIMITERS = (",", ";", "\t")
SNIFF_CHARS = 256 * 1024
SNIFF_ROWS = 200


def open_rows(*, content: bytes, filename: str, score_row: Callable[[list[str]], int]) -> Iterator[Row]:
    """Rows of the statement's first sheet; ``score_row`` rates how header-like a row is (CSV sniffing)."""
    if not content:
        raise StatementError("empty")
    extension = os.path.splitext(filename)[1].lower()
    if content.startswith(XLSX_MAGIC):
        return _until_blank_run(_xlsx_rows(content, filename))
    if content.startswith(OLE_MAGIC) or extension == ".xls":
        raise StatementError("old_excel")
    if extension in XLSX_EXTENSIONS:
        raise StatementError("not_xlsx", filename=filename)
    if extension not in CSV_EXTENSIONS:
        raise StatementError("file_type", extension=extension)
    encoding, start = _text_encoding(content)
    text_check(content)
    sample = _text_start(content, encoding, start, SNIFF_CHARS)
    delimiter = sniff_delimiter(sample, score_row)
    del sample
    return _until_blank_run(csv_rows(_text_lines(_text_blocks(content, encoding, start)), delimiter=delimiter))


MAX_BLANK_RUN = 1_000  # blank lines in a row; a statement has a few at most (between its sections)


def _until_blank_run(rows: Iterator[Row]) -> Iterator[Row]:
    """The rows, refused at the first run of MAX_BLANK_RUN blank lines: a sheet of a million blank or
    formatted rows would otherwise hold a worker for minutes."""
    blank_since = None
    try:
        for line, cells in rows:
            if any(cell is not None and (not isinstance(cell, str) or cell.strip()) for cell in cells):
                blank_since = None
            elif blank_since is None:
                blank_since = line
            elif line - blank_since >= MAX_BLANK_RUN:
                raise StatementError("blank_rows", line=blank_since, count=MAX_BLANK_RUN)
            yield line, cells
    finally:
        rows.close()


# --------------------------------------------------------------------------- CSV


def _text_encoding(content: bytes) -> tuple[str, int]:
    """UTF-8 (BOM optional) or UTF-16 with a BOM: the codec and where the text starts."""
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8", len(codecs.BOM_UTF8)
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0  # the codec reads and drops the BOM
    return "utf-8", 0


def decode_text(content: bytes) -> str:
    """UTF-8 (BOM optional) or UTF-16 with a BOM; anything else is rejected, never guessed."""
    encoding, start = _text_encoding(content)
    body = content[start:] if start else content
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as err:
        line = body[: err.start].decode(encoding, errors="replace").count("\n") + 1
        raise _wrong_encoding(line) from err
    if "\x00" in text:  # UTF-16 without a BOM decodes as "valid" UTF-8 full of NULs
        raise _wrong_encoding(text.count("\n", 0, text.index("\x00")) + 1)
    return text


def _wrong_encoding(line: int) -> StatementError:
    return StatementError("encoding", line=line)


DECODE_BLOCK = 1 << 20  # bytes decoded at a time: a 30 MB statement is never held as one string


def _text_blocks(content: bytes, encoding: str, start: int) -> Iterator[str]:
    """The text of ``content`` from ``start``, decoded a block at a time (strict)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    view = memoryview(content)
    for offset in range(start, len(content), DECODE_BLOCK):
        block = decoder.decode(view[offset : offset + DECODE_BLOCK])
        if block:
            yield block
    block = decoder.decode(b"", final=True)
    if block:
        yield block


def text_check(content: bytes) -> None:
    """Raise what ``decode_text`` raises for this content (wrong encoding, a NUL) without holding its text."""
    encoding, start = _text_encoding(content)
    try:
        for block in _text_blocks(content, encoding, start):
            if "\x00" in block:
                break
        else:
            return
    except UnicodeDecodeError:
        pass
    decode_text(content)  # the whole text, only for a file being rejected: it finds the line as before
    raise _wrong_encoding(1)  # not reached: decode_text refuses what the blocks refused


def _text_start(content: bytes, encoding: str, start: int, size: int) -> str:
    """The first ``size`` characters of the (checked) text."""
    text = ""
    for block in _text_blocks(content, encoding, start):
        text += block
        if len(text) >= size:
            break
    return text[:size]


# Line ends as ``io.StringIO(newline="")`` splits, which the csv module expects: \n, \r\n or \r. Other
# characters that str.splitlines also breaks at send a block the slower way.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _text_lines(blocks: Iterator[str]) -> Iterator[str]:
    """Physical lines (with their line ends) of text given in blocks, as ``io.StringIO(newline="")`` reads them."""
    tail = ""
    for block in blocks:
        text = tail + block if tail else block
        lines = text.splitlines(keepends=True) if _OTHER_BREAKS.search(text) is None else _LINE.findall(text)
        # The last line may go on in the next block (a "\r" may be the first half of "\r\n").
        tail = lines.pop() if lines and (lines[-1][-1] not in "\r\n" or lines[-1][-1] == "\r") else ""
        yield from lines
    if tail:
        yield tail


def sniff_delimiter(text: str, score_row: Callable[[list[str]], int]) -> str:
    """``,``, ``;`` or tab: the one whose split yields the most header-like row.

    Title lines, amounts written as ``1,000,000`` and commas in transfer texts fool
    character counting, so each candidate is judged on the rows it produces: first by
    the best header score, then by how many rows share the most common width.
    """
    sample = text[:SNIFF_CHARS]
    best_key: tuple[int, int, int, int] | None = None
    best = DELIMITERS[0]
    for preference, delimiter in enumerate(DELIMITERS):
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        try:
            rows = list(islice(reader, SNIFF_ROWS))
        except csv.Error:
            continue
        header_score = max((score_row([cell.strip() for cell in row]) for row in rows), default=0)
        widths = Counter(len(row) for row in rows if len(row) >= 3)
        width, consistent = widths.most_common(1)[0] if widths else (0, 0)
        key = (header_score, consistent, width, -preference)
        if best_key is None or key > best_key:
            best_key, best = key, delimiter
    return best


def csv_rows(text: str | Iterable[str], *, delimiter: str) -> Iterator[Row]:
    """Rows of CSV text, given whole or as its physical lines (``_text_lines``)."""
    lines = io.StringIO(text, newline="") if isinstance(text, str) else text
    reader = csv.reader(lines, delimiter=delimiter)
    previous_line = 0
    try:
        for cells in reader:
            yield previous_line + 1, cells
            previous_line = reader.line_num
    except csv.Error as err:
        line = reader.line_num or previous_line + 1
        raise StatementError("damaged", line=line, error=str(err)) from err


# -------------------------------------------------------------------------- XLSX


def _xlsx_rows(content: bytes, filename: str) -> Iterator[Row]:
    # Imported here: openpyxl is only needed when someone uploads a workbook.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as err:
        raise StatementError("not_xlsx", filename=filename) from err
    if not workbook.worksheets:
        workbook.close()
        raise StatementError("no_worksheet")
    return _sheet_rows(workbook)


def _sheet_rows(workbook) -> Iterator[Row]:
    try:
        sheet = workbook.worksheets[0]
        # Bank exports often declare a wrong <dimension>; read what is really there.
        sheet.reset_dimensions()
        # openpyxl fills gaps between stored rows, so the count is the sheet row number.
        for number, cells in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            yield number, cells
    finally:
        workbook.close()
