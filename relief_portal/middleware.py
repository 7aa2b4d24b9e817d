from csp.middleware import CSPMiddleware, PolicyParts
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


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY) on every response, widened for the
    paths listed in settings.CSP_PATH_UPDATES (the admin's inline styles), and for those only."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request=request, response=response, report_only=report_only)
        if report_only or parts.update is not None:
            return parts  # a view's own @csp_update comes first
        for prefix, update in settings.CSP_PATH_UPDATES.items():
            if request.path_info.startswith(prefix):
                parts.update = update
                break
        return parts
