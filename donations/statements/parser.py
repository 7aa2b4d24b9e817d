"""Bank statement file → ``ParsedStatement``: find the header, then convert rows one by one."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from itertools import chain, islice

from .errors import StatementError
from .inference import SAMPLE_ROWS, complete_header
from .layouts import (
    AMOUNT,
    BALANCE,
    CREDIT,
    DATE,
    DEBIT,
    DESCRIPTION,
    DIRECTION,
    REFERENCE,
    Header,
    check_mapping,
    find_account_number,
    header_score,
    likely_header,
    match_layout,
    match_mapping,
)
from .readers import Row, open_rows
from .records import ColumnMapping, ParsedStatement, StatementRow
from .values import (
    AmountTooLarge,
    FractionalAmount,
    cell_text,
    fold,
    is_blank,
    parse_amount,
    parse_date,
)

HEADER_SCAN_ROWS = 200  # title lines above the table; a header further down is not a statement
SUMMARY_MARKERS = tuple(
    fold(marker)
    for marker in (
        "Số dư đầu kỳ",
        "Số dư cuối kỳ",
        "Số dư đầu ngày",
        "Số dư cuối ngày",
        "Opening balance",
        "Closing balance",
        "Beginning balance",
        "Ending balance",
        "Tổng cộng",
        "Cộng phát sinh",
        "Tổng phát sinh",
        "Tổng số giao dịch",
        "Total",
    )
)


def parse_statement(*, content: bytes, filename: str, mapping: ColumnMapping | None = None) -> ParsedStatement:
    """Read a Vietcombank, VietinBank, BIDV or MB statement, another bank's whose column names
    say what they hold, or any bank's given ``mapping``.

    Raises ``StatementError`` naming the line and column of the first problem; a file
    is either read completely or rejected. ``read_statement`` reads the same rows one at a time.
    """
    with read_statement(content=content, filename=filename, mapping=mapping) as reader:
        statement = ParsedStatement(layout=reader.layout, account_number=reader.account_number)
        statement.labels = reader.labels
        statement.rows = list(reader)
        statement.skipped_lines = reader.skipped_lines
    return statement


class StatementReader:
    """A statement read one row at a time, never held whole: the header is found when it opens,
    each row is converted as the iteration reaches it (``StatementError`` at the first bad one),
    and ``skipped_lines`` counts the lines below the header that are no transaction, so far.

    Use it as a context manager (or call ``close``): it holds the open file.
    """

    def __init__(self, *, content: bytes, filename: str, mapping: ColumnMapping | None = None) -> None:
        if mapping is not None:
            check_mapping(mapping)
        self._rows = open_rows(content=content, filename=filename, score_row=_scorer(mapping))
        try:
            header, title_rows = _find_header(self._rows, mapping)
            body: Iterator[Row] = self._rows
            if header.missing:
                sample = list(islice(self._rows, SAMPLE_ROWS))
                header = complete_header(header, sample)
                body = chain(sample, self._rows)
        except BaseException:
            self.close()
            raise
        self.layout: str = header.layout
        self.account_number: str = find_account_number(title_rows)
        self.labels: dict[str, str] = {field: header.label(field) for field in header.positions}
        self.skipped_lines = 0
        self._body = body
        self._convert = _RowConverter(header)

    def __iter__(self) -> Iterator[StatementRow]:
        convert = self._convert
        for line, cells in self._body:
            row = convert(line, cells)
            if row is None:
                self.skipped_lines += 1
            else:
                yield row

    def close(self) -> None:
        self._rows.close()

    def __enter__(self) -> "StatementReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_statement(*, content: bytes, filename: str, mapping: ColumnMapping | None = None) -> StatementReader:
    """The statement's rows one at a time (see ``parse_statement`` and ``StatementReader``)."""
    return StatementReader(content=content, filename=filename, mapping=mapping)


def read_header_candidates(*, content: bytes, filename: str) -> list[str]:
    """The header cells of the file's table, for staff to choose from when mapping columns."""
    strong: list[str] | None = None  # a row with some header names any bank uses
    weak: list[str] | None = None  # a row of several text cells without numbers
    with closing(open_rows(content=content, filename=filename, score_row=header_score)) as rows:
        for scanned, (line, cells) in enumerate(rows, start=1):
            texts = [cell_text(cell) for cell in cells]
            if match_layout(line, cells) is not None:
                return _distinct(texts)
            if strong is None and header_score(texts) >= 2:
                strong = texts
            if weak is None and likely_header(texts):
                weak = texts
            if scanned >= HEADER_SCAN_ROWS:
                break
    found = strong or weak
    if found is None:
        raise StatementError("no_header")
    return _distinct(found)


def _distinct(cells: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(cell for cell in cells if cell))


def _scorer(mapping: ColumnMapping | None) -> Callable[[list[str]], int]:
    if mapping is None:
        return header_score
    names = {fold(name) for name in mapping.columns().values()}

    def score(cells: list[str]) -> int:
        return header_score(cells) + 2 * sum(1 for cell in cells if fold(cell) in names)

    return score


