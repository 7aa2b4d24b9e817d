"""The API reads JSON only, and only JSON a client could mean: small, shallow, text.

A body above `API_MAX_BODY_BYTES` is refused with 413 before it is read whole; JSON nested deeper
than `MAX_DEPTH`, carrying a lone surrogate (text no UTF-8 can hold), or a number with thousands of
digits, is refused with 400 and a message that says what to fix, never the decoder's own words.
"""

import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .errors import SURROGATE, RequestTooLarge

MAX_DEPTH = 16  # a pledge is 3 levels deep (body, items, line)


def max_body_bytes() -> int:
    return settings.API_MAX_BODY_BYTES


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_bytes()
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise RequestTooLarge(limit=limit)
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestTooLarge(limit=limit)
        charset = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET  # one Python knows
        try:
            text = raw.decode(charset)
        except UnicodeDecodeError:
            raise ParseError(_("The request body is not UTF-8 text."), code="not_utf8") from None
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise ParseError(
                _("The request body is not valid JSON (line %(line)s, column %(column)s).")
                % {"line": exc.lineno, "column": exc.colno},
                code="parse_error",
            ) from None
        except RecursionError:
            raise _too_deep() from None
        except ValueError:  # NaN or Infinity, or an integer of more than 4300 digits
            raise ParseError(_("The request body holds a number JSON cannot carry."), code="bad_number") from None
        _check(data)
        return data


def _no_constant(name: str):
    raise ValueError(name)


def _too_deep() -> ParseError:
    return ParseError(
        _("The request body is nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH}, code="too_deep"
    )


def _check(data) -> None:
    """Walk the parsed body without recursion: no level beyond MAX_DEPTH, no lone surrogate in any text."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if SURROGATE.search(value):
                raise ParseError(
                    _("The request body holds characters that are not text (a lone \\u-escaped surrogate)."),
                    code="not_text",
                )
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise _too_deep()
        children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children)
