"""A header row whose required columns have unfamiliar names: find them by what the rows hold.

Among the header cells no known name describes, the column of dates is the date, the one
column of amounts is the credit (beside a known debit column) or the signed amount, and
the column of the longest free text is the transfer content.  Two columns of amounts are
never guessed between: money is not booked on a guess, staff map the columns instead.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .errors import StatementError
from .layouts import AMOUNT, CREDIT, DATE, DEBIT, DESCRIPTION, Header, still_missing
from .readers import Row
from .values import FractionalAmount, cell_text, is_blank, parse_amount, parse_date

SAMPLE_ROWS = 100  # rows below the header that are looked at


@dataclass
class _Profile:
    dates: int = 0
    amounts: int = 0
    texts: int = 0
    text_length: int = 0

    @property
    def kind(self) -> str:
        """"date", "amount" or "text" when most of the filled cells are one of these, else ""."""
        filled = self.dates + self.amounts + self.texts
        for kind, count in (("date", self.dates), ("amount", self.amounts), ("text", self.texts)):
            if count * 2 > filled:
                return kind
        return ""

    @property
    def mean_text_length(self) -> float:
        return self.text_length / self.texts if self.texts else 0.0


def _profile(index: int, sample: Sequence[Row]) -> _Profile:
    profile = _Profile()
    for _line, cells in sample:
        value = cells[index] if index < len(cells) else None
        if is_blank(value):
            continue
        try:
            parse_date(value)
        except ValueError:
            pass
        else:
            profile.dates += 1
            continue
        try:
            is_amount = parse_amount(value) is not None
        except FractionalAmount:
            is_amount = True  # an amount all the same; reading the row will say what is wrong with it
        except ValueError:
            is_amount = False
        if is_amount:
            profile.amounts += 1
        else:
            profile.texts += 1
            profile.text_length += len(cell_text(value))
    return profile


def complete_header(header: Header, sample: Sequence[Row]) -> Header:
    """``header`` with its missing columns found in ``sample`` (the rows below it), or ``StatementError``."""
    profiles = {index: _profile(index, sample) for index in header.unfamiliar}
    free = list(header.unfamiliar)  # left to right
    positions = dict(header.positions)
    wanted = {column.field for column in header.missing}

    def of_kind(kind: str) -> list[int]:
        return [index for index in free if profiles[index].kind == kind]

    if DATE in wanted and of_kind("date"):
        positions[DATE] = of_kind("date")[0]  # a transaction date comes before a value date
        free.remove(positions[DATE])
    if CREDIT in wanted:
        amounts = of_kind("amount")
        if len(amounts) > 1:
            raise StatementError(
                "ambiguous_column", line=header.line, field=AMOUNT, columns=[header.cells[i] for i in amounts]
            )
        if amounts:
            positions[CREDIT if DEBIT in positions else AMOUNT] = amounts[0]
            free.remove(amounts[0])
    if DESCRIPTION in wanted and of_kind("text"):
        positions[DESCRIPTION] = max(of_kind("text"), key=lambda index: profiles[index].mean_text_length)

    still = still_missing(header.missing, positions)
    if still and header.title:
        raise StatementError("missing_column", line=header.line, bank=header.title, column=still[0].label)
    if still:
        raise StatementError("missing_field", line=header.line, field=still[0].field)
    return replace(header, positions=positions, missing=())
