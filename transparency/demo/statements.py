"""Bank statements as banks really export them, with the narration banks really produce.

A donor types a few words (`YAGI24 K7M3PQ9X`, `ung ho dong bao mien Bac`) and the bank wraps them in
its own noise: `MBVCB.6986253876.<words>.CT tu <account> <NAME> toi <account> <HOLDER>` inside
Vietcombank, `IBFT <words>` or `NHAN TU <account> <NAME> <words>` from another bank over NAPAS,
`FT24253123456789 <WORDS>` from Techcombank, `ZP240910…` from ZaloPay, or only the payer's name.
`Narrator` draws those shapes; `vietcombank_csv` and `vietinbank_csv` write the lines in the two
banks' export layouts (the ones `donations.statements` reads). Plain functions: no database.
"""

import csv
import datetime
import io
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass
class Line:
    """One line of a statement: money in (positive) or out (negative), as the bank booked it."""

    at: datetime.datetime  # naive, Vietnam time, as printed
    amount: int
    text: str
    reference: str = ""  # the bank's own number for the line, given when the statement is written


# VCB account numbers of individual customers: 13 digits behind a branch prefix.
_VCB_PREFIXES = ("0011", "0071", "0451", "0491", "1012", "0381", "0021")


# The shapes of a credit's text and how often each comes, for an account at Vietcombank (`vcb`:
# from another Vietcombank account) and at VietinBank (`ctden`: from another VietinBank account).
VIETCOMBANK_SHAPES = (("vcb", 40), ("ibft", 15), ("ft", 14), ("napas", 13), ("name", 12), ("zalopay", 6))
VIETINBANK_SHAPES = (("ctden", 40), ("ibft", 15), ("ft", 15), ("napas", 12), ("name", 12), ("zalopay", 6))


class Narrator:
    """The transfer text of a credit to `account` (held by `holder`, in capitals without diacritics)."""

    def __init__(
        self, rng: random.Random, *, account: str, holder: str, shapes: Sequence[tuple[str, float]] = VIETCOMBANK_SHAPES,
    ) -> None:
        self.rng, self.account, self.holder = rng, account, holder
        self._shapes, self._weights = zip(*shapes, strict=True)

    def credit(self, *, payer: str, words: str, at: datetime.datetime, shape: str = "") -> str:
        """`payer` in capitals without diacritics (`TRAN THI BICH NGOC`), `words` what the donor typed."""
        rng = self.rng
        shape = shape or rng.choices(self._shapes, weights=self._weights)[0]
        if shape == "vcb":
            prefix = rng.choice(("MBVCB", "MBVCB", "MBVCB", "IBVCB"))
            said = words or f"{payer} chuyen tien"
            return (f"{prefix}.{rng.randrange(10**9, 10**10)}.{said}.CT tu {self.vcb_account()} {payer} "
                    f"toi {self.account} {self.holder}")
        if shape == "ctden":
            return f"CT DEN:{rng.randrange(10**11, 10**12)} {words or payer + ' chuyen tien'}"
        if shape == "ibft":
            return f"IBFT {words or payer + ' chuyen tien'}"
        if shape == "ft":
            return f"FT{at:%y}{at.timetuple().tm_yday:03d}{rng.randrange(10**8, 10**9)} {(words or 'chuyen tien').upper()}"
        if shape == "napas":
            account = f"{rng.choice(('1903', '1020', '0601', '2141'))}{rng.randrange(10**9, 10**10)}"
            return f"NHAN TU {account} {payer}  {(words or 'chuyen tien').upper()}"
        if shape == "zalopay":
            ids = f"{at:%y%m%d}{rng.randrange(10**6, 10**7)} {at:%y%m%d}{rng.randrange(10**5, 10**6)}"
            return f"ZP{ids} {words or 'Chuyen tien'}"
        words = words or rng.choice(("chuyen khoan", "chuyen tien", "CK"))
        return words if words.startswith(payer) else f"{payer} {words}"

    def vcb_account(self) -> str:
        return f"{self.rng.choice(_VCB_PREFIXES)}{self.rng.randrange(10**8, 10**9)}"


def _references(lines: Sequence[Line], make: Callable[[], str]) -> None:
    taken = set()
    for line in lines:
        while not line.reference or line.reference in taken:
            line.reference = make()
        taken.add(line.reference)


