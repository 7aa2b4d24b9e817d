"""Benchmark: the CPU one request takes in the web process, a pledge beside the bare insert view,
without a server or a load generator: requests go straight to Django's WSGI handler in this process,
with production settings (PostgreSQL, Redis), in interleaved rounds, and the median of the rounds is
printed. The CPU of the database and of Redis is not counted: this is the web process's own share,
the part that code changes move. Not part of the test run.

    createdb -h 127.0.0.1 -U postgres relief_pl_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relief_pl_bench python bench/pledge_cpu.py

Run it at two commits to compare them; under load (`bench/pledge_api.py`) the figures add the
server's and the database's share.
"""

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pledge_api import THROTTLE, cash_body, goods_body, setup  # noqa: E402
from bench.serve import HOST, bench_env  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=300, help="requests of each kind per round")
    args = parser.parse_args()
    database_url = os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/relief_pl_bench")
    if not database_url.startswith("postgres"):
        raise SystemExit("the pledge benchmark runs on PostgreSQL: set DATABASE_URL")
    os.environ.update(bench_env(database_url=database_url, redis_url=args.redis,
                                static_root=tempfile.mkdtemp(prefix="relief-bench-static-"),
                                PLEDGE_CREATE_THROTTLE=THROTTLE))
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    setup()
    handler = WSGIHandler()

    def request(path: str, body: bytes) -> None:
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "SERVER_NAME": HOST,
            "SERVER_PORT": "80", "HTTP_HOST": HOST, "REMOTE_ADDR": HOST, "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        status = []
        answer = handler(environ, lambda line, headers: status.append(line))
        b"".join(answer)
        answer.close()
        assert status[0].startswith("201"), status[0]

    kinds = {
        "bare insert": ("/bench/insert/", json.dumps(cash_body()).encode()),
        "cash pledge": ("/api/v1/pledges/", json.dumps(cash_body()).encode()),
        "goods pledge (one line)": ("/api/v1/pledges/", json.dumps(goods_body()).encode()),
    }
    for path, body in kinds.values():  # warm: the first pledge of a process reads what it then keeps
        for _ in range(20):
            request(path, body)
    cpu: dict[str, list[float]] = {label: [] for label in kinds}
    for _ in range(args.rounds):
        for label, (path, body) in kinds.items():
            started = time.process_time()
            for _ in range(args.requests):
                request(path, body)
            cpu[label].append((time.process_time() - started) / args.requests * 1000)
    bare = statistics.median(cpu["bare insert"])
    print(f"{args.rounds} rounds of {args.requests} requests each; web process CPU per request, median of the rounds")
    for label, figures in cpu.items():
        median = statistics.median(figures)
        print(f"{label:<26} {median:6.2f} ms  ({min(figures):.2f}–{max(figures):.2f})  {median / bare:5.1f} × the bare insert")
    return 0


if __name__ == "__main__":
    sys.exit(main())
