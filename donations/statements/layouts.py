"""Which bank exported the file: header-row recognition, column positions, account number.

Header cells are compared as folded keys (lower case, no diacritics, no punctuation),
each bilingual part separately, so ``Số tiền ghi có/Credit``, ``SO TIEN GHI CO`` and
``Credit`` all answer to the same names.  A layout is recognised by one of its
*signature* names (headers only that bank uses); its columns are then looked up by
aliases in priority order.  *Hints* are weaker names (BIDV's "Phát sinh có" also
appears in some MB exports): they recognise a layout only when no signature does.
A header row of no known bank is read with the generic layout when its names say
where the date, the amount and the transfer content are ("Ngày GD", "Nợ"/"Có", a
signed "Số tiền", "Diễn giải", "Ghi chú"…).  Every layout also knows these common
spellings, after its own.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import StatementError
from .records import LAYOUT_CUSTOM, LAYOUT_GENERIC, ColumnMapping
from .values import cell_text, fold, header_keys

MIN_HEADER_CELLS = 3  # a row needs this many known header names to be taken for the header

DATE, DESCRIPTION, CREDIT, DEBIT, AMOUNT, DIRECTION, REFERENCE, BALANCE = (
    "date",
    "description",
    "credit",
    "debit",
    "amount",  # one signed amount column (negative = money out)
    "direction",  # beside an unsigned amount: "C"/"Có" money in, "D"/"Nợ" money out
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
    title: str  # the bank's own spelling, for messages ("" for the generic layout)
    signature: frozenset[str]
    columns: tuple[Column, ...]
    hints: frozenset[str] = frozenset()

    def missing(self, positions: dict[str, int]) -> tuple[Column, ...]:
        """The required columns ``positions`` lacks."""
        return still_missing(tuple(column for column in self.columns if column.required), positions)


def still_missing(columns: tuple[Column, ...], positions: dict[str, int]) -> tuple[Column, ...]:
    """Those of ``columns`` that ``positions`` lacks; a signed amount column stands for the credit one."""
    found = set(positions) | ({CREDIT} if AMOUNT in positions else set())
    return tuple(column for column in columns if column.field not in found)


@dataclass(frozen=True)
class Header:
    """The recognised header row: where each field's column is and what the file calls it.

    ``missing`` are the required columns no header name answers to and ``unfamiliar`` the
    positions of the cells no known name describes, where ``complete_header`` looks for them.
    """

    layout: str
    line: int
    cells: tuple[str, ...]
    positions: dict[str, int]
    title: str = ""
    missing: tuple[Column, ...] = ()
    unfamiliar: tuple[int, ...] = ()

    def label(self, field: str) -> str:
        return self.cells[self.positions[field]]


def _column(field: str, label: str, *aliases: str, required: bool = False) -> Column:
    return Column(field, label, tuple(fold(alias) for alias in aliases), required)


# Spellings any bank's export may use, lowest priority after the bank's own.
COMMON_COLUMNS = (
    _column(DIRECTION, "Nợ/Có", "Nợ/Có", "Có/Nợ", "Debit/Credit", "Credit/Debit", "D/C", "C/D", "Dr/Cr", "Cr/Dr"),
    _column(DATE, "Ngày giao dịch", "Ngày giao dịch", "Transaction date", "Ngày GD", "Ngày hạch toán",
            "Posting date", "Ngày", "Date", required=True),
    _column(REFERENCE, "Số tham chiếu", "Số tham chiếu", "Reference No", "Reference number", "Reference", "Số CT",
            "Số GD", "Mã GD"),
    _column(DEBIT, "Ghi nợ", "Ghi nợ", "Số tiền ghi nợ", "Phát sinh nợ", "Debit", "Debit amount", "Nợ"),
    _column(CREDIT, "Ghi có", "Ghi có", "Số tiền ghi có", "Phát sinh có", "Credit", "Credit amount", "Có",
            required=True),
    _column(AMOUNT, "Số tiền", "Số tiền", "Số tiền giao dịch", "Amount", "Transaction amount"),
    _column(BALANCE, "Số dư", "Số dư", "Balance"),
    _column(DESCRIPTION, "Nội dung", "Nội dung", "Nội dung giao dịch", "Diễn giải", "Mô tả", "Description",
            "Transaction description", "Details", "Ghi chú", "Remarks", "Note", required=True),
)


def _layout(name: str, title: str, signature: Iterable[str], columns: Sequence[Column], hints: Iterable[str] = ()):
    """A bank's layout: its own columns and aliases first, then the common ones.

    The direction column comes first so that "Nợ/Có" is never taken for the debit column.
    """
    own = {column.field: column for column in columns}
    merged = []
    for common in COMMON_COLUMNS:
        column = own.get(common.field)
        if column is None:
            merged.append(common)
        else:
            extra = tuple(alias for alias in common.aliases if alias not in column.aliases)
            merged.append(Column(column.field, column.label, column.aliases + extra, column.required))
    order = [DIRECTION] + [column.field for column in columns]
    merged.sort(key=lambda column: order.index(column.field) if column.field in order else len(order))
    return Layout(name, title, frozenset(signature), tuple(merged), frozenset(hints))


LAYOUTS: tuple[Layout, ...] = (
    _layout(
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
    _layout(
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
    _layout(
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
    _layout(
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

GENERIC = _layout(LAYOUT_GENERIC, "", (), ())
LAYOUT_NAMES = tuple(layout.name for layout in LAYOUTS) + (LAYOUT_GENERIC, LAYOUT_CUSTOM)
KNOWN_HEADER_NAMES = frozenset(
    {"stt", "so tt"}
    | {alias for layout in (*LAYOUTS, GENERIC) for column in layout.columns for alias in column.aliases}
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
    if CREDIT in resolved or DEBIT in resolved:  # credit/debit columns say the sign themselves
        resolved.pop(AMOUNT, None)
        resolved.pop(DIRECTION, None)
    return resolved


def match_layout(line: int, cells: Sequence[object]) -> Header | None:
    """The header this row is (of a known bank, else generic), or ``None`` for another row.

    The header may lack required columns (``Header.missing``); ``complete_header`` then
    looks for them among its unfamiliar columns by what the rows below hold.
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
        missing = layout.missing(resolved)
        candidates.append(((not missing, strong, weak, len(resolved), -order), layout, resolved, missing))
    if candidates:
        _, layout, resolved, missing = max(candidates, key=lambda candidate: candidate[0])
    else:
        layout, resolved = GENERIC, _resolve(GENERIC, positions)
        missing = layout.missing(resolved)
        if len(missing) > 1:  # a few known words in a title line, not the table's header
            return None
    unfamiliar = tuple(
        index for index, cell in enumerate(cells)
        if cell_text(cell) and index not in resolved.values() and not _keys(cell) & KNOWN_HEADER_NAMES
    )
    texts = tuple(cell_text(cell) for cell in cells)
    return Header(layout.name, line, texts, resolved, layout.title, missing, unfamiliar)


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
