"""Bank statement parsing: one realistic sample per bank layout, custom mappings, and every rejection.

The CSV samples live in ``data/``; the XLSX samples are built here with openpyxl so no
binary is committed.  No database is touched.
"""

import codecs
import datetime
import io
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from donations.statements import (
    ColumnMapping,
    StatementError,
    StatementRow,
    parse_statement,
    read_header_candidates,
    statement_error_text,
)

DATA = Path(__file__).parent / "data"

VCB_HEADER = (
    "STT,Ngày giao dịch/Transaction Date,Số tham chiếu/Reference No.,Số tiền ghi nợ/Debit,"
    "Số tiền ghi có/Credit,Số dư/Balance,Nội dung chi tiết/Transactions in detail"
)
SACOMBANK_MAPPING = ColumnMapping(
    date="Thời gian",
    description="Nội dung chuyển khoản",
    amount="Số tiền (VND)",
    reference="Mã giao dịch",
    balance="Số dư sau giao dịch",
)


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in their English source form, whatever LANGUAGE_CODE says.
    with translation.override("en"):
        yield


def _sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _vcb_csv(*rows: str, header: str = VCB_HEADER) -> bytes:
    """A small Vietcombank CSV: two title lines, the header on line 3, ``rows`` from line 4."""
    lines = ["VIETCOMBANK,,,,,,", "Số tài khoản/Account No: 0011001932418,,,,,,", header, *rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _error(content: bytes, filename: str = "saoke.csv", **kwargs) -> StatementError:
    with pytest.raises(StatementError) as caught:
        parse_statement(content=content, filename=filename, **kwargs)
    return caught.value


def _cp1258(text: str) -> bytes:
    """Encode like Excel's "CSV" on Vietnamese Windows: base letters plus combining tone marks."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        base, *marks = unicodedata.normalize("NFD", char)
        spare = []
        for mark in marks:  # keep â ê ô ơ ư ă as letters, tone marks as combining characters
            combined = unicodedata.normalize("NFC", base + mark)
            try:
                combined.encode("cp1258")
                base = combined
            except UnicodeEncodeError:
                spare.append(mark)
        out += (base + "".join(spare)).encode("cp1258")
    return bytes(out)


def _vietcombank_xlsx(*, first_credit: object = 500000.0) -> bytes:
    """Vietcombank's Excel export: merged title, bilingual two-line headers, datetime cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "SaoKe"
    sheet["A1"] = "NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM"
    sheet.merge_cells("A1:G1")
    sheet["A2"] = "SAO KÊ TÀI KHOẢN\nSTATEMENT OF ACCOUNT"
    sheet["A3"] = "Số tài khoản/Account No:"
    sheet["C3"] = "0011001932418"
    sheet["A4"] = "Từ ngày/From: 09/09/2024"
    sheet["D4"] = "Đến ngày/To: 10/09/2024"
    rows = {
        6: ["STT", "Ngày giao dịch\nTransaction Date", "Số tham chiếu\nReference No.", "Số tiền ghi nợ\nDebit",
            "Số tiền ghi có\nCredit", "Số dư\nBalance", "Nội dung chi tiết\nTransactions in detail"],
        7: [None, None, None, None, None, 12500000, "Số dư đầu kỳ/Opening balance"],
        8: [1, datetime.datetime(2024, 9, 9, 8, 15, 32), "5213.84021", None, first_credit, 13000000.0,
            "MBVCB.6986253876.YAGI24 K7M3PQ9X.CT tu 0011004123456 NGUYEN VAN AN toi\n"
            "0011001932418 QUY CUU TRO DONG BAO BAO LU"],
        9: [2, "09/09/2024\n21:40:05", "5213.91102", None, "1.000.000", 14000000, "IBFT YAGI24-K7M3PQ9X ung ho bao lu"],
        10: [3, datetime.datetime(2024, 9, 10), "5218.10542", 11000, None, 13989000,
             "Thu phi SMS Banking thang 08/2024"],
        # rows 11 and 12 are absent from the sheet XML altogether
        13: ["Tổng cộng/Total", None, None, 11000, 1500000, None, None],
        14: [None, None, None, None, None, 13989000, "Số dư cuối kỳ/Closing balance"],
    }
    for number, values in rows.items():
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=number, column=column, value=value)
            if isinstance(value, datetime.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm:ss"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ one sample per bank


def test_vietcombank_csv_sample():
    # given Vietcombank's CSV: UTF-8 with BOM, title lines, quoted "1,000,000" amounts, multi-line cells
    content = _sample("vietcombank.csv")

    # when
    statement = parse_statement(content=content, filename="vietcombank.csv")

    # then
    assert statement.layout == "vietcombank"
    assert statement.account_number == "0011001932418"
    assert statement.rows == [
        StatementRow(
            line=10,
            booked_at=datetime.datetime(2024, 9, 9, 8, 15, 32),
            amount=500000,
            description="MBVCB.6986253876.YAGI24 K7M3PQ9X.CT tu 0011004123456 NGUYEN VAN AN toi 0011001932418 "
            "QUY CUU TRO DONG BAO BAO LU",
            bank_reference="5213.84021",
            balance=13000000,
        ),
        StatementRow(12, datetime.datetime(2024, 9, 9), 2000000, "IBFT YAGI24-R2T8WX4N ung ho bao lu", "5213.84377",
                     15000000),
        StatementRow(13, datetime.datetime(2024, 9, 10), -11000, "Thu phi SMS Banking thang 08/2024", "5218.10542",
                     14989000),
        StatementRow(14, datetime.datetime(2024, 9, 10, 14, 2, 7), 1000000,
                     "NHAN TU 19036541234011 TRAN THI BICH NGOC YAGI24 HB6N2QDZ UNG HO DONG BAO MIEN BAC",
                     "5218.20211", 15989000),
    ]
    # opening balance, blank line, "Tổng cộng/Total", closing balance
    assert statement.skipped_lines == 4


def test_vietinbank_csv_sample():
    # given VietinBank's export: semicolons, "3.250.000" dot thousands, dd-mm-yyyy dates, a "150.000 đ" amount
    content = _sample("vietinbank.csv")

    # when
    statement = parse_statement(content=content, filename="LichSuGiaoDich.csv")

    # then
    assert statement.layout == "vietinbank"
    assert statement.account_number == "113000274651"
    assert statement.rows == [
        StatementRow(9, datetime.datetime(2024, 9, 9, 9, 41, 26), 300000,
                     "CT DEN:424309876543 YAGI24 7WQK2M9D ung ho dong bao lu lut Yen Bai", "4243098765", 3550000),
        StatementRow(10, datetime.datetime(2024, 9, 9, 10, 5, 12), 5000000, "FT24253123456789 UNG HO MTTQ",
                     "4243101122", 8550000),
        StatementRow(11, datetime.datetime(2024, 9, 9, 16, 30), -2000000,
                     "Chuyen tien ho tro gia dinh bi thiet hai tai Lang Nu", "4243187701", 6550000),
        StatementRow(12, datetime.datetime(2024, 9, 10, 7, 55), 150000,
                     "CT DEN:425407712345 Tran Van Hung chuyen tien YAGI24 Q4HZ8B2M", "4254077123", 6700000),
    ]
    # dated "Số dư đầu kỳ" row without amounts, "Cộng phát sinh", dated "Số dư cuối kỳ"
    assert statement.skipped_lines == 3


BIDV_ROWS = [
    StatementRow(11, datetime.datetime(2024, 9, 9, 11, 20, 45), 1000000,
                 "REM Tfr Ac: 21510001112223 NGUYEN THI HOA YAGI24 M8K2TQ7V ung ho dong bao Lao Cai",
                 "0521ITC2409090012", 46000000),
    StatementRow(12, datetime.datetime(2024, 9, 9, 13, 5, 10), 250000, "IBFT YAGI24-K7M3PQ9X ung ho bao lu",
                 "0521ITC2409090187", 46250000),
    StatementRow(13, datetime.datetime(2024, 9, 10, 8, 0), -5500, "Phi duy tri dich vu BIDV SmartBanking T8/2024",
                 "0521CHG2409100001", 46244500),
    # booked at the transaction time (Ngày giao dịch), not the next day's value date (Ngày hiệu lực)
    StatementRow(14, datetime.datetime(2024, 9, 9, 23, 58, 2), 20000000,
                 "CONG TY TNHH THEP VIET UNG HO DONG BAO BI THIET HAI DO BAO SO 3", "0521ITC2409100033", 66244500),
]


def test_bidv_tab_separated_sample():
    # given BIDV's tab-separated export, with the old account number listed before the current one
    content = _sample("bidv.csv")

    # when
    statement = parse_statement(content=content, filename="BIDV_saoke.csv")

    # then
    assert statement.layout == "bidv"
    assert statement.account_number == "21510003456789"
    assert statement.rows == BIDV_ROWS
    assert statement.skipped_lines == 3  # "Số dư đầu kỳ", "Tổng cộng/Total", "Số dư cuối kỳ"


def test_bidv_sample_saved_as_utf16_with_bom():
    # given the same BIDV file saved by Excel as "Unicode Text" (UTF-16 LE with BOM)
    content = codecs.BOM_UTF16_LE + _sample("bidv.csv").decode("utf-8").encode("utf-16-le")

    # when
    statement = parse_statement(content=content, filename="BIDV_saoke.txt")

    # then
    assert (statement.layout, statement.account_number, statement.skipped_lines) == ("bidv", "21510003456789", 3)
    assert statement.rows == BIDV_ROWS


def test_mb_csv_sample():
    # given MB's export: CRLF lines, "500,000.00" amounts, the account number in its own cell
    content = _sample("mb.csv")

    # when
    statement = parse_statement(content=content, filename="MB_SaoKe.csv")

    # then
    assert statement.layout == "mb"
    assert statement.account_number == "0861000123987"
    assert statement.rows == [
        StatementRow(8, datetime.datetime(2024, 9, 9, 10, 12), 500000,
                     "CUSTOMER YAGI24 T9BX3KMW Ung ho dong bao Cao Bang. TU: LE MINH TUAN", "FT24253998877661",
                     1700000),
        StatementRow(9, datetime.datetime(2024, 9, 9, 19, 47), 100000,
                     "MBVCB.6990123456.YAGI24 W5NC7RJA.CT tu 0071000654321 PHAM THU HA toi 0861000123987 "
                     "MAT TRAN TO QUOC VN TINH CAO BANG", "FT24253998877702", 1800000),
        StatementRow(10, datetime.datetime(2024, 9, 10, 8, 30), -1800000,
                     "Chuyen tien ung ho ve Quy cuu tro tinh Cao Bang", "FT24254000011223", 0),
    ]
    assert statement.skipped_lines == 4  # blank, "Tổng cộng/Total", closing balance, "Người lập/Prepared by"


def test_vietcombank_xlsx_with_datetime_cells():
    # given a generated Vietcombank workbook: a datetime cell, a "dd/mm/yyyy\nHH:MM:SS" text date,
    # float and int amounts, a "1.000.000" text amount and two rows missing from the sheet
    content = _vietcombank_xlsx()

    # when
    statement = parse_statement(content=content, filename="SaoKeTaiKhoan.xlsx")

    # then
    assert statement.layout == "vietcombank"
    assert statement.account_number == "0011001932418"
    assert statement.rows == [
        StatementRow(8, datetime.datetime(2024, 9, 9, 8, 15, 32), 500000,
                     "MBVCB.6986253876.YAGI24 K7M3PQ9X.CT tu 0011004123456 NGUYEN VAN AN toi 0011001932418 "
                     "QUY CUU TRO DONG BAO BAO LU", "5213.84021", 13000000),
        StatementRow(9, datetime.datetime(2024, 9, 9, 21, 40, 5), 1000000, "IBFT YAGI24-K7M3PQ9X ung ho bao lu",
                     "5213.91102", 14000000),
        StatementRow(10, datetime.datetime(2024, 9, 10), -11000, "Thu phi SMS Banking thang 08/2024", "5218.10542",
                     13989000),
    ]
    # opening balance, empty rows 11 and 12, total, closing balance
    assert statement.skipped_lines == 5


def test_xlsx_is_recognised_by_content_whatever_the_extension():
    # given a workbook uploaded with a misleading name
    content = _vietcombank_xlsx()

    # when
    statement = parse_statement(content=content, filename="saoke.csv")

    # then
    assert statement.layout == "vietcombank"
    assert [row.amount for row in statement.rows] == [500000, 1000000, -11000]


@pytest.mark.parametrize(
    "header, layout",
    [
        # MB's older export shares "Phát sinh nợ/có" with BIDV; "Số bút toán" decides
        ("STT,Ngày hạch toán/Posting date,Số bút toán/Reference No.,Phát sinh nợ/Debit,Phát sinh có/Credit,"
         "Số dư/Balance,Diễn giải/Description", "mb"),
        # BIDV's online-banking export has no value-date column
        ("STT,Ngày giao dịch,Số tham chiếu,Phát sinh nợ,Phát sinh có,Số dư,Mô tả", "bidv"),
        # VietinBank's variant with "Diễn giải"
        ("STT,Ngày giao dịch,Diễn giải,Ghi nợ,Ghi có,Số dư,Số giao dịch", "vietinbank"),
        # Vietcombank's English-only export
        ("No.,Transaction Date,Reference No.,Debit,Credit,Balance,Transactions in detail", "vietcombank"),
    ],
)
def test_header_variants_are_recognised(header, layout):
    # given a header variant; every variant has the date second and the credit fifth
    content = _vcb_csv('1,09/09/2024,5213.84021,,"200,000",,IBFT YAGI24-K7M3PQ9X', header=header)

    # when
    statement = parse_statement(content=content, filename="saoke.csv")

    # then
    assert statement.layout == layout
    assert [(row.line, row.amount) for row in statement.rows] == [(4, 200000)]


# ---------------------------------------------------------------------- amounts and dates


@pytest.mark.parametrize(
    "credit, expected",
    [
        ('"1,000,000"', 1000000),
        ("1.000.000", 1000000),
        ('"1,000,000.00"', 1000000),
        ('"1.000.000,00"', 1000000),
        ("1000000", 1000000),
        ("1.000.000 VND", 1000000),
        ("50.000đ", 50000),
        ("1.000", 1000),  # a dot groups thousands: one thousand đồng, never 1.0
    ],
)
def test_thousands_separators(credit, expected):
    # given a credit written with "." or "," thousands separators
    content = _vcb_csv(f"1,09/09/2024,5213.84021,,{credit},,IBFT YAGI24-K7M3PQ9X ung ho bao lu")

    # when
    statement = parse_statement(content=content, filename="vcb.csv")

    # then
    assert statement.rows[0].amount == expected


@pytest.mark.parametrize("debit", ["50.000", "-50.000", '"50,000"'])
def test_debits_are_negative(debit):
    # given a fee in the debit column, with or without a minus sign
    content = _vcb_csv(f"1,10/09/2024,5218.10542,{debit},,,Thu phi SMS Banking")

    # when
    statement = parse_statement(content=content, filename="vcb.csv")

    # then
    assert statement.rows[0].amount == -50000
    assert statement.rows[0].balance is None


@pytest.mark.parametrize(
    "date, expected",
    [
        ("09/09/2024", datetime.datetime(2024, 9, 9)),
        ("09/09/2024 08:15", datetime.datetime(2024, 9, 9, 8, 15)),
        ("09/09/2024 08:15:32", datetime.datetime(2024, 9, 9, 8, 15, 32)),
        ('"09/09/2024\n08:15:32"', datetime.datetime(2024, 9, 9, 8, 15, 32)),
        ("09-09-2024", datetime.datetime(2024, 9, 9)),
        ("9/9/2024", datetime.datetime(2024, 9, 9)),
    ],
)
def test_date_formats(date, expected):
    # given a transaction date in one of the formats banks export
    content = _vcb_csv(f'1,{date},5213.84021,,"200,000",,IBFT YAGI24-K7M3PQ9X')

    # when
    statement = parse_statement(content=content, filename="vcb.csv")

    # then
    assert statement.rows[0].booked_at == expected


def test_header_repeated_on_every_page_is_skipped():
    # given an export that repeats the header row after a page break
    content = _vcb_csv(
        '1,09/09/2024,5213.84021,,"200,000",,IBFT YAGI24-K7M3PQ9X',
        VCB_HEADER,
        '2,09/09/2024,5213.84377,,"300,000",,IBFT YAGI24-R2T8WX4N',
    )

    # when
    statement = parse_statement(content=content, filename="vcb.csv")

    # then
    assert [(row.line, row.amount) for row in statement.rows] == [(4, 200000), (6, 300000)]
    assert statement.skipped_lines == 1


# ------------------------------------------------------------------------- custom mapping


def test_custom_mapping_with_signed_amount_column():
    # given a bank we do not recognise and the columns staff mapped for this account
    content = _sample("sacombank_custom.csv")

    # when
    statement = parse_statement(content=content, filename="sacombank.csv", mapping=SACOMBANK_MAPPING)

    # then
    assert statement.layout == "custom"
    assert statement.account_number == "060123456789"
    assert statement.rows == [
        StatementRow(5, datetime.datetime(2024, 9, 8, 21, 3, 11), 2000000, "IBFT YAGI24-D3JX9VQ2 ung ho bao lu",
                     "TT24252A1B2C3D", 7000000),
        StatementRow(6, datetime.datetime(2024, 9, 9, 6, 45), 50000, "NGUYEN THI MAI chuyen tien YAGI24 ZP4R8N2C",
                     "TT24253E4F5G6H", 7050000),
        StatementRow(7, datetime.datetime(2024, 9, 9, 12, 0), -15000, "Phi quan ly tai khoan", "TT24253PHI0001",
                     7035000),
    ]
    assert statement.skipped_lines == 0


def test_custom_mapping_with_credit_and_debit_columns_on_a_workbook():
    # given a workbook mapped by hand (names compared without case or diacritics)
    mapping = ColumnMapping(
        date="ngay giao dich transaction date",
        description="Nội dung chi tiết Transactions in detail",
        credit="Số tiền ghi có Credit",
        debit="Số tiền ghi nợ Debit",
    )

    # when
    statement = parse_statement(content=_vietcombank_xlsx(), filename="saoke.xlsx", mapping=mapping)

    # then
    assert statement.layout == "custom"
    assert [(row.line, row.amount, row.bank_reference, row.balance) for row in statement.rows] == [
        (8, 500000, "", None),
        (9, 1000000, "", None),
        (10, -11000, "", None),
    ]


def test_header_candidates_of_an_unknown_bank():
    # given a statement whose layout we do not know
    content = _sample("sacombank_custom.csv")

    # when
    candidates = read_header_candidates(content=content, filename="sacombank.csv")

    # then
    assert candidates == ["Thời gian", "Số tiền (VND)", "Mã giao dịch", "Nội dung chuyển khoản", "Số dư sau giao dịch"]


def test_header_candidates_of_a_workbook():
    # given the generated Vietcombank workbook
    content = _vietcombank_xlsx()

    # when
    candidates = read_header_candidates(content=content, filename="saoke.xlsx")

    # then
    assert candidates == [
        "STT",
        "Ngày giao dịch Transaction Date",
        "Số tham chiếu Reference No.",
        "Số tiền ghi nợ Debit",
        "Số tiền ghi có Credit",
        "Số dư Balance",
        "Nội dung chi tiết Transactions in detail",
    ]


# ------------------------------------------------------------------------------ rejections


def test_unknown_layout():
    # given a bank we do not recognise and no mapping
    content = _sample("sacombank_custom.csv")

    # when
    error = _error(content, "sacombank.csv")

    # then
    assert error.code == "unknown_layout"
    assert (error.line, error.column) == (None, None)
    assert str(error) == (
        "Unknown layout: no header row of a supported bank (Vietcombank, VietinBank, BIDV, MB) was found. "
        "Choose the columns for this account's statements."
    )


def test_wrong_encoding_names_the_line():
    # given a statement saved as Windows-1258: the first two lines are plain ASCII
    text = "VIETCOMBANK,,,,,,\r\nSAO KE TAI KHOAN,,,,,,\r\nSố tài khoản/Account No: 0011001932418,,,,,,\r\n"
    content = _cp1258(text + VCB_HEADER + "\r\n")

    # when
    error = _error(content)

    # then
    assert error.code == "encoding"
    assert (error.line, error.column) == (3, None)
    assert str(error) == (
        "Line 3: wrong encoding — the file is neither UTF-8 nor UTF-16 text (probably Windows-1258). "
        "Export the statement again as UTF-8 CSV or as Excel (.xlsx)."
    )


def test_missing_column_of_a_recognised_layout():
    # given a Vietcombank header without its credit column
    header = VCB_HEADER.replace("Số tiền ghi có/Credit,", "")
    content = _vcb_csv('1,09/09/2024,5213.84021,,"13,000,000",IBFT YAGI24-K7M3PQ9X', header=header)

    # when
    error = _error(content)

    # then
    assert error.code == "missing_column"
    assert (error.line, error.column) == (3, "Số tiền ghi có/Credit")
    assert str(error) == (
        "Line 3: this looks like a Vietcombank statement, but it has no “Số tiền ghi có/Credit” column."
    )


def test_unreadable_date():
    # given a month-first date in the second transaction
    content = _vcb_csv(
        '1,09/09/2024,5213.84021,,"200,000",,IBFT YAGI24-K7M3PQ9X',
        '2,09/13/2024,5213.84377,,"300,000",,IBFT YAGI24-R2T8WX4N',
    )

    # when
    error = _error(content)

    # then
    assert (error.line, error.column) == (5, "Ngày giao dịch/Transaction Date")
    assert str(error) == (
        "Line 5, column “Ngày giao dịch/Transaction Date”: cannot read the date “09/13/2024” (expected dd/mm/yyyy)."
    )


def test_unreadable_amount():
    # given a credit typed as "500k"
    content = _vcb_csv("1,09/09/2024,5213.84021,,500k,,IBFT YAGI24-K7M3PQ9X")

    # when
    error = _error(content)

    # then
    assert (error.line, error.column) == (4, "Số tiền ghi có/Credit")
    assert str(error) == "Line 4, column “Số tiền ghi có/Credit”: cannot read the amount “500k”."


def test_fraction_of_a_dong_in_a_workbook():
    # given a numeric XLSX cell with a fractional đồng
    content = _vietcombank_xlsx(first_credit=500000.5)

    # when
    error = _error(content, "saoke.xlsx")

    # then
    assert (error.line, error.column) == (8, "Số tiền ghi có Credit")
    assert str(error) == "Line 8, column “Số tiền ghi có Credit”: the amount “500000.5” has a fraction of a đồng."


def test_dated_row_without_amount():
    # given a transaction row with a date but neither credit nor debit
    content = _vcb_csv("1,09/09/2024,5213.84021,,,,IBFT YAGI24-K7M3PQ9X")

    # when
    error = _error(content)

    # then
    assert (error.line, error.column) == (4, "Số tiền ghi có/Credit")
    assert str(error) == "Line 4, column “Số tiền ghi có/Credit”: the transaction has no amount."


def test_row_with_both_debit_and_credit():
    # given a row with money both in and out
    content = _vcb_csv('1,09/09/2024,5213.84021,"5,000","200,000",,IBFT YAGI24-K7M3PQ9X')

    # when
    error = _error(content)

    # then
    assert (error.line, error.column) == (4, "Số tiền ghi nợ/Debit")
    assert str(error) == "Line 4, column “Số tiền ghi nợ/Debit”: the transaction has both a debit and a credit amount."


def test_unquoted_thousands_in_a_comma_separated_file():
    # given an amount whose commas split it over several cells
    content = _vcb_csv("1,09/09/2024,5213.84021,,200,000,15,000,000,IBFT YAGI24-K7M3PQ9X")

    # when
    error = _error(content)

    # then
    assert (error.line, error.code) == (4, "extra_cells")


def test_mapping_column_not_in_the_file():
    # given a mapping saved for an older export whose amount column was renamed since
    mapping = ColumnMapping(date="Thời gian", description="Nội dung chuyển khoản", amount="Số tiền")

    # when
    error = _error(_sample("sacombank_custom.csv"), mapping=mapping)

    # then
    assert (error.code, error.params) == ("mapping_missing_column", {"line": 4, "column": "Số tiền"})
    assert str(error) == "Line 4: the header row has no column “Số tiền” chosen for this account."


def test_mapping_needs_an_amount():
    # given a mapping with neither an amount nor a credit column
    mapping = ColumnMapping(date="Thời gian", description="Nội dung chuyển khoản")

    # when
    error = _error(_sample("sacombank_custom.csv"), mapping=mapping)

    # then
    assert (error.code, error.params) == ("mapping_no_amount", {})
    assert str(error) == "The column mapping needs either one signed amount column or credit/debit columns."


@pytest.mark.parametrize(
    "content, filename, message",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "saoke.xls",
         "Old Excel files (.xls) cannot be read: save the statement as .xlsx or CSV and upload it again."),
        (b"%PDF-1.7", "saoke.pdf", "Files of type “.pdf” cannot be read: upload the statement as .xlsx or .csv."),
        (b"PK\x03\x04broken", "saoke.xlsx", "The file “saoke.xlsx” is not a readable Excel (.xlsx) workbook."),
        (b"", "saoke.csv", "The file is empty."),
    ],
)
def test_files_that_are_not_statements(content, filename, message):
    # given something other than a CSV or XLSX statement
    # when
    error = _error(content, filename)

    # then
    assert str(error) == message


