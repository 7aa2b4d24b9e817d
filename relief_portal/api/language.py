from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

API_PREFIX = "/api/"


class ApiLanguageMiddleware:
    """Under /api/, a client that did not choose a language with the site's cookie may ask for one
    with Accept-Language (programs rarely keep cookies); Vietnamese otherwise, as everywhere.

    Placed after `PreferredLanguageMiddleware`, which it overrides for these requests only.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX) or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers["Content-Language"] = language
        patch_vary_headers(response, ["Accept-Language"])
        return response
