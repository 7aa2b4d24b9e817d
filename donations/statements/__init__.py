"""Bank statement import: read a CSV/XLSX statement of one receiving account into plain rows.

A pure parsing layer (no database): ``parse_statement`` returns a ``ParsedStatement``
of ``StatementRow`` (signed whole-đồng amounts, naive local times) or raises
``StatementError``, a code and its parameters (which line and column is wrong) that
``statement_error_text`` words in the active language.  Known layouts are Vietcombank,
VietinBank, BIDV and MB; another bank's export is read by its column names (and, for a
name the parser does not know, by what the column holds) or with a ``ColumnMapping``
built from ``read_header_candidates``.
"""

from .errors import MAPPING_CODES, StatementError, statement_error_text
from .layouts import LAYOUT_NAMES
from .parser import parse_statement, read_header_candidates
from .records import ColumnMapping, ParsedStatement, StatementRow

__all__ = [
    "LAYOUT_NAMES",
    "MAPPING_CODES",
    "ColumnMapping",
    "ParsedStatement",
    "StatementError",
    "StatementRow",
    "parse_statement",
    "read_header_candidates",
    "statement_error_text",
]
