"""The OpenAPI schema documents every operation's errors with the one `ApiError` component."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from .errors import ApiErrorSerializer

ERRORS = {
    400: "The request is not valid: a query parameter or a field of the body (see `errors`).",
    404: "Nothing at this address (an unknown slug or reference).",
    413: "The request body is larger than the API accepts.",
    415: "The request body is not JSON.",
    429: "Too many requests from this client; the `Retry-After` header says when to try again.",
}
BODY_ONLY = {413, 415}


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema, with every error answer an `ApiError` in JSON: 400, 404 and 429 (when
    the view is throttled) everywhere, 413 and 415 where a body is sent. A description a view gives
    its own error answer is kept; the body is always the one shape the exception handler writes."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, description in ERRORS.items():
            if status in BODY_ONLY and self.method not in ("POST", "PUT", "PATCH"):
                continue
            if status == 429 and not self.view.get_throttles():
                continue
            described = responses.get(str(status), {}).get("description") or description
            responses[str(status)] = self._get_response_for_code(
                OpenApiResponse(ApiErrorSerializer, description=described), str(status),
                media_types=["application/json"], direction=direction,
            )
        return responses
