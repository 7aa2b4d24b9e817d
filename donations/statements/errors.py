"""The one exception the statement parser raises, carrying where in the file the problem is."""

from django.utils.translation import gettext


class StatementError(ValueError):
    """A bank statement was rejected; ``str(err)`` is a sentence staff can act on.

    ``line`` is the 1-based line (CSV) or row (XLSX) number and ``column`` the header
    text of the offending column, both ``None`` when they do not apply.  ``code`` is a
    stable machine-readable reason (e.g. ``"unknown_layout"``, so a view can offer the
    column-mapping form) that does not change with the language.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
        code: str = "invalid",
    ) -> None:
        missing_location = (line is not None and str(line) not in message) or (
            column is not None and column not in message
        )
        if missing_location:
            # Messages normally name the place themselves (whole sentences translate
            # better); this keeps the promise that str() always shows it.
            message = "%s: %s" % (_location(line, column), message)
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.code = code

    def __str__(self) -> str:
        return self.message


def _location(line: int | None, column: str | None) -> str:
    if line is not None and column is not None:
        return gettext("Line %(line)s, column “%(column)s”") % {"line": line, "column": column}
    if line is not None:
        return gettext("Line %(line)s") % {"line": line}
    return gettext("Column “%(column)s”") % {"column": column}
