"""Benchmark: the public campaign dashboard under load, served by gunicorn with production settings
(PostgreSQL, Redis cache), loaded by wrk on loopback. Not part of the test run.

    createdb -h 127.0.0.1 -U postgres relief_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relief_bench python bench/dashboard_load.py

Uses the national-size campaign of `bench/generate_national.py` (1,000,000 receipts by default; made
once if the database has none of that size). In one run, with the same server, it measures a
trivial Django view (same middleware, no template, no query), then in each of `--rounds` rounds the
dashboard and the trivial view again, and prints the dashboard's requests per second as a ratio to
the trivial view's mean on either side (each round, and their median) and its p99 latency, beside
the targets (ratio ≥ 0.7, p99 ≤ 100 ms). Each load is bounded in seconds and in requests.
"""

import argparse
import os
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relief_portal.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/relief_bench")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
os.environ["DJANGO_DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from bench.ledger_read import national_campaign  # noqa: E402
from bench.serve import bench_env, gunicorn, load_arguments, load_bounds, static_collect, wrk  # noqa: E402

RATIO_TARGET, P99_TARGET = 0.7, 100.0


def line(label: str, figures: dict[str, float]) -> None:
    print(f"{label:<34} {figures['rps']:8.0f} req/s   p50 {figures['p50']:6.1f} ms   p99 {figures['p99']:6.1f} ms"
          f"   {figures['requests']:>7,} requests, {figures['failed']} failed", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=1_000_000)
    parser.add_argument("--regenerate", action="store_true")
    load_arguments(parser, redis="redis://127.0.0.1:6379/14", port=8765, limit=200_000)
    parser.add_argument("--rounds", type=int, default=3, help="dashboard loads, each between two trivial-view loads")
    args = parser.parse_args()

    campaign = national_campaign(args.receipts, regenerate=args.regenerate)
    env = bench_env(database_url=os.environ["DATABASE_URL"], redis_url=args.redis,
                    static_root=tempfile.mkdtemp(prefix="relief-bench-static-"))
    static_collect(env)
    load = load_bounds(args)
    with gunicorn(env, port=args.port, workers=args.workers) as base:
        dashboard = f"{base}{campaign.get_absolute_url()}"
        with urllib.request.urlopen(dashboard) as answer:  # the first view renders and caches the page
            page = answer.read().decode()
        assert campaign.name in page, "the dashboard did not show the campaign"
        print(f"{campaign.name}: {args.receipts:,} receipts; gunicorn {args.workers} workers, wrk "
              f"{args.connections} connections, {args.seconds} s per load", flush=True)
        pings, shown = [wrk(f"{base}/bench/ping/", **load)], []
        line("trivial view (baseline)", pings[-1])
        for _ in range(args.rounds):  # alternated, so that a burst of other work hits both alike
            shown.append(wrk(dashboard, **load))
            line("campaign dashboard", shown[-1])
            pings.append(wrk(f"{base}/bench/ping/", **load))
            line("trivial view (again)", pings[-1])
    ratios = [page["rps"] / ((pings[n]["rps"] + pings[n + 1]["rps"]) / 2) for n, page in enumerate(shown)]
    ratio, p99 = statistics.median(ratios), statistics.median(page["p99"] for page in shown)
    print(f"\ndashboard / trivial view, each round: {', '.join(f'{r:.2f}' for r in ratios)}; median {ratio:.2f}"
          f"   (target ≥ {RATIO_TARGET}: {'ok' if ratio >= RATIO_TARGET else 'MISSED'})")
    print(f"dashboard p99, median of the rounds: {p99:.1f} ms   (target ≤ {P99_TARGET:.0f} ms: "
          f"{'ok' if p99 <= P99_TARGET else 'MISSED'})")
    failed = sum(figures["failed"] for figures in pings + shown)
    if failed:
        print(f"{failed} requests failed")
    return 0 if ratio >= RATIO_TARGET and p99 <= P99_TARGET and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
