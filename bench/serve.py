"""Serve the portal under gunicorn and put load on it with wrk, both on loopback: the helpers the
load benchmarks share. wrk comes from Debian's packages (`apt-get install wrk`).

Every run is bounded in time (`seconds`) and in requests (`limit`, enforced by the Lua script).
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

# Stops each wrk thread after its share of `limit` requests; `body`, when set, is POSTed as JSON.
# Each thread counts its 201 answers and, when `capture` is a Lua pattern, keeps what the pattern
# finds in their bodies (globals, so the main thread can read them); when `out` is a path, `done`
# writes each thread's count and captures there, one a line.
LUA = """
local limit, answered = {limit}, 0
local capture, out = {capture}, {out}
created, captured = 0, {{}}
wrk.method = "{method}"
wrk.headers["Content-Type"] = "application/json"
{body}
function response(status, headers, body)
  answered = answered + 1
  if status == 201 then
    created = created + 1
    if capture then captured[#captured + 1] = string.match(body, capture) end
  end
  if answered >= limit then wrk.thread:stop() end
end
local threads = {{}}
function setup(thread) threads[#threads + 1] = thread end
function done(summary, latency, requests)
  if not out then return end
  local file = io.open(out, "w")
  for _, thread in ipairs(threads) do
    file:write("created ", thread:get("created"), "\\n")
    for _, value in ipairs(thread:get("captured")) do file:write(value, "\\n") end
  end
  file:close()
end
"""


def load_arguments(parser: argparse.ArgumentParser, *, redis: str, port: int, limit: int) -> None:
    """The options every load benchmark takes: its Redis, the server's port and workers, and the
    bounds of each wrk load (`load_bounds` gives them to `wrk`)."""
    parser.add_argument("--redis", default=redis)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (the Dockerfile runs 3)")
    parser.add_argument("--connections", type=int, default=12)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--limit", type=int, default=limit, help="at most this many requests per load")


def load_bounds(args: argparse.Namespace) -> dict[str, int]:
    """The keyword arguments of `wrk` that `load_arguments` set."""
    return {"seconds": args.seconds, "connections": args.connections, "limit": args.limit}


def bench_env(*, database_url: str, redis_url: str, static_root: str, **extra: str) -> dict[str, str]:
    """The environment production settings require, pointed at the benchmark's database and Redis."""
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-serving",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "ASSISTANCE_ID_HMAC_KEY": "bench-only-citizen-id-key",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "BENCH_STATIC_ROOT": static_root,
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    })
    env.update(extra)
    return env


def static_collect(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


@contextmanager
def gunicorn(env: dict[str, str], *, port: int, workers: int):
    """gunicorn serving the portal on 127.0.0.1:`port` until the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "relief_portal.wsgi:application", "--bind", f"{HOST}:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://{HOST}:{port}/bench/ping/", timeout=2).read()
                break
            except OSError:  # refused, reset or timed out while it starts (URLError is one too)
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield f"http://{HOST}:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, *, seconds: int, connections: int, threads: int = 2, limit: int = 100_000,
        body: str | None = None, capture: str | None = None) -> dict:
    """Load `url` (GET, or POST of `body`) and return requests per second, p50/p99 latency in ms,
    the number of answers that were not 2xx/3xx or failed, the number of 201 answers (`created`),
    and, when `capture` is a Lua pattern, what it found in each 201 answer's body (`captured`)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    per_thread = max(limit // threads, 1)
    lua_body = "" if body is None else f"wrk.body = [[{body}]]"
    with tempfile.TemporaryDirectory(prefix="relief-bench-wrk-") as folder:
        script, counts = Path(folder, "load.lua"), Path(folder, "counts.txt")
        script.write_text(LUA.format(
            limit=per_thread, method="GET" if body is None else "POST", body=lua_body,
            capture="nil" if capture is None else f"[[{capture}]]", out=f"[[{counts}]]",
        ))
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
            capture_output=True, text=True, check=True,
        ).stdout
        lines = counts.read_text().splitlines()
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    figures = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "failed": 0,
        "created": sum(int(line.split()[1]) for line in lines if line.startswith("created ")),
        "captured": [line for line in lines if not line.startswith("created ")],
    }
    for pct, text in latency.items():
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
        figures[f"p{pct}"] = _ms(value, unit)
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        figures["failed"] += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        figures["failed"] += sum(int(n) for n in match.groups())
    return figures
