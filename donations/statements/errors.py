"""The one exception the statement parser raises: a stable code and its parameters, worded when shown.

A rejected import outlives the request (or worker) that read the file, so what is stored is
``code`` and ``params`` (line, column, the offending value…), and ``statement_error_text``
words them in the language active when someone reads them.
"""

from collections.abc import Mapping

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

# Rejections of a readable file whose columns were not understood: the account's own column
# mapping is tried for them, and staff are offered to map the columns.
MAPPING_CODES = frozenset({"unknown_layout", "missing_column", "missing_field", "ambiguous_column"})
LEGACY = "legacy"  # a rejection stored as text before codes existed: params {"text": ...}

MESSAGES = {
    # the file itself
    "empty": _("The file is empty."),
    "no_worksheet": _("The workbook has no worksheet."),
    "old_excel": _(
        "Old Excel files (.xls) cannot be read: save the statement as .xlsx or CSV and upload it again."
    ),
    "not_xlsx": _("The file “%(filename)s” is not a readable Excel (.xlsx) workbook."),
    "file_type": _("Files of type “%(extension)s” cannot be read: upload the statement as .xlsx or .csv."),
    "encoding": _(
        "Line %(line)s: wrong encoding — the file is neither UTF-8 nor UTF-16 text "
        "(probably Windows-1258). Export the statement again as UTF-8 CSV or as Excel (.xlsx)."
    ),
    "damaged": _("Line %(line)s: the CSV file is damaged (%(error)s)."),
    "blank_rows": _(
        "Line %(line)s: more than %(count)s empty lines in a row. Delete the empty or formatted rows below "
        "the table and upload the file again."
    ),
    # the header row
    "unknown_layout": _(
        "Unknown layout: no header row of a supported bank (Vietcombank, VietinBank, BIDV, MB) "
        "was found. Choose the columns for this account's statements."
    ),
    "missing_column": _("Line %(line)s: this looks like a %(bank)s statement, but it has no “%(column)s” column."),
    "missing_field": _(
        "Line %(line)s: the columns of this statement were recognised, but none of them holds the %(field)s. "
        "Choose the columns for this account's statements."
    ),
    "ambiguous_column": _(
        "Line %(line)s: the %(field)s could be in any of the columns %(columns)s. "
        "Choose the columns for this account's statements."
    ),
    "no_header": _("No header row with column names was found in the file."),
    # a staff-defined column mapping
    "mapping_no_date": _("The column mapping needs the date column."),
    "mapping_no_description": _("The column mapping needs the transfer content (description) column."),
    "mapping_no_amount": _("The column mapping needs either one signed amount column or credit/debit columns."),
    "mapping_same_column": _("The column mapping uses the same column for two purposes."),
    "mapping_missing_column": _("Line %(line)s: the header row has no column “%(column)s” chosen for this account."),
    "mapping_no_columns": _(
        "None of the columns chosen for this account (such as “%(column)s”) is in the file."
    ),
    # one transaction row
    "bad_date": _(
        "Line %(line)s, column “%(column)s”: cannot read the date “%(value)s” (expected dd/mm/yyyy)."
    ),
    "bad_amount": _("Line %(line)s, column “%(column)s”: cannot read the amount “%(value)s”."),
    "fraction": _("Line %(line)s, column “%(column)s”: the amount “%(value)s” has a fraction of a đồng."),
    "no_amount": _("Line %(line)s, column “%(column)s”: the transaction has no amount."),
    "debit_and_credit": _(
        "Line %(line)s, column “%(column)s”: the transaction has both a debit and a credit amount."
    ),
    "amount_too_large": _(
        "Line %(line)s, column “%(column)s”: “%(value)s” is larger than any amount a statement carries."
    ),
    "negative_credit": _(
        "Line %(line)s, column “%(column)s”: the credit “%(value)s” is negative; money going out belongs "
        "in the debit column."
    ),
    "credit_above_maximum": _(
        "Line %(line)s, column “%(column)s”: the credit “%(value)s” is above %(maximum)s, the most one receipt "
        "may be: check that the file is not damaged."
    ),
    "date_before_campaign": _(
        "Line %(line)s, column “%(column)s”: “%(value)s” is before the campaign started on %(start)s; "
        "export the statement from that day on."
    ),
    "date_in_future": _("Line %(line)s, column “%(column)s”: “%(value)s” is in the future."),
    "bad_direction": _(
        "Line %(line)s, column “%(column)s”: “%(value)s” does not say whether money came in or went out "
        "(expected C, Có or Credit; D, Nợ or Debit)."
    ),
    "extra_cells": _(
        "Line %(line)s has more cells than the header row; is an amount such as 1,000,000 "
        "written without quotes in a comma-separated file?"
    ),
    # the import
    "wrong_account": _("This statement is for account %(found)s, not %(expected)s."),
}

# What a statement column holds, for the messages above (params {"field": "date"}).
FIELD_NAMES = {
    "date": pgettext_lazy("statement column", "transaction date"),
    "description": pgettext_lazy("statement column", "transfer content"),
    "credit": pgettext_lazy("statement column", "amount"),
    "amount": pgettext_lazy("statement column", "amount"),
}


class StatementError(ValueError):
    """A bank statement was rejected, for the reason ``code`` with ``params``.

    ``params`` hold only JSON values (they are stored on the import): ``line`` is the
    1-based line (CSV) or row (XLSX) number and ``column`` the header text of the
    offending column, when they apply.  ``str(err)`` is the sentence staff read, in the
    active language.
    """

    def __init__(self, code: str, **params: str | int | list[str]) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params

    @property
    def line(self) -> int | None:
        return self.params.get("line")

    @property
    def column(self) -> str | None:
        return self.params.get("column")

    def __str__(self) -> str:
        return statement_error_text(self.code, self.params)


class _Params(dict):
    """Formatting values that never fail: a parameter missing from a stored row shows as "?"."""

    def __missing__(self, key: str) -> str:
        return "?"


def statement_error_text(code: str, params: Mapping[str, object] | None) -> str:
    """The rejection ``code`` with ``params`` as a sentence in the active language."""
    values = _Params(params or {})
    if code == LEGACY:
        return str(values.get("text", ""))
    template = MESSAGES.get(code)
    if template is None:  # a code stored by a newer version of the importer
        return gettext("The statement was rejected (reason “%(code)s”).") % {"code": code}
    if "field" in values:
        values["field"] = FIELD_NAMES.get(values["field"], values["field"])
    if isinstance(values.get("columns"), list):
        values["columns"] = ", ".join("“%s”" % column for column in values["columns"])
    return str(template) % values
