"""Pages of the API's lists: `limit` from 1 to 100 (50 by default) and `offset` from 0.

A value out of range or not a whole number is a 400 naming the parameter, as the schema documents
it, never a database error: an offset past the end is an empty page.
"""

from django.utils.translation import gettext
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_LIMIT = 100
_LONGEST = 18  # digits: anything longer is far past any list and any database integer


def _whole_number(raw: str, *, name: str, minimum: int, maximum: int | None) -> int:
    text = raw.strip()
    value = int(text) if text.isascii() and text.isdigit() and len(text) <= _LONGEST else None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            message = gettext("Use a whole number of at least %(minimum)s.") % {"minimum": minimum}
        else:
            message = gettext("Use a whole number from %(minimum)s to %(maximum)s.") % {
                "minimum": minimum, "maximum": maximum,
            }
        raise ValidationError({name: [message]})
    return value


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request):
        raw = request.query_params.get(self.limit_query_param)
        if raw is None:
            return self.default_limit
        return _whole_number(raw, name=self.limit_query_param, minimum=1, maximum=self.max_limit)

    def get_offset(self, request):
        raw = request.query_params.get(self.offset_query_param)
        if raw is None:
            return 0
        return _whole_number(raw, name=self.offset_query_param, minimum=0, maximum=None)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit, "default": self.default_limit},
            self.offset_query_param: {"minimum": 0, "maximum": 10**_LONGEST - 1, "default": 0},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