def _booked(lines: Sequence[Line], opening: int) -> tuple[list[tuple[int, Line, int]], int, int, int]:
    """(number, line, balance after it) in time order, then the period's debits, credits and closing balance."""
    rows, balance, debits, credits = [], opening, 0, 0
    for number, line in enumerate(sorted(lines, key=lambda line: line.at), start=1):
        balance += line.amount
        debits, credits = debits + max(-line.amount, 0), credits + max(line.amount, 0)
        rows.append((number, line, balance))
    return rows, debits, credits, balance


def vietcombank_csv(
    *, rng: random.Random, account: str, account_name: str, day_from: datetime.date, day_to: datetime.date,
    opening_balance: int, lines: Sequence[Line],
) -> bytes:
    """Vietcombank's CSV statement: title block, `1,000,000` amounts, date and time on two lines, totals."""
    _references(lines, lambda: f"{rng.randrange(5000, 5999)}.{rng.randrange(10000, 99999)}")
    rows, debits, credits, closing = _booked(lines, opening_balance)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    blank = [""] * 6
    writer.writerows([
        ["NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM - VIETCOMBANK", *blank],
        ["SAO KÊ TÀI KHOẢN/STATEMENT OF ACCOUNT", *blank],
        [f"Số tài khoản/Account No: {account}", *blank],
        [f"Tên tài khoản/Account name: {account_name}", *blank],
        ["Loại tiền/Currency: VND", *blank],
        [f"Từ ngày/From: {day_from:%d/%m/%Y} - Đến ngày/To: {day_to:%d/%m/%Y}", *blank],
        ["", *blank],
        ["STT", "Ngày giao dịch/Transaction Date", "Số tham chiếu/Reference No.", "Số tiền ghi nợ/Debit",
         "Số tiền ghi có/Credit", "Số dư/Balance", "Nội dung chi tiết/Transactions in detail"],
        ["", "", "", "", "", f"{opening_balance:,}", "Số dư đầu kỳ/Opening balance"],
    ])
    for number, line, balance in rows:
        debit, credit = (f"{-line.amount:,}", "") if line.amount < 0 else ("", f"{line.amount:,}")
        writer.writerow([number, f"{line.at:%d/%m/%Y}\n{line.at:%H:%M:%S}", line.reference, debit, credit,
                         f"{balance:,}", line.text])
    writer.writerows([
        ["", *blank],
        ["", "Tổng cộng/Total", "", f"{debits:,}", f"{credits:,}", "", ""],
        ["", "", "", "", "", f"{closing:,}", "Số dư cuối kỳ/Closing balance"],
    ])
    return out.getvalue().encode("utf-8")


def vietinbank_csv(
    *, rng: random.Random, account: str, account_name: str, day_from: datetime.date, day_to: datetime.date,
    opening_balance: int, lines: Sequence[Line],
) -> bytes:
    """VietinBank's transaction history export: semicolons, `3.250.000` amounts, dd-mm-yyyy dates."""
    _references(lines, lambda: str(rng.randrange(10**9, 10**10)))
    rows, debits, credits, closing = _booked(lines, opening_balance)

    def money(value: int) -> str:
        return f"{value:,}".replace(",", ".")

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    blank = [""] * 5
    writer.writerows([
        ["NGÂN HÀNG TMCP CÔNG THƯƠNG VIỆT NAM - VIETINBANK", "", *blank],
        ["LỊCH SỬ GIAO DỊCH - TRANSACTION HISTORY", "", *blank],
        ["Số tài khoản", account, *blank],
        ["Tên tài khoản", account_name, *blank],
        ["Từ ngày", f"{day_from:%d-%m-%Y}", "Đến ngày", f"{day_to:%d-%m-%Y}", "", "", ""],
        ["", "", *blank],
        ["STT", "Ngày giao dịch", "Mô tả giao dịch", "Ghi nợ", "Ghi có", "Số dư", "Số giao dịch"],
        ["", f"{day_from:%d-%m-%Y}", "Số dư đầu kỳ", "", "", money(opening_balance), ""],
    ])
    for number, line, balance in rows:
        debit, credit = (money(-line.amount), "") if line.amount < 0 else ("", money(line.amount))
        writer.writerow([number, f"{line.at:%d-%m-%Y %H:%M:%S}", line.text, debit, credit, money(balance),
                         line.reference])
    writer.writerows([
        ["", "", "Cộng phát sinh", money(debits), money(credits), "", ""],
        ["", f"{day_to:%d-%m-%Y}", "Số dư cuối kỳ", "", "", money(closing), ""],
    ])
    return out.getvalue().encode("utf-8")
