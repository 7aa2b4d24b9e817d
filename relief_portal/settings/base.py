"""Settings shared by every environment, read from the environment (django-environ)."""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "campaigns",
    "ledger",
    "donations",
    "allocations",
    "assistance",
    "transparency",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "relief_portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "relief_portal.middleware.PreferredLanguageMiddleware",
    "relief_portal.api.language.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- the client's address behind the proxy ------------------------------------------------------
# How many reverse proxies in front of the portal append the address they saw to X-Forwarded-For
# (nginx `proxy_add_x_forwarded_for`, a load balancer). 0: the portal faces clients directly, and a
# client-sent X-Forwarded-For is ignored; n: the n-th address from the right is the client's. Used
# by the pledge throttle and the admin login lockout (relief_portal.client.client_address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Admin login throttling (django-axes): 5 failures for one username from one address lock that
# pair out for 15 minutes. The pair, not the username alone: anyone could otherwise lock any staff
# account with five guesses; nor the address alone: staff share their office's or carrier's address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_CLIENT_IP_CALLABLE = "relief_portal.client.client_address"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Which function tells the province a staff member is limited to (None: not limited). The roles live
# in the allocations app; the donations app asks through this name without importing it.
STAFF_PROVINCE_SCOPE = "allocations.selectors.user_province_scope"

ROOT_URLCONF = "relief_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "relief_portal.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first, English available.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))

# Public site address used in QR codes for posters when a request is not at hand.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

REST_FRAMEWORK = {
    # Every error in one JSON shape, documented once (relief_portal/api/errors.py).
    "DEFAULT_SCHEMA_CLASS": "relief_portal.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "relief_portal.api.errors.api_exception_handler",
    "DEFAULT_PARSER_CLASSES": ["relief_portal.api.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "relief_portal.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    # Pledges from one client address (through the API and the donate form together). Vietnamese
    # mobile carriers put thousands of subscribers behind one carrier-grade NAT address, so the rate
    # is set for a crowd, not a person: see the README's "Abuse priced out".
    "DEFAULT_THROTTLE_RATES": {
        "pledge_create": env("PLEDGE_CREATE_THROTTLE", default="60/min"),
        "open_data": env("OPEN_DATA_THROTTLE", default="1200/minute"),
        "need_register": env("NEED_REGISTER_THROTTLE", default="30/hour"),
    },
}

# The largest request body the API reads: a pledge with its 20 goods lines is under 5 KB.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=64 * 1024)

SPECTACULAR_SETTINGS = {
    "TITLE": "Relief Portal API",
    "DESCRIPTION": "Public, read-only data on relief campaigns and the pledge endpoint for donors.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "NeedStatusEnum": "assistance.models.NeedRegistration.Status",
        "WardKindEnum": "assistance.models.Ward.Kind",
    },
}

# Redis answers in a millisecond or not at all: a web request never waits long on it. A cache or
# broker outage costs a request at most about a second, and what it would have sent is caught up by
# the periodic reconcile (figures) and the import sweep (statement imports).
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.5)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=2.0)

CACHES = {
    "default": env.cache("REDIS_URL", default="locmemcache://")
    if env("REDIS_URL", default="")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT, socket_timeout=REDIS_SOCKET_TIMEOUT
    )
# Each web process's own memory, in front of the shared cache for the public pages read most: a page
# read again within PUBLIC_PAGE_LOCAL_SECONDS of the last check is sent without asking Redis.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "relief-portal-local",
    "OPTIONS": {"MAX_ENTRIES": 300},
}
PUBLIC_PAGE_LOCAL_SECONDS = env.float("PUBLIC_PAGE_LOCAL_SECONDS", default=1.0)

# Celery: with no broker configured every task runs eagerly, in process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default=""))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE
# Sending a task gives up fast when the broker is down (the sender logs it; nothing is lost: the
# database is the source of truth and the periodic tasks below catch up). A worker, though, keeps
# reconnecting for as long as the outage lasts.
_FAST_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = _FAST_RETRY
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": _FAST_RETRY}
# Every task has a time limit: soft (the task stops cleanly, an import is marked as stopped midway)
# then hard (the worker process is replaced). Tasks that need another limit set their own.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# A ledger change asks for a refresh of the campaign's figures after this delay, so a burst of
# changes costs one refresh; a refresh asked for and never run is asked again after the pending time.
TOTALS_REFRESH_DELAY_SECONDS = env.float("TOTALS_REFRESH_DELAY_SECONDS", default=2.0)
TOTALS_REFRESH_PENDING_SECONDS = env.int("TOTALS_REFRESH_PENDING_SECONDS", default=60)
# The reconcile re-checks every public campaign's figures against the ledgers: after a broker
# outage the public figures are at most this many seconds (plus one reconcile's run) behind.
TOTALS_RECONCILE_SECONDS = env.int("TOTALS_RECONCILE_SECONDS", default=30)
# Long jobs have their own queue, so that a large statement or list import never delays the refresh
# of the public figures: run a worker for each queue (docker-compose.yml: `worker` and `importer`).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "donations.statement_import_task": {"queue": "imports"},
    "assistance.list_import_task": {"queue": "imports"},
}
CELERY_BEAT_SCHEDULE = {
    # Totals are refreshed on every ledger change; this re-checks them and catches up after a
    # broker outage. A reconcile not started in time is dropped: the next one is due already.
    "transparency-reconcile": {
        "task": "transparency.campaign_totals_reconcile_task",
        "schedule": TOTALS_RECONCILE_SECONDS,
        "options": {"expires": TOTALS_RECONCILE_SECONDS},
    },
    # Statement imports whose task was lost (sent while the broker was down, or its worker killed)
    # are sent again once they show no sign of life.
    "donations-statement-imports-resume": {
        "task": "donations.statement_imports_resume_task",
        "schedule": 60,
        "options": {"expires": 60},
    },
    # The journal's daily heads: the day just over (Vietnam time), and any day missed before it.
    "ledger-journal-heads": {
        "task": "ledger.journal_heads_record_task",
        "schedule": crontab(hour=0, minute=5),
    },
}

# --- Content-Security-Policy (django-csp) ----------------------------------------------------------
# The portal loads nothing from elsewhere and runs no inline script: everything from its own origin.
# The admin's and the API docs' pages keep inline styles (their templates and Swagger UI write
# them); relief_portal.middleware adds that for those paths only, scripts stay strict everywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],  # a nonce only on a page that asks for one
        "style-src": ["'self'"],
        # Bars and chart ticks are sized by a style attribute (a width, a position); no <style> block
        # and no script runs inline.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
CSP_PATH_UPDATES = {
    "/admin/": {"style-src": ["'unsafe-inline'"]},
    "/api/docs/": {"style-src": ["'unsafe-inline'"], "img-src": ["data:"]},
    "/api/redoc/": {"style-src": ["'unsafe-inline'"], "img-src": ["data:"], "worker-src": ["blob:"]},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # Eager tasks would otherwise log a line per task into every command's output.
    "loggers": {"celery": {"level": env("CELERY_LOG_LEVEL", default="WARNING")}},
}

SITE_NAME = _("Relief Portal")

# The secret citizen IDs are hashed with (HMAC-SHA256) in the registry of people helped. It must be
# long, random and never change once people are registered; local and test settings give a
# development default, production requires it (the system check assistance.E001 refuses to start
# without it).
ASSISTANCE_ID_HMAC_KEY = env("ASSISTANCE_ID_HMAC_KEY", default="")
