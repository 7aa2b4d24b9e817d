"""Exports of banks without a layout of their own: common header spellings, and columns found by content.

Each sample is a small, real-looking statement (CSV text or a workbook built with openpyxl);
the tests assert every row read from it.  No database is touched.
"""

import datetime
import io

import openpyxl
import pytest
from django.utils import translation

from donations.statements import StatementError, StatementRow, parse_statement

D = datetime.datetime


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _xlsx(rows: dict[int, list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for number, values in rows.items():
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=number, column=column, value=value)
            if isinstance(value, datetime.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm:ss"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _error(content: bytes, filename: str) -> StatementError:
    with pytest.raises(StatementError) as caught:
        parse_statement(content=content, filename=filename)
    return caught.value


# ------------------------------------------------------------------ common spellings


def test_no_and_co_columns_with_ngay_gd_and_dien_giai():
    # given an export headed "Ngày GD", "Nợ", "Có", "Diễn giải", with a totals line
    content = _csv(
        "NGÂN HÀNG NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN VIỆT NAM,,,,,,",
        "SAO KÊ TÀI KHOẢN,,,,,,",
        "Số tài khoản: 1500201234567,,,,,,",
        "STT,Ngày GD,Số CT,Nợ,Có,Số dư,Diễn giải",
        '1,09/09/2024 08:15:32,0521ITC01,,"500,000","12,500,000",IBFT YAGI24-K7M3PQ9X ung ho dong bao bao lu',
        '2,09/09/2024 14:02:07,0521ITC02,,"1,000,000","13,500,000",CT tu 0011004123456 NGUYEN VAN AN YAGI24 HB6N2QDZ',
        '3,10/09/2024,0521CHG03,"11,000",,"13,489,000",Thu phi SMS Banking thang 08/2024',
        ',,,"11,000","1,500,000",,Cộng phát sinh',
    )

    # when
    statement = parse_statement(content=content, filename="Agribank_saoke.csv")

    # then
    assert (statement.layout, statement.account_number, statement.skipped_lines) == ("generic", "1500201234567", 1)
    assert statement.rows == [
        StatementRow(5, D(2024, 9, 9, 8, 15, 32), 500000, "IBFT YAGI24-K7M3PQ9X ung ho dong bao bao lu", "0521ITC01",
                     12500000),
        StatementRow(6, D(2024, 9, 9, 14, 2, 7), 1000000, "CT tu 0011004123456 NGUYEN VAN AN YAGI24 HB6N2QDZ",
                     "0521ITC02", 13500000),
        StatementRow(7, D(2024, 9, 10), -11000, "Thu phi SMS Banking thang 08/2024", "0521CHG03", 13489000),
    ]


def test_debit_and_credit_alone_in_a_workbook():
    # given an English-only workbook: "No.", "Date", "Debit", "Credit", "Description", numeric cells
    content = _xlsx({
        1: ["ACCOUNT STATEMENT"],
        2: ["Account number: 19036541234011"],
        4: ["No.", "Date", "Reference", "Debit", "Credit", "Balance", "Description"],
        5: [1, D(2024, 9, 9, 10, 12), "FT24253998877661", None, 500000, 1700000,
            "CUSTOMER YAGI24 T9BX3KMW Ung ho dong bao Cao Bang"],
        6: [2, D(2024, 9, 10, 8, 30), "FT24254000011223", 1700000, None, 0, "Chuyen tien ve Quy cuu tro"],
    })

    # when
    statement = parse_statement(content=content, filename="statement.xlsx")

    # then
    assert (statement.layout, statement.account_number) == ("generic", "19036541234011")
    assert statement.rows == [
        StatementRow(5, D(2024, 9, 9, 10, 12), 500000, "CUSTOMER YAGI24 T9BX3KMW Ung ho dong bao Cao Bang",
                     "FT24253998877661", 1700000),
        StatementRow(6, D(2024, 9, 10, 8, 30), -1700000, "Chuyen tien ve Quy cuu tro", "FT24254000011223", 0),
    ]


def test_ghi_chu_as_the_transfer_content():
    # given a semicolon-separated export whose transfer content is headed "Ghi chú"
    content = _csv(
        "Ngày giao dịch;Ghi nợ;Ghi có;Số dư;Ghi chú",
        "08/09/2024 21:03:11;;2.000.000;7.000.000;IBFT YAGI24-D3JX9VQ2 ung ho bao lu",
        "09/09/2024 12:00:00;15.000;;6.985.000;Phi quan ly tai khoan",
    )

    # when
    statement = parse_statement(content=content, filename="saoke.csv")

    # then
    assert statement.layout == "generic"
    assert statement.rows == [
        StatementRow(2, D(2024, 9, 8, 21, 3, 11), 2000000, "IBFT YAGI24-D3JX9VQ2 ung ho bao lu", "", 7000000),
        StatementRow(3, D(2024, 9, 9, 12, 0), -15000, "Phi quan ly tai khoan", "", 6985000),
    ]


def test_one_signed_so_tien_column():
    # given a single "Số tiền" column, negative for money out
    content = _csv(
        "Số tài khoản: 0129837465,,,",
        "Ngày GD,Số tiền,Số dư,Diễn giải",
        '09/09/2024 09:41:26,"+300,000","3,550,000",CT DEN:424309876543 YAGI24 7WQK2M9D ung ho',
        '09/09/2024 16:30:00,"-2,000,000","1,550,000",Chuyen tien ho tro gia dinh bi thiet hai',
    )

    # when
    statement = parse_statement(content=content, filename="saoke.csv")

    # then
    assert (statement.layout, statement.account_number) == ("generic", "0129837465")
    assert statement.rows == [
        StatementRow(3, D(2024, 9, 9, 9, 41, 26), 300000, "CT DEN:424309876543 YAGI24 7WQK2M9D ung ho", "", 3550000),
        StatementRow(4, D(2024, 9, 9, 16, 30), -2000000, "Chuyen tien ho tro gia dinh bi thiet hai", "", 1550000),
    ]


def test_one_signed_so_tien_column_in_a_workbook():
    # given the same kind of export as a workbook with numeric cells
    content = _xlsx({
        3: ["Ngày GD", "Số tiền", "Số dư", "Diễn giải"],
        4: [D(2024, 9, 9, 9, 41, 26), 300000, 3550000, "YAGI24 7WQK2M9D ung ho"],
        5: [D(2024, 9, 9, 16, 30), -2000000.0, 1550000, "Chuyen tien ho tro"],
    })

    # when
    statement = parse_statement(content=content, filename="saoke.xlsx")

    # then
    assert statement.layout == "generic"
    assert statement.rows == [
        StatementRow(4, D(2024, 9, 9, 9, 41, 26), 300000, "YAGI24 7WQK2M9D ung ho", "", 3550000),
        StatementRow(5, D(2024, 9, 9, 16, 30), -2000000, "Chuyen tien ho tro", "", 1550000),
    ]


def test_unsigned_so_tien_beside_a_no_co_column():
    # given an unsigned amount whose direction is in a "Nợ/Có" column
    content = _csv(
        "Ngày giao dịch,Số tiền,Nợ/Có,Diễn giải",
        "09/09/2024,500.000,C,IBFT YAGI24-K7M3PQ9X ung ho",
        "09/09/2024,20.000,D,Phi chuyen tien",
        "10/09/2024,1.000.000,Có,YAGI24 HB6N2QDZ ung ho",
    )

    # when
    statement = parse_statement(content=content, filename="saoke.csv")

    # then
    assert statement.layout == "generic"
    assert [(row.line, row.booked_at, row.amount, row.description) for row in statement.rows] == [
        (2, D(2024, 9, 9), 500000, "IBFT YAGI24-K7M3PQ9X ung ho"),
        (3, D(2024, 9, 9), -20000, "Phi chuyen tien"),
        (4, D(2024, 9, 10), 1000000, "YAGI24 HB6N2QDZ ung ho"),
    ]


@pytest.mark.parametrize(
    "header, layout",
    [
        ("STT,Ngày GD,Số CT,Nợ,Có,Số dư,Diễn giải", "generic"),
        ("No.,Date,Reference,Debit,Credit,Balance,Description", "generic"),
        ("STT,Ngày giao dịch,Số tham chiếu,Ghi nợ,Ghi có,Số dư,Ghi chú", "generic"),
        # an export without diacritics: "NO" in capitals is the debit, not the row number
        ("STT,NGAY GD,SO CT,NO,CO,SO DU,DIEN GIAI", "generic"),
        # a known bank's header with the common spellings
        ("STT,Ngày GD,Số tham chiếu,Nợ,Có,Số dư,Nội dung chi tiết", "vietcombank"),
        ("STT,Ngày giao dịch,Số tham chiếu,Nợ,Có,Ngày hiệu lực,Diễn giải", "bidv"),
    ],
)
def test_header_spellings(header, layout):
    # given a header with the date second, the debit fourth and the credit fifth
    content = _csv(header, '1,09/09/2024,FT1,,"200,000",,IBFT YAGI24-K7M3PQ9X', '2,10/09/2024,FT2,"5,500",,,Phi')

    # when
    statement = parse_statement(content=content, filename="saoke.csv")

    # then
    assert statement.layout == layout
    assert [(row.line, row.booked_at, row.amount, row.description, row.bank_reference) for row in statement.rows] == [
        (2, D(2024, 9, 9), 200000, "IBFT YAGI24-K7M3PQ9X", "FT1"),
        (3, D(2024, 9, 10), -5500, "Phi", "FT2"),
    ]


def test_no_dot_is_the_row_number_beside_a_signed_amount():
    # given "No." (row number) and a signed "Amount": not a debit column
    content = _csv("No.,Date,Amount,Remarks", '1,2024-09-09 10:00:00,"1,000,000",YAGI24 K7M3PQ9X ung ho')

    # when
    statement = parse_statement(content=content, filename="saoke.csv")

    # then
    assert statement.rows == [StatementRow(2, D(2024, 9, 9, 10, 0), 1000000, "YAGI24 K7M3PQ9X ung ho", "", None)]


# -------------------------------------------------------- columns found by what they hold


def test_transfer_content_under_an_unfamiliar_name_is_the_longest_text():
    # given a known header but for "Chi tiết giao dịch", beside a short "Kênh" text column
    content = _csv(
        "LỊCH SỬ GIAO DỊCH TÀI KHOẢN 0129837465,,,,,",
        "STT,Ngày GD,Số tiền,Kênh,Chi tiết giao dịch,Số dư",
        '1,09/09/2024 09:41:26,"+300,000",NAPAS,CT DEN:424309876543 YAGI24 7WQK2M9D ung ho lu lut,"3,550,000"',
        '2,09/09/2024 16:30:00,"-2,000,000",QUAY,Chuyen tien ho tro gia dinh bi thiet hai,"1,550,000"',
        '3,10/09/2024 07:55:00,"+150,000",NAPAS,Tran Van Hung chuyen tien YAGI24 Q4HZ8B2M,"1,700,000"',
    )

    # when
    statement = parse_statement(content=content, filename="saoke.csv")

    # then
    assert (statement.layout, statement.account_number) == ("generic", "0129837465")
    assert statement.rows == [
        StatementRow(3, D(2024, 9, 9, 9, 41, 26), 300000, "CT DEN:424309876543 YAGI24 7WQK2M9D ung ho lu lut", "",
                     3550000),
        StatementRow(4, D(2024, 9, 9, 16, 30), -2000000, "Chuyen tien ho tro gia dinh bi thiet hai", "", 1550000),
        StatementRow(5, D(2024, 9, 10, 7, 55), 150000, "Tran Van Hung chuyen tien YAGI24 Q4HZ8B2M", "", 1700000),
    ]


def test_date_and_credit_under_unfamiliar_names_in_a_known_banks_workbook():
    # given a Vietcombank workbook whose date is headed "Thời điểm" and whose credit "Tiền vào"
    content = _xlsx({
        1: ["Số tài khoản/Account No:", None, "0011001932418"],
        3: ["STT", "Thời điểm", "Số tham chiếu", "Nợ", "Tiền vào", "Số dư", "Nội dung chi tiết"],
        4: [None, None, None, None, None, 12500000, "Số dư đầu kỳ/Opening balance"],
        5: [1, D(2024, 9, 9, 8, 15, 32), "5213.84021", None, 500000, 13000000,
            "MBVCB.6986253876.YAGI24 K7M3PQ9X.CT tu 0011004123456 NGUYEN VAN AN"],
        6: [2, D(2024, 9, 10), "5218.10542", 11000, None, 12989000, "Thu phi SMS Banking thang 08/2024"],
    })

    # when
    statement = parse_statement(content=content, filename="SaoKe.xlsx")

    # then
    assert (statement.layout, statement.account_number, statement.skipped_lines) == (
        "vietcombank", "0011001932418", 1
    )
    assert statement.rows == [
        StatementRow(5, D(2024, 9, 9, 8, 15, 32), 500000,
                     "MBVCB.6986253876.YAGI24 K7M3PQ9X.CT tu 0011004123456 NGUYEN VAN AN", "5213.84021", 13000000),
        StatementRow(6, D(2024, 9, 10), -11000, "Thu phi SMS Banking thang 08/2024", "5218.10542", 12989000),
    ]


# -------------------------------------------------------------------------------- rejections


def test_two_unfamiliar_amount_columns_are_not_guessed_between():
    # given money in and out under names the parser does not know
    content = _csv(
        "STT,Ngày GD,Nội dung,Tiền vào,Tiền ra",
        '1,09/09/2024,IBFT YAGI24-K7M3PQ9X ung ho,"500,000",',
        '2,09/09/2024,Phi SMS,,"11,000"',
    )

    # when
    error = _error(content, "saoke.csv")

    # then staff are asked to map the columns
    assert (error.code, error.params) == (
        "ambiguous_column", {"line": 1, "field": "amount", "columns": ["Tiền vào", "Tiền ra"]}
    )
    assert str(error) == (
        "Line 1: the amount could be in any of the columns “Tiền vào”, “Tiền ra”. "
        "Choose the columns for this account's statements."
    )


def test_a_recognised_header_without_any_transfer_content():
    # given a header of known names that has no transfer content column at all
    content = _csv("STT,Ngày GD,Số tham chiếu,Nợ,Có,Số dư", '1,09/09/2024,FT1,,"500,000","1,500,000"')

    # when
    error = _error(content, "saoke.csv")

    # then
    assert (error.code, error.params) == ("missing_field", {"line": 1, "field": "description"})
    assert str(error) == (
        "Line 1: the columns of this statement were recognised, but none of them holds the transfer content. "
        "Choose the columns for this account's statements."
    )


def test_a_direction_that_is_neither_in_nor_out():
    # given a "Nợ/Có" cell that says neither
    content = _csv("Ngày giao dịch,Số tiền,Nợ/Có,Diễn giải", "09/09/2024,500.000,C,ung ho", "09/09/2024,20.000,X,phi")

    # when
    error = _error(content, "saoke.csv")

    # then
    assert (error.code, error.params) == ("bad_direction", {"line": 3, "column": "Nợ/Có", "value": "X"})
    assert str(error) == (
        "Line 3, column “Nợ/Có”: “X” does not say whether money came in or went out "
        "(expected C, Có or Credit; D, Nợ or Debit)."
    )


def test_a_workbook_of_unfamiliar_column_names_is_an_unknown_layout():
    # given a workbook whose column names say nothing the parser knows
    content = _xlsx({
        1: ["Thời gian", "Giá trị", "Thông tin"],
        2: [D(2024, 9, 9), 500000, "ung ho"],
    })

    # when
    error = _error(content, "saoke.xlsx")

    # then staff are asked to map the columns
    assert (error.code, error.params) == ("unknown_layout", {})
    assert str(error) == (
        "Unknown layout: no header row of a supported bank (Vietcombank, VietinBank, BIDV, MB) was found. "
        "Choose the columns for this account's statements."
    )
