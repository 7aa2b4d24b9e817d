"""Every error of the API in one JSON shape, in the request's language, never with Python internals.

    {"status": 400, "code": "invalid", "detail": "<one sentence>", "errors": {"amount": ["<message>"]}}

`status` repeats the HTTP status; `code` is stable, for programs (`invalid`, `parse_error`,
`not_found`, `method_not_allowed`, `not_acceptable`, `too_large`, `unsupported_media_type`,
`throttled`, …); `detail` is for people; `errors` holds, for a 400 about the fields sent, each
field's messages as the input is nested (`{"donor": {"phone": [...]}, "items": {"0": {...}}}`),
and is empty otherwise. `ApiErrorSerializer` documents it once; `ApiAutoSchema` puts it on every
operation's 400, 404, 413, 415 and 429.
"""

import math
import re

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler

SURROGATE = re.compile("[\ud800-\udfff]")  # half of a UTF-16 pair, alone: no UTF-8 can carry it


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, limit: int | None = None):
        if limit is None:
            detail = gettext("The request body is too large; send less at once.")
        else:
            detail = gettext("The request body is larger than %(size)s KB; send less at once.") % {
                "size": max(1, limit // 1024)
            }
        super().__init__(detail, self.default_code)


class ApiErrorSerializer(serializers.Serializer):
    """What every error of the API answers, 400 to 429."""

    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    code = serializers.CharField(
        help_text="A stable code for programs: invalid, parse_error, not_found, method_not_allowed, "
        "not_acceptable, too_large, unsupported_media_type, throttled…"
    )
    detail = serializers.CharField(
        help_text="One sentence for people, in the request's language (Vietnamese unless the request asks "
        "for English with Accept-Language or the site's language cookie)."
    )
    errors = serializers.DictField(
        child=serializers.JSONField(),
        help_text="For a 400 about the fields sent: each field's messages, nested as the input is "
        "(a list of messages per field; an object for a nested object; an object keyed by position for a "
        "list). Empty for every other error.",
    )


def api_exception_handler(exc, context):
    """DRF's handler (status, headers, rollback), with the body put in the API's one shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    response = exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    if request is not None:  # JSON whatever the endpoint's other formats (a CSV download's error too)
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
    code, detail, errors = _describe(exc)
    response.data = {"status": response.status_code, "code": code, "detail": _text(detail), "errors": _clean(errors)}
    return response


def _describe(exc: exceptions.APIException) -> tuple[str, str, dict]:
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(exc.detail, dict):
            return "invalid", gettext("The request has errors: see “errors” for each field."), exc.detail
        return "invalid", " ".join(str(message) for message in _flat(exc.detail)), {}
    if isinstance(exc, exceptions.Throttled):
        if exc.wait is None:
            return "throttled", gettext("Too many requests: try again later."), {}
        seconds = math.ceil(exc.wait)
        return "throttled", gettext("Too many requests: try again in %(seconds)s seconds.") % {"seconds": seconds}, {}
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return exc.default_code, gettext("Send the request body as JSON (Content-Type: application/json)."), {}
    if isinstance(exc, exceptions.NotAcceptable):
        return exc.default_code, gettext("This address can only answer in JSON (Accept: application/json)."), {}
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        return "csrf_failed", gettext("A signed-in session must send its CSRF token with this request."), {}
    code = exc.detail.code if isinstance(exc.detail, exceptions.ErrorDetail) else exc.default_code
    return code or exc.default_code, str(exc.detail), {}


def _flat(detail) -> list:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flat(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flat(value)]
    return [detail]


def _text(value) -> str:
    """A message as text any encoder can write: an echoed lone surrogate becomes U+FFFD."""
    return SURROGATE.sub("\ufffd", str(value))


def _clean(errors):
    if isinstance(errors, dict):
        return {_text(key): _clean(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [_clean(value) for value in errors]
    return _text(errors)