def test_error_is_a_code_with_params_worded_in_the_active_language():
    # given an error as the parser raises it
    # when
    error = StatementError("bad_amount", line=7, column="Ghi có", value="500k")

    # then it keeps its code and JSON parameters, and reads as a sentence in each language
    assert (error.code, error.params, error.line, error.column) == (
        "bad_amount", {"line": 7, "column": "Ghi có", "value": "500k"}, 7, "Ghi có"
    )
    assert str(error) == "Line 7, column “Ghi có”: cannot read the amount “500k”."
    with translation.override("vi"):
        assert str(error) == "Dòng 7, cột “Ghi có”: không đọc được số tiền “500k”."


@pytest.mark.parametrize(
    "code, params, text",
    [
        ("legacy", {"text": "Dòng 5: không đọc được số tiền “500k”."}, "Dòng 5: không đọc được số tiền “500k”."),
        ("bad_amount", {"line": 7}, "Line 7, column “?”: cannot read the amount “?”."),
        ("some_future_reason", {"line": 7}, "The statement was rejected (reason “some_future_reason”)."),
        ("ambiguous_column", {"line": 1, "field": "amount", "columns": ["Tiền vào", "Tiền ra"]},
         "Line 1: the amount could be in any of the columns “Tiền vào”, “Tiền ra”. "
         "Choose the columns for this account's statements."),
    ],
)
def test_stored_reasons_are_always_worded(code, params, text):
    # given a reason as stored on an import: from before codes, with a parameter missing, or unknown here
    # when / then it reads as a sentence, never an error page
    assert statement_error_text(code, params) == text


def test_many_rows_are_read_in_one_pass():
    # given a statement of 20,000 transfers
    rows = [f'{n},09/09/2024 08:15:00,5213.{n:05d},,"{n:,}",,IBFT YAGI24-K7M3PQ9X {n}' for n in range(1, 20001)]
    content = _vcb_csv(*rows)

    # when
    statement = parse_statement(content=content, filename="vcb.csv")

    # then
    assert len(statement.rows) == 20000
    assert (statement.rows[-1].line, statement.rows[-1].amount) == (20003, 20000)
    assert sum(row.amount for row in statement.rows) == 200010000
