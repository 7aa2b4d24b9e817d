"""Sample bank statements for the import tests."""

HEADER = (
    "Ngân hàng TMCP Ngoại thương Việt Nam\n"
    "SAO KÊ TÀI KHOẢN / ACCOUNT STATEMENT\n"
    "Số tài khoản/Account No: 0011001932418\n"
    "\n"
    "STT,Ngày giao dịch/Transaction Date,Số tham chiếu/Reference No.,Số tiền ghi nợ/Debit,"
    "Số tiền ghi có/Credit,Số dư/Balance,Nội dung chi tiết/Transactions in detail\n"
    ",,,,,100.000.000,Số dư đầu kỳ/Opening balance\n"
)


def statement(*rows: tuple[str, str, str, str, str]) -> bytes:
    """Vietcombank CSV from (date, bank reference, debit, credit, text) rows."""
    lines = [f'{n},{d},{ref},"{debit}","{credit}",,"{text}"' for n, (d, ref, debit, credit, text) in enumerate(rows, 1)]
    return (HEADER + "\n".join(lines) + "\n").encode("utf-8")
