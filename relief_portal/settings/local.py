"""Development on the embedded default: SQLite, eager tasks, debug on."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ASSISTANCE_ID_HMAC_KEY = env("ASSISTANCE_ID_HMAC_KEY", default="development-only-citizen-id-key")
