"""Settings of the load benchmarks: production's, with two bare views added (see `bench/urls.py`).

Set by `bench/serve.py`, which also gives the environment production requires (secret key, hosts,
database, Redis) and collects the static files. Never used to serve the portal.
"""

from relief_portal.settings.production import *  # noqa: F401,F403
from relief_portal.settings.production import env

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = env("BENCH_STATIC_ROOT")
