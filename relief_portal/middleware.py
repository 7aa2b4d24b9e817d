from django.conf import settings
from django.utils import translation
from django.utils.translation import check_for_language


class PreferredLanguageMiddleware:
    """Vietnamese unless the visitor chose another language with the switcher (a cookie).

    The browser's Accept-Language is deliberately ignored: the portal speaks Vietnamese first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen and check_for_language(chosen) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.setdefault("Vary", "Cookie")
        return response
