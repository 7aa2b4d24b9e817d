"""Which bank exported the file: header-row recognition, column positions, account number.

Header cells are compared as folded keys (lower case, no diacritics, no punctuation),
each bilingual part separately, so ``Số tiền ghi có/Credit``, ``SO TIEN GHI CO`` and
``Credit`` all answer to the same names.  A layout is recognised by one of its
*signature* names (headers only that bank uses); its columns are then looked up by
aliases in priority order.  *Hints* are weaker names (BIDV's "Phát sinh có" also
appears in some MB exports): they recognise a layout only when no signature does.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import StatementError
from .records import LAYOUT_CUSTOM, ColumnMapping
from .values import cell_text, fold, header_keys

MIN_HEADER_CELLS = 3  # a row needs this many known header names to be taken for the header

DATE, DESCRIPTION, CREDIT, DEBIT, AMOUNT, REFERENCE, BALANCE = (
    "date",
    "description",
    "credit",
    "debit",
    "amount",
    "reference",
    "balance",
)


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the header as this bank exports it, used when the column is missing
    aliases: tuple[str, ...]  # folded names, best first
    required: bool = False


@dataclass(frozen=True)
class Layout:
    name: str
    title: str  # the bank's own spelling, for messages
    signature: frozenset[str]
    columns: tuple[Column, ...]
    hints: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Header:
    """The recognised header row: where each field's column is and what the file calls it."""

    layout: str
    line: int
    cells: tuple[str, ...]
    positions: dict[str, int]

    def label(self, field: str) -> str:
        return self.cells[self.positions[field]]


def _column(field: str, label: str, *aliases: str, required: bool = False) -> Column:
    return Column(field, label, tuple(fold(alias) for alias in aliases), required)


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        name="vietcombank",
        title="Vietcombank",
        signature=frozenset({"so tien ghi co", "so tien ghi no", "noi dung chi tiet", "transactions in detail"}),
        columns=(
            _column(DATE, "Ngày giao dịch/Transaction Date", "Ngày giao dịch", "Transaction Date", "Ngày GD",
                    "Ngày", "Date", required=True),
            _column(REFERENCE, "Số tham chiếu/Reference No.", "Số tham chiếu", "Reference No", "Reference number",
                    "Số CT"),
            _column(DEBIT, "Số tiền ghi nợ/Debit", "Số tiền ghi nợ", "Debit", "Ghi nợ"),
            _column(CREDIT, "Số tiền ghi có/Credit", "Số tiền ghi có", "Credit", "Ghi có", required=True),
            _column(BALANCE, "Số dư/Balance", "Số dư", "Balance"),
            _column(DESCRIPTION, "Nội dung chi tiết/Transactions in detail", "Nội dung chi tiết",
                    "Transactions in detail", "Nội dung", "Description", required=True),
        ),
    ),
    Layout(
        name="vietinbank",
        title="VietinBank",
        signature=frozenset({"mo ta giao dich", "so giao dich", "transaction description", "transaction number"}),
        columns=(
            _column(DATE, "Ngày giao dịch", "Ngày giao dịch", "Transaction date", "Ngày hạch toán",
                    "Accounting date", "Ngày phát sinh", required=True),
            _column(DESCRIPTION, "Mô tả giao dịch", "Mô tả giao dịch", "Transaction description", "Diễn giải",
                    "Nội dung", "Description", required=True),
            _column(DEBIT, "Ghi nợ", "Ghi nợ", "Debit", "Phát sinh nợ"),
            _column(CREDIT, "Ghi có", "Ghi có", "Credit", "Phát sinh có", required=True),
            _column(BALANCE, "Số dư", "Số dư", "Số dư TK", "Balance", "Account balance"),
            _column(REFERENCE, "Số giao dịch", "Số giao dịch", "Transaction number", "Số GD", "Số tham chiếu"),
        ),
    ),
    Layout(
        name="bidv",
        title="BIDV",
        signature=frozenset({"ngay hieu luc", "effective date"}),
        hints=frozenset({"phat sinh no", "phat sinh co"}),
        columns=(
            # "Ngày giao dịch" carries the time of the transfer; "Ngày hiệu lực" (value date) is the fallback.
            _column(DATE, "Ngày giao dịch", "Ngày giao dịch", "Transaction date", "Ngày hiệu lực", "Effective date",
                    required=True),
            _column(REFERENCE, "Số tham chiếu", "Số tham chiếu", "Reference number", "Reference No", "Số CT"),
            _column(DEBIT, "Phát sinh nợ", "Phát sinh nợ", "Ghi nợ", "Debit"),
            _column(CREDIT, "Phát sinh có", "Phát sinh có", "Ghi có", "Credit", required=True),
            _column(BALANCE, "Số dư", "Số dư", "Balance"),
            _column(DESCRIPTION, "Diễn giải", "Diễn giải", "Description", "Nội dung", "Mô tả", required=True),
        ),
    ),
    Layout(
        name="mb",
        title="MB",
        signature=frozenset({"so but toan"}),
        columns=(
            _column(DATE, "Ngày giao dịch/Transaction Date", "Ngày giao dịch", "Transaction Date", "Ngày hạch toán",
                    "Posting date", required=True),
            _column(REFERENCE, "Số bút toán/Reference No.", "Số bút toán", "Reference No", "Transaction No"),
            _column(DEBIT, "Ghi nợ/Debit", "Ghi nợ", "Debit", "Phát sinh nợ"),
            _column(CREDIT, "Ghi có/Credit", "Ghi có", "Credit", "Phát sinh có", required=True),
            _column(BALANCE, "Số dư/Balance", "Số dư", "Balance"),
            _column(DESCRIPTION, "Nội dung/Description", "Nội dung", "Description", "Diễn giải", required=True),
        ),
    ),
)

