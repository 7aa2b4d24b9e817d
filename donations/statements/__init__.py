"""Bank statement import: read a CSV/XLSX statement of one receiving account into plain rows.

A pure parsing layer (no database): ``parse_statement`` returns a ``ParsedStatement``
of ``StatementRow`` (signed whole-đồng amounts, naive local times) or raises
``StatementError``, a code and its parameters (which line and column is wrong) that
``statement_error_text`` words in the active language.  Known layouts are Vietcombank,
VietinBank, BIDV and MB; another bank's export is read by its column names (and, for a
name the parser does not know, by what the column holds) or with a ``ColumnMapping``
built from ``read_header_candidates``.  ``read_statement`` gives the same rows one at a
time, so that a large statement is never held whole.
"""

from .errors import MAPPING_CODES, StatementError, statement_error_text
from .layouts import LAYOUT_NAMES
from .parser import StatementReader, parse_statement, read_header_candidates, read_statement
from .records import ColumnMapping, ParsedStatement, StatementRow

__all__ = [
    "LAYOUT_NAMES",
    "MAPPING_CODES",
    "ColumnMapping",
    "ParsedStatement",
    "StatementError",
    "StatementReader",
    "StatementRow",
    "parse_statement",
    "read_header_candidates",
    "read_statement",
    "statement_error_text",
]
