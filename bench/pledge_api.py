"""Benchmark: pledges created through the API under load, served by gunicorn with production settings
(PostgreSQL, Redis cache and throttle counters), loaded by wrk on loopback. Not part of the test run.

    createdb -h 127.0.0.1 -U postgres relief_pl_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relief_pl_bench python bench/pledge_api.py

The floor of any write is the bare view `/bench/insert/`: the same middleware, a database connection
(production keeps each process's connection for 60 s; `--conn-max-age 0` opens one per request, as
behind a connection pooler), one INSERT and its commit. In one run, with the same server, it measures
the bare view, a cash pledge, the bare view again, a goods pledge (one line), the bare view a third
time, the pledge's rows written bare (`/bench/pledge-rows/`: the donor, the pledge and their history
in the pledge's one statement, with no validation, limit or answer: the most any pledge could do) and
the bare view a fourth time. It prints each figure (requests per second, p50/p99 latency), each
pledge's requests per second as a ratio to the mean of the bare views on either side of it, beside
the target (≥ 0.7), the same ratio for the bare pledge rows, and the queries one pledge makes
(counted in this process through Django's test client; the first pledge of a process also reads the
campaign, the provinces and the item categories, which it then keeps for a few seconds). It checks
that every 201 answer is a pledge in the database, and that no pledge was created that wrk did not
see answered, except those still in flight when wrk stopped.

A disk that takes milliseconds to make a commit durable (a disk of spinning platters or a networked
volume; this machine's takes about 0.13 ms) is emulated by `--commit-delay-ms N`: for the run, the
benchmark's database has PostgreSQL wait N ms before each WAL flush (`commit_delay`, with
`commit_siblings = 0` so that it always waits); commits arriving meanwhile share the flush, as on
such a disk. Then the bare view and a pledge each wait for one flush per request.

The pledge limit per client address (`PLEDGE_CREATE_THROTTLE`, 60/min by default) is raised for the
server through its environment: every request comes from 127.0.0.1.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import HOST, bench_env, gunicorn, load_arguments, load_bounds, static_collect, wrk  # noqa: E402

RATIO_TARGET = 0.7
THROTTLE = "100000000/min"  # for the server only: the default stays what settings say
CAMPAIGN_SLUG, CAMPAIGN_CODE = "bench-pledge", "BPLEDGE"
SCRATCH_TABLE = "bench_bare_insert"
REFERENCE_PATTERN = '"reference":"(%w+)"'  # Lua: the reference in a 201 answer's body


def cash_body() -> dict:
    return {
        "campaign": CAMPAIGN_SLUG, "kind": "cash", "amount": 500_000, "message": "Chung tay cùng bà con vùng lũ.",
        "donor": {"kind": "individual", "full_name": "Nguyễn Văn An", "phone": "0912345678",
                  "email": "an.nguyen@example.vn", "address": "12 Ngõ Huế, Hai Bà Trưng", "province": "01"},
    }


def goods_body() -> dict:
    return {
        "campaign": CAMPAIGN_SLUG, "kind": "goods", "items": [{"category": "rice", "quantity": "250.5"}],
        "donor": {"kind": "organization", "organization_name": "Công ty TNHH Vận tải Hoàng Long",
                  "tax_code": "0201567890", "full_name": "Trần Thị Hạnh", "phone": "0987654321",
                  "province": "19", "public_display": "full"},
    }


def setup():
    """The benchmark's database migrated, one active campaign with a receiving account and a drop-off
    point, and the bare view's scratch table (emptied)."""
    from django.core.management import call_command
    from django.db import connection

    from campaigns.models import Bank, Campaign, DropOffPoint, Province, ReceivingAccount

    call_command("migrate", verbosity=0)
    campaign, _ = Campaign.objects.get_or_create(
        slug=CAMPAIGN_SLUG, defaults={"code": CAMPAIGN_CODE, "name": "Bench pledges", "summary": "-",
                                      "description": "-", "status": "active", "starts_on": "2024-09-08"},
    )
    ReceivingAccount.objects.get_or_create(
        account_number="9990007654321",
        defaults={"campaign": campaign, "bank": Bank.objects.get(bin="970436"), "account_holder": "Bench"},
    )
    DropOffPoint.objects.get_or_create(
        campaign=campaign, name="Điểm tiếp nhận Hà Nội",
        defaults={"province": Province.objects.get(set="2025", code="01"), "address": "46 Tràng Thi, Hà Nội",
                  "phone": "02439287437", "opening_hours": "7:30–17:00"},
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {SCRATCH_TABLE} (id bigserial primary key, body text)")
        cursor.execute(f"TRUNCATE {SCRATCH_TABLE}")
    return campaign


def queries_per_pledge(body: dict) -> list[str]:
    """The SQL of one pledge created through the API in this process (the same settings as the server)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    with CaptureQueriesContext(connection) as captured:
        answer = client.post("/api/v1/pledges/", json.dumps(body), content_type="application/json")
    assert answer.status_code == 201, answer.content
    return [query["sql"] for query in captured.captured_queries]


@contextmanager
def commits_delayed(milliseconds: int):
    """The benchmark database's commits delayed `milliseconds` before their WAL flush, for the
    connections opened in the block (the server's), as a disk that slow would delay them; with 0, as
    the server's disk makes them (a delay left by a run killed before its end is taken off)."""
    from django.db import connection

    database = connection.ops.quote_name(connection.settings_dict["NAME"])

    def alter(*settings: str) -> None:
        with connection.cursor() as cursor:
            for setting in settings:
                cursor.execute(f"ALTER DATABASE {database} {setting}")

    undelayed = ("RESET commit_delay", "RESET commit_siblings")
    alter(*undelayed)
    if milliseconds:
        alter(f"SET commit_delay = {milliseconds * 1000}", "SET commit_siblings = 0")
    try:
        yield
    finally:
        alter(*undelayed)


def line(label: str, figures: dict) -> None:
    print(f"{label:<30} {figures['rps']:8.1f} req/s   p50 {figures['p50']:6.1f} ms   p99 {figures['p99']:6.1f} ms"
          f"   {figures['requests']:>7,} requests, {figures['failed']} failed", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    load_arguments(parser, redis="redis://127.0.0.1:6379/12", port=8766, limit=100_000)
    parser.add_argument("--conn-max-age", type=int, default=None, metavar="SECONDS",
                        help="keep database connections this long (CONN_MAX_AGE, given in DATABASE_URL); "
                             "production keeps them 60 s; 0 opens a new one per request")
    parser.add_argument("--commit-delay-ms", type=int, default=0, choices=range(101), metavar="0-100",
                        help="emulate a disk taking this long per durable commit (PostgreSQL's commit_delay)")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one cash pledge")
    args = parser.parse_args()

    database_url = os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/relief_pl_bench")
    if not database_url.startswith("postgres"):
        raise SystemExit("the pledge benchmark runs on PostgreSQL: set DATABASE_URL")
    if args.conn_max_age is not None:
        database_url += f"{'&' if '?' in database_url else '?'}conn_max_age={args.conn_max_age}"
    env = bench_env(database_url=database_url, redis_url=args.redis,
                    static_root=tempfile.mkdtemp(prefix="relief-bench-static-"),
                    PLEDGE_CREATE_THROTTLE=THROTTLE)
    os.environ.update(env)  # this process uses the server's settings too (queries counted alike)
    import django

    django.setup()
    from django.core.cache import cache

    from donations.models import Pledge

    campaign = setup()
    static_collect(env)
    cache.clear()
    # the first pledge of a process reads what it then keeps a few seconds (campaigns.cached)
    first_cash, cash_queries = queries_per_pledge(cash_body()), queries_per_pledge(cash_body())
    first_goods, goods_queries = queries_per_pledge(goods_body()), queries_per_pledge(goods_body())
    if args.show_queries:
        print("\n".join(cash_queries), end="\n\n")

    cash, goods = json.dumps(cash_body(), ensure_ascii=False), json.dumps(goods_body(), ensure_ascii=False)
    load = load_bounds(args)
    pledges = Pledge.objects.filter(campaign=campaign)
    with commits_delayed(args.commit_delay_ms), gunicorn(env, port=args.port, workers=args.workers) as base:
        request = urllib.request.Request(f"{base}/api/v1/pledges/", data=cash.encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as answer:
            assert answer.status == 201, answer.status
        age = 60 if args.conn_max_age is None else args.conn_max_age
        kept = "a new one per request" if age == 0 else f"kept {age} s"
        delayed = f", commits delayed {args.commit_delay_ms} ms (commit_delay)" if args.commit_delay_ms else ""
        print(f"gunicorn {args.workers} workers, wrk {args.connections} connections, {args.seconds} s per load, "
              f"database connections {kept}{delayed}; queries per pledge: cash {len(cash_queries)}, "
              f"goods (one line) {len(goods_queries)} (the first of a process: {len(first_cash)} "
              f"and {len(first_goods)})", flush=True)
        figures, counted = {}, {}
        for label, url, body in [
            ("bare insert (baseline)", "/bench/insert/", cash),
            ("cash pledge", "/api/v1/pledges/", cash),
            ("bare insert (again)", "/bench/insert/", cash),
            ("goods pledge (one line)", "/api/v1/pledges/", goods),
            ("bare insert (third)", "/bench/insert/", cash),
            ("pledge rows, written bare", "/bench/pledge-rows/", cash),
            ("bare insert (fourth)", "/bench/insert/", cash),
        ]:
            before = pledges.count()
            figures[label] = wrk(f"{base}{url}", body=body, capture=REFERENCE_PATTERN, **load)
            time.sleep(1)  # requests wrk abandoned when it stopped finish on the server
            counted[label] = pledges.count() - before
            line(label, figures[label])

    bare = [figures[label]["rps"] for label in figures if label.startswith("bare")]
    print(f"\nbare insert, mean of four: {sum(bare) / len(bare):.1f} per second (one INSERT committed per request)")
    ok = True
    for label, neighbours in [("cash pledge", bare[0:2]), ("goods pledge (one line)", bare[1:3])]:
        shown = figures[label]
        ratio = shown["rps"] / (sum(neighbours) / 2)
        ok &= ratio >= RATIO_TARGET
        print(f"{label + ' / bare insert:':<40} {ratio:.2f}   (target ≥ {RATIO_TARGET}: "
              f"{'ok' if ratio >= RATIO_TARGET else 'MISSED'});  {shown['rps']:.1f} pledges per second")
        # every 201 answer is a pledge; pledges wrk did not see answered were in flight when it stopped
        found = set(pledges.filter(reference__in=shown["captured"]).values_list("reference", flat=True))
        missing = len(set(shown["captured"]) - found)
        unseen = counted[label] - shown["created"]
        exact = missing == 0 and len(shown["captured"]) == shown["created"] and 0 <= unseen <= args.connections
        ok &= exact and not shown["failed"]
        print(f"{'':<40} {shown['created']:,} answered 201, {counted[label]:,} pledges created "
              f"({unseen} in flight when wrk stopped), {missing} answered but missing: "
              f"{'ok' if exact else 'WRONG'}")
    rows = figures["pledge rows, written bare"]["rps"] / (sum(bare[2:4]) / 2)
    print(f"{'pledge rows, written bare / bare insert:':<40} {rows:.2f}   (no validation, limit or answer: "
          f"the most any pledge could reach here)")
    failed = sum(f["failed"] for f in figures.values())
    if failed:
        print(f"{failed} requests failed")
    return 0 if ok and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
