"""Plain result and configuration records of the statement parser (no database)."""

import datetime
from dataclasses import dataclass, field

LAYOUT_GENERIC = "generic"  # a header of no known bank, read by its column names and contents
LAYOUT_CUSTOM = "custom"


@dataclass(frozen=True)
class StatementRow:
    line: int  # 1-based line (CSV) or row (XLSX) number in the file, for messages
    booked_at: datetime.datetime  # naive local time (Asia/Ho_Chi_Minh); 00:00 for date-only files
    amount: int  # whole đồng; > 0 credit (money in), < 0 debit (money out)
    description: str  # transfer content as in the file, whitespace collapsed
    bank_reference: str  # the bank's own transaction number, "" when none
    balance: int | None


@dataclass
class ParsedStatement:
    layout: str  # "vietcombank", "vietinbank", "bidv", "mb", "generic" or "custom"
    account_number: str  # from the title lines above the table, "" when absent
    rows: list[StatementRow] = field(default_factory=list)
    skipped_lines: int = 0  # opening/closing balance, totals and blank lines below the header
    labels: dict[str, str] = field(default_factory=dict)  # the header's text of each field's column


@dataclass(frozen=True)
class ColumnMapping:
    """Header names, as they appear in the file, for a bank we do not recognise.

    Give either ``credit`` (and optionally ``debit``) or a signed ``amount`` column.
    """

    date: str
    description: str
    credit: str = ""
    debit: str = ""
    amount: str = ""
    reference: str = ""
    balance: str = ""

    def columns(self) -> dict[str, str]:
        """The chosen columns by field name, leaving out the unused ones."""
        chosen = {
            "date": self.date,
            "description": self.description,
            "credit": self.credit,
            "debit": self.debit,
            "amount": self.amount,
            "reference": self.reference,
            "balance": self.balance,
        }
        return {name: header.strip() for name, header in chosen.items() if header and header.strip()}
