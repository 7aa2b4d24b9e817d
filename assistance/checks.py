"""The key citizen IDs are hashed with must be set: without it the registry cannot tell people apart."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def citizen_id_key_check(app_configs, **kwargs):
    key = getattr(settings, "ASSISTANCE_ID_HMAC_KEY", "")
    if not key or len(key) < 16:
        return [Error(
            "ASSISTANCE_ID_HMAC_KEY is missing or shorter than 16 characters.",
            hint="Set it in the environment to a long random secret; it must never change once people are registered.",
            id="assistance.E001",
        )]
    return []