def _find_header(rows: Iterator[Row], mapping: ColumnMapping | None) -> tuple[Header, list[list[str]]]:
    """Consume rows up to and including the header; return it with the title rows above it."""
    title_rows: list[list[str]] = []
    closest: tuple[int, int, str] | None = None  # (missing count, line, first missing) for a mapping
    for scanned, (line, cells) in enumerate(rows, start=1):
        texts = [cell_text(cell) for cell in cells]
        if mapping is None:
            header = match_layout(line, cells)
        else:
            header, missing = match_mapping(line, texts, mapping)
            if missing and len(missing) < len(mapping.columns()) and (closest is None or len(missing) < closest[0]):
                closest = (len(missing), line, missing[0])
        if header is not None:
            return header, title_rows
        title_rows.append(texts)
        if scanned >= HEADER_SCAN_ROWS:
            break
    if mapping is None:
        raise StatementError("unknown_layout")
    if closest is not None:
        _, line, column = closest
        raise StatementError("mapping_missing_column", line=line, column=column)
    raise StatementError("mapping_no_columns", column=next(iter(mapping.columns().values())))


class _RowConverter:
    """One table row → ``StatementRow``, ``None`` for a row to skip, or ``StatementError``."""

    def __init__(self, header: Header) -> None:
        self.header = header
        self.width = len(header.cells)
        self.positions = header.positions
        self.header_keys = tuple(fold(cell) for cell in header.cells)
        self.date_at = header.positions.get(DATE, 1 << 62)  # no date column: no row is a transaction

    def __call__(self, line: int, cells: Sequence[object]) -> StatementRow | None:
        raw_date = cells[self.date_at] if self.date_at < len(cells) else None
        if raw_date is None or (isinstance(raw_date, str) and not raw_date.strip()):
            return None  # blank lines, totals, wrapped text: not a transaction
        try:
            booked_at = parse_date(raw_date)
        except ValueError:
            if self._is_header_again(cells) or _is_summary(cells):
                return None
            raise self._error("bad_date", line, DATE, raw_date) from None
        amount = self._amount(line, cells)
        if amount is None:
            if _is_summary(cells):  # e.g. an opening-balance row that carries the period's first date
                return None
            field = AMOUNT if AMOUNT in self.positions else CREDIT
            raise self._error("no_amount", line, field)
        if len(cells) > self.width and any(not is_blank(cell) for cell in cells[self.width :]):
            raise StatementError("extra_cells", line=line)
        return StatementRow(
            line=line,
            booked_at=booked_at,
            amount=amount,
            description=cell_text(self._cell(cells, DESCRIPTION)),
            bank_reference=cell_text(self._cell(cells, REFERENCE)),
            balance=self._number(line, cells, BALANCE),
        )

    def _cell(self, cells: Sequence[object], field: str) -> object:
        index = self.positions.get(field)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def _number(self, line: int, cells: Sequence[object], field: str) -> int | None:
        raw = self._cell(cells, field)
        if raw is None or raw == "":  # an empty cell: no amount, as parse_amount says of it
            return None
        try:
            return parse_amount(raw)
        except FractionalAmount:
            code = "fraction"
        except AmountTooLarge:
            code = "amount_too_large"
        except ValueError:
            code = "bad_amount"
        raise self._error(code, line, field, raw)

    def _amount(self, line: int, cells: Sequence[object]) -> int | None:
        """Signed whole đồng, or ``None`` when the row carries no (non-zero) amount."""
        if AMOUNT in self.positions:
            amount = self._number(line, cells, AMOUNT) or None
            if amount is not None and DIRECTION in self.positions:
                return self._direction(line, cells, amount)
            return amount
        credit = self._number(line, cells, CREDIT) or 0
        if credit < 0:  # money going out is a debit; a negative credit is a damaged or shifted row
            raise self._error("negative_credit", line, CREDIT, self._cell(cells, CREDIT))
        debit = self._number(line, cells, DEBIT) or 0
        if credit and debit:
            raise self._error("debit_and_credit", line, DEBIT)
        if credit:
            return credit
        if debit:
            return -abs(debit)  # some banks print debits as "-50.000", others as "50.000"
        return None

    def _direction(self, line: int, cells: Sequence[object], amount: int) -> int:
        """``amount`` signed by the "Nợ/Có" column beside it ("C" money in, "D" money out)."""
        raw = self._cell(cells, DIRECTION)
        text = cell_text(raw)
        if not text:  # no direction given: the amount's own sign stands
            return amount
        sign = _DIRECTIONS.get(text if text in ("+", "-") else fold(text))
        if sign is None:
            raise self._error("bad_direction", line, DIRECTION, raw)
        return sign * abs(amount)

    def _is_header_again(self, cells: Sequence[object]) -> bool:
        """Some exports repeat the header on every printed page."""
        keys = tuple(fold(cell_text(cell)) for cell in cells[: self.width])
        return keys == self.header_keys[: len(keys)]

    def _error(self, code: str, line: int, field: str, value: object = None) -> StatementError:
        params = {"line": line, "column": self.header.label(field)}
        if value is not None:
            params["value"] = cell_text(value)
        return StatementError(code, **params)


_DIRECTIONS = {
    "+": 1,
    "-": -1,
    **{fold(word): 1 for word in ("C", "Có", "Ghi có", "CR", "Credit")},
    **{fold(word): -1 for word in ("D", "N", "Nợ", "Ghi nợ", "DR", "Debit")},
}


def _is_summary(cells: Sequence[object]) -> bool:
    for cell in cells:
        if isinstance(cell, str) and cell.strip():
            key = fold(cell)
            if any(key == marker or key.startswith(marker + " ") for marker in SUMMARY_MARKERS):
                return True
    return False