LAYOUT_NAMES = tuple(layout.name for layout in LAYOUTS) + (LAYOUT_CUSTOM,)
KNOWN_HEADER_NAMES = frozenset(
    {"stt", "so tt"}
    | {alias for layout in LAYOUTS for column in layout.columns for alias in column.aliases}
    | {name for layout in LAYOUTS for name in layout.signature | layout.hints}
)


def _keys(cell: object) -> frozenset[str]:
    # Raw text, not collapsed: a line break separates "Số tiền ghi có\nCredit" in workbooks.
    return header_keys(cell if isinstance(cell, str) else cell_text(cell))


def _key_positions(cells: Sequence[object]) -> dict[str, int]:
    """Folded header name → first cell position answering to it."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        for key in _keys(cell):
            positions.setdefault(key, index)
    return positions


def header_score(cells: Sequence[object]) -> int:
    """How many cells carry a header name some known bank uses."""
    return sum(1 for cell in cells if cell and _keys(cell) & KNOWN_HEADER_NAMES)


def _resolve(layout: Layout, positions: dict[str, int]) -> dict[str, int]:
    resolved: dict[str, int] = {}
    used: set[int] = set()
    for column in layout.columns:
        for alias in column.aliases:
            index = positions.get(alias)
            if index is not None and index not in used:
                resolved[column.field] = index
                used.add(index)
                break
    return resolved


def match_layout(line: int, cells: Sequence[object]) -> Header | None:
    """The known bank whose header this row is, or ``None``.

    Raises ``StatementError`` when the row is clearly one bank's header but lacks a
    column the parser needs (code ``missing_column``: staff may map the columns).
    """
    if header_score(cells) < MIN_HEADER_CELLS:
        return None
    positions = _key_positions(cells)
    candidates = []
    for order, layout in enumerate(LAYOUTS):
        strong = len(layout.signature & positions.keys())
        weak = len(layout.hints & positions.keys())
        if not strong and not weak:
            continue
        resolved = _resolve(layout, positions)
        missing = [column for column in layout.columns if column.required and column.field not in resolved]
        candidates.append(((not missing, strong, weak, len(resolved), -order), layout, resolved, missing))
    if not candidates:
        return None
    _, layout, resolved, missing = max(candidates, key=lambda candidate: candidate[0])
    if missing:
        raise StatementError("missing_column", line=line, bank=layout.title, column=missing[0].label)
    return Header(layout.name, line, tuple(cell_text(cell) for cell in cells), resolved)


def match_mapping(line: int, cells: Sequence[str], mapping: ColumnMapping) -> tuple[Header | None, list[str]]:
    """The header for a staff-defined mapping: ``(header, [])`` or ``(None, missing header names)``.

    ``cells`` are collapsed texts; names compare without case, diacritics or punctuation.
    """
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        positions.setdefault(fold(cell), index)
    resolved, missing = {}, []
    for field, name in mapping.columns().items():
        index = positions.get(fold(name))
        if index is None:
            missing.append(name)
        else:
            resolved[field] = index
    if missing:
        return None, missing
    return Header(LAYOUT_CUSTOM, line, tuple(cells), resolved), []


def check_mapping(mapping: ColumnMapping) -> None:
    """Reject a mapping that cannot describe a statement, before reading the file."""
    columns = mapping.columns()
    problem = None
    if DATE not in columns:
        problem = "mapping_no_date"
    elif DESCRIPTION not in columns:
        problem = "mapping_no_description"
    elif (AMOUNT in columns) == (CREDIT in columns or DEBIT in columns):
        problem = "mapping_no_amount"
    elif len({fold(name) for name in columns.values()}) < len(columns):
        problem = "mapping_same_column"
    if problem:
        raise StatementError(problem)


def likely_header(cells: Sequence[str]) -> bool:
    """A header of some bank we do not know: several text cells, none a number or a date."""
    filled = [cell for cell in cells if cell]
    if len(filled) < MIN_HEADER_CELLS:
        return False
    return not any(re.search(r"\d{2}", cell) for cell in filled)


# "Số tài khoản/Account No: 0011001932418", "Số TK: ...", "Account number ..."; not "Số tài khoản cũ/Old".
_ACCOUNT_LABELS = ("so tai khoan", "account no", "account number", "so tk", "tai khoan so", "tai khoan")
_ACCOUNT_NUMBER = re.compile(r"(?<![\d/.])\d{6,20}(?![\d/]|\.\d)")


def find_account_number(title_rows: Iterable[Sequence[str]]) -> str:
    """The receiving account's number from the lines above the table, ``""`` when absent."""
    for cells in title_rows:
        text = " ".join(cell for cell in cells if cell)
        padded = " %s " % fold(text)
        if " cu " in padded or " old " in padded:
            continue
        if not any(" %s " % label in padded for label in _ACCOUNT_LABELS):
            continue
        number = _ACCOUNT_NUMBER.search(text)
        if number:
            return number.group()
    return ""
