"""Benchmark: what a workbook of blank rows costs. Not part of the test run.

    python bench/blank_workbook.py

Builds a 16 MB workbook (a header, one transfer, 350,000 formatted empty rows) and one within the
upload limits (200,000 such rows), then times the upload form's check and the statement parser on
each, in seconds. The parser stops at the first run of blank lines; openpyxl first scans the whole
sheet for its size when the workbook does not state it, which is what the smaller one still costs.
"""

import os
import sys
import time
import zipfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relief_portal.settings.local")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from donations.forms_staff import MAX_WORKBOOK_UNPACKED_BYTES, _workbook_unpacked_size  # noqa: E402
from donations.statements import StatementError, parse_statement  # noqa: E402
from tests.workbooks import blank_workbook  # noqa: E402


def timed(function):
    started = time.perf_counter()
    try:
        outcome = function()
    except StatementError as exc:
        outcome = f"rejected: {exc.code} {exc.params}"
    return time.perf_counter() - started, outcome


def main() -> None:
    for rows in (350_000, 200_000):
        content = blank_workbook(rows)
        with zipfile.ZipFile(BytesIO(content)) as workbook:
            unpacked = sum(part.file_size for part in workbook.infolist())
        upload = SimpleUploadedFile("sao-ke.xlsx", content)
        check, size = timed(lambda: _workbook_unpacked_size(upload))
        verdict = "refused at upload" if size > MAX_WORKBOOK_UNPACKED_BYTES else "accepted at upload"
        print(f"{rows:,} blank rows: {len(content) / 1e6:.1f} MB, unpacks to {unpacked / 1e6:.0f} MB")
        print(f"  upload check  {check:8.3f} s  {verdict}")
        parse, outcome = timed(lambda: parse_statement(content=content, filename="sao-ke.xlsx"))
        print(f"  parser        {parse:8.3f} s  {outcome}")


if __name__ == "__main__":
    main()
