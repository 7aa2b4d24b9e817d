"""Reading a statement one row at a time (`read_statement`): the same rows, skipped lines and
rejections as reading it whole, whatever the size of the blocks its text is decoded in.

The import reads a statement twice without holding it; these tests pin that the streamed reading
is the whole reading, line ends and multi-byte characters cut by a block boundary included.
No database is touched.
"""

import codecs
import io
from pathlib import Path

import openpyxl
import pytest

from donations.statements import StatementError, parse_statement, read_statement
from donations.statements import readers

DATA = Path(__file__).parent / "data"
SAMPLES = ["bidv.csv", "mb.csv", "vietcombank.csv", "vietinbank.csv"]
VCB_HEADER = (
    "STT,Ngày giao dịch/Transaction Date,Số tham chiếu/Reference No.,Số tiền ghi nợ/Debit,"
    "Số tiền ghi có/Credit,Số dư/Balance,Nội dung chi tiết/Transactions in detail"
)


def _vcb(*rows: str, newline: str = "\r\n") -> bytes:
    lines = ["VIETCOMBANK,,,,,,", "Số tài khoản/Account No: 0011001932418,,,,,,", VCB_HEADER, *rows]
    return (newline.join(lines) + newline).encode("utf-8")


def _streamed(content: bytes, filename: str):
    with read_statement(content=content, filename=filename) as reader:
        rows = list(reader)
        return reader.layout, reader.account_number, reader.labels, rows, reader.skipped_lines


def _whole(content: bytes, filename: str):
    parsed = parse_statement(content=content, filename=filename)
    return parsed.layout, parsed.account_number, parsed.labels, parsed.rows, parsed.skipped_lines


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("block", [1, 2, 3, 7, 64, 1 << 20])
def test_streamed_rows_are_the_rows_read_whole_for_any_block_size(monkeypatch, name, block):
    content = (DATA / name).read_bytes()
    whole = _whole(content, name)

    monkeypatch.setattr(readers, "DECODE_BLOCK", block)

    assert _streamed(content, name) == whole
    assert len(whole[3]) >= 3


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("block", [1, 2, 5, 1 << 20])
def test_line_ends_cut_by_a_block_boundary_and_quoted_cells_over_lines(monkeypatch, newline, block):
    # given rows with Vietnamese text (2- and 3-byte characters), a quoted cell spanning two lines, and
    # line ends of every kind, decoded in blocks that cut them anywhere
    content = _vcb(
        '1,08/09/2024 09:00:00,FT1,,"500,000",,"Nguyễn Văn Đức ủng hộ đồng bào"',
        '2,08/09/2024 10:00:00,FT2,,"250,000",,"ung ho' + newline + 'mien bac"',
        "3,09/09/2024,FT3,\"20,000\",,,Phí dịch vụ",
        newline=newline,
    )
    whole = _whole(content, "vcb.csv")

    monkeypatch.setattr(readers, "DECODE_BLOCK", block)
    streamed = _streamed(content, "vcb.csv")

    # then every row, its line number and its text are as when the file is read whole
    assert streamed == whole
    assert [(row.line, row.description) for row in streamed[3]] == [
        (4, "Nguyễn Văn Đức ủng hộ đồng bào"), (5, "ung ho mien bac"), (7, "Phí dịch vụ"),
    ]


def test_utf16_with_a_bom_streams_like_utf8(monkeypatch):
    text = _vcb('1,08/09/2024,FT1,,"500,000",,"Nguyễn Văn An ủng hộ"').decode("utf-8")
    content = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    monkeypatch.setattr(readers, "DECODE_BLOCK", 3)

    assert _streamed(content, "vcb.csv") == _whole(_vcb('1,08/09/2024,FT1,,"500,000",,"Nguyễn Văn An ủng hộ"'), "vcb.csv")


@pytest.mark.parametrize("block", [1, 4, 1 << 20])
@pytest.mark.parametrize(
    "content, line",
    [
        (_vcb('1,08/09/2024,FT1,,"500,000",,"ung ho"', '2,08/09/2024,FT2,,"100,000",,"Nguy?n"').replace(
            b"Nguy?n", b"Nguy\xe1n"), 5),  # a Windows-1258 byte on line 5
        (_vcb('1,08/09/2024,FT1,,"500,000",,"ung\x00ho"'), 4),
    ],
    ids=["windows-1258-byte", "nul"],
)
def test_a_wrong_encoding_is_refused_at_the_same_line_whatever_the_blocks(monkeypatch, block, content, line):
    monkeypatch.setattr(readers, "DECODE_BLOCK", block)

    with pytest.raises(StatementError) as refused:
        _streamed(content, "vcb.csv")

    assert (refused.value.code, refused.value.params) == ("encoding", {"line": line})


def test_rows_of_a_workbook_stream_like_the_whole_reading():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Số tài khoản/Account No: 0011001932418"])
    sheet.append(VCB_HEADER.split(","))
    for n in range(1, 6):
        sheet.append([n, f"0{n}/09/2024 09:00:00", f"FT{n}", None, n * 100_000, None, f"Ủng hộ lần {n}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()

    assert _streamed(content, "saoke.xlsx") == _whole(content, "saoke.xlsx")


def test_a_bad_row_is_raised_when_the_reading_reaches_it_not_before():
    content = _vcb('1,08/09/2024,FT1,,"500,000",,"ung ho"', '2,31/02/2024,FT2,,"100,000",,"ung ho"')

    with read_statement(content=content, filename="vcb.csv") as reader:
        rows = iter(reader)
        first = next(rows)
        with pytest.raises(StatementError) as refused:
            next(rows)

    assert first.line == 4
    assert (refused.value.code, refused.value.params["line"]) == ("bad_date", 5)
