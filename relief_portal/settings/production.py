"""Production: PostgreSQL, Redis and a Celery worker; secrets come from the environment."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
# Each web and worker process keeps its database connection (checked before reuse) instead of opening
# one per request: a new PostgreSQL backend costs more CPU than a pledge's own queries. A
# `?conn_max_age=` in DATABASE_URL overrides it (0: a new connection per request, for a pooler in front).
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
SECRET_KEY = env("DJANGO_SECRET_KEY")  # no default: refuse to start without one
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# Behind a proxy that terminates TLS and sets X-Forwarded-Proto (overwriting what the client sent),
# DJANGO_SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto makes Django trust it. Unset, no header is trusted:
# a client reaching the portal directly cannot claim HTTPS.
_proxy_ssl_header = env("DJANGO_SECURE_PROXY_SSL_HEADER", default="")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
ASSISTANCE_ID_HMAC_KEY = env("ASSISTANCE_ID_HMAC_KEY")  # no default: refuse to start without one
