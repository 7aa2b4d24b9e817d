"""Benchmark: the public ledger of receipts read at national scale. Not part of the test run.

    createdb -h 127.0.0.1 -U postgres relief_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relief_bench python bench/ledger_read.py --receipts 1000000

Reads the national-size campaign of `bench/generate_national.py` (made once, here, if the database
has none of that size: a few minutes), then measures, each against a baseline taken in the same run:

- a search by a fragment of a name (page + capped count), p95, against the unfiltered first page;
- a page 900,000 rows deep (by time and by amount), p95, against the first page of the same order;
- the whole ledger downloaded as CSV, rows/s, against reading the same rows from the database alone;
- the peak memory of a fresh process during that download, against the same process before it.
"""

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relief_portal.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/relief_bench")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
os.environ["DJANGO_DEBUG"] = "0"  # no query log growing with every row

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from bench.generate_national import generate  # noqa: E402
from campaigns.models import Campaign  # noqa: E402
from donations.models import Receipt  # noqa: E402
from transparency import ledger  # noqa: E402
from transparency.ledger import (  # noqa: E402
    SORTS,
    LedgerCursor,
    LedgerFilters,
    ledger_page_get,
)
from transparency.views.ledger import ledger_csv  # noqa: E402

NAME_QUERIES = ["nguyen van an", "Trần Thị", "hoang long", "nha hao tam", "cong ty", "Đức", "thu trang",
                "pham m. t.", "sao mai", "bui thi", "ngo quang", "khong co ai ten nay"]


def national_campaign(receipts: int, *, regenerate: bool) -> Campaign:
    """A campaign of `bench/generate_national.py` holding `receipts` receipts, generated if there is none."""
    if not regenerate:
        for campaign in Campaign.objects.filter(slug__startswith="thu-tai-quoc-gia-").order_by("-pk"):
            if Receipt.objects.filter(campaign=campaign).count() == receipts:
                return campaign
    print(f"generating a national campaign of {receipts:,} receipts (bench/generate_national.py)…", flush=True)
    started = time.perf_counter()
    campaign = generate(receipts=receipts, force=True, out=io.StringIO()).campaign
    print(f"  generated and verified in {time.perf_counter() - started:.0f} s", flush=True)
    return campaign


def timings(call, runs: int) -> list[float]:
    call()  # warm the caches once
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        seconds.append((time.perf_counter() - started) * 1000)
    return seconds


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def deep_cursor(campaign: Campaign, sort: str, depth: int) -> LedgerCursor:
    """The position of the row `depth` rows into the sorted ledger (found once, by offset)."""
    segments = SORTS[sort]
    rows = Receipt.objects.filter(campaign=campaign)
    for index, segment in enumerate(segments):
        in_segment = rows.filter(**segment.only)
        size = in_segment.count()
        if depth < size:
            row = in_segment.order_by(*segment.ordering(backwards=False)).values(
                "sequence", *([segment.field] if segment.field else []))[depth]
            return LedgerCursor(sort=sort, segment=index, value=segment.key(row), sequence=row["sequence"])
        depth -= size
    raise ValueError("the ledger is not that deep")


MISSED: list[str] = []  # the figures that missed their target, for the exit status


def verdict(label: str, ok: bool) -> str:
    if not ok:
        MISSED.append(label)
    return "ok" if ok else "MISSED"


def report(label: str, values: list[float], baseline: float | None = None, target: float | None = None) -> None:
    ratio = f"  ×{p95(values) / baseline:5.2f} of baseline" if baseline else ""
    verdict_text = f"  (target ≤ {target:.0f} ms: {verdict(label, p95(values) <= target)})" if target else ""
    print(f"{label:<44} p50 {statistics.median(values):7.1f} ms  p95 {p95(values):7.1f} ms{ratio}{verdict_text}")


def name_searches(campaign: Campaign, runs: int) -> list[float]:
    searches = []
    for query in NAME_QUERIES:
        searches += timings(lambda q=query: ledger_page_get(campaign=campaign, filters=LedgerFilters(name=q)),
                            max(3, runs // 4))
    return searches


def measure_pages(campaign: Campaign, runs: int) -> None:
    first = timings(lambda: ledger_page_get(campaign=campaign, filters=LedgerFilters()), runs)
    report("first page, newest first (baseline)", first)
    report(f"name fragment search ({len(NAME_QUERIES)} names), count ≤ {ledger.COUNT_CAP:,}",
           name_searches(campaign, runs), p95(first), 50)
    # Why the count stops at COUNT_CAP: what counting ten times further would cost (no target: the
    # portal does not count that far).
    kept, ledger.COUNT_CAP = ledger.COUNT_CAP, 10_000
    report("  for comparison, counted up to 10,000", name_searches(campaign, runs), p95(first))
    ledger.COUNT_CAP = kept
    for query in ("nguyen van an", "nha hao tam", "khong co ai ten nay"):
        page = ledger_page_get(campaign=campaign, filters=LedgerFilters(name=query))
        more = "more than " if page.count_capped else ""
        print(f"    “{query}”: {more}{page.count:,} found, {len(page.rows)} on the page")
    for sort in ("newest", "largest"):
        base = timings(lambda s=sort: ledger_page_get(campaign=campaign, filters=LedgerFilters(sort=s)), runs)
        cursor = deep_cursor(campaign, sort, 900_000)
        deep = timings(lambda s=sort, c=cursor: ledger_page_get(campaign=campaign, filters=LedgerFilters(sort=s),
                                                                 cursor=c), runs)
        report(f"first page, {sort} (baseline)", base)
        report(f"page 900,000 rows deep, {sort}", deep, p95(base), 50)
        rows = ledger_page_get(campaign=campaign, filters=LedgerFilters(sort=sort), cursor=cursor).rows
        where = rows[0].amount if sort == "largest" else rows[0].received_at
        print(f"    deep page starts at {rows[0].number} ({where})")


def peak_memory_mib() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def download_csv(slug: str) -> None:
    """Run in a fresh process: stream the whole ledger as CSV; print rows/s and memory as JSON."""
    campaign = Campaign.objects.get(slug=slug)
    rss_before = peak_memory_mib()
    # baseline: the same rows read from the database, nothing else
    started = time.perf_counter()
    raw = sum(1 for _ in Receipt.objects.filter(campaign=campaign).order_by("-received_at", "-sequence")
              .values_list("pk", "number", "sequence", "received_at", "kind", "channel", "amount", "public_name",
                           "reverses_id").iterator(chunk_size=2_000))
    raw_seconds = time.perf_counter() - started
    rss_after_raw = peak_memory_mib()
    started = time.perf_counter()
    response = ledger_csv(RequestFactory().get(f"/campaigns/{slug}/ledger.csv"), slug=slug)
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    seconds = time.perf_counter() - started
    print(json.dumps({
        "rows": lines - 1, "bytes": size, "seconds": seconds, "raw_rows": raw, "raw_seconds": raw_seconds,
        "rss_before_mib": rss_before, "rss_after_raw_mib": rss_after_raw,
        "rss_peak_mib": peak_memory_mib(),
    }))


def measure_download(campaign: Campaign) -> None:
    result = json.loads(subprocess.run(
        [sys.executable, __file__, "--download-only", campaign.slug], check=True, capture_output=True, text=True,
        env=os.environ,
    ).stdout.strip().splitlines()[-1])
    rate, raw_rate = result["rows"] / result["seconds"], result["raw_rows"] / result["raw_seconds"]
    print(f"{'database read alone (baseline)':<44} {result['raw_rows']:>9,} rows {result['raw_seconds']:6.1f} s "
          f"{raw_rate:>9,.0f} rows/s")
    print(f"{'CSV download, streamed':<44} {result['rows']:>9,} rows {result['seconds']:6.1f} s {rate:>9,.0f} rows/s"
          f"  ×{rate / raw_rate:4.2f} of baseline  {result['bytes'] / 2**20:.0f} MiB  "
          f"(target ≥ 100,000 rows/s: {verdict('CSV download', rate >= 100_000)})")
    print(f"{'process peak memory':<44} {result['rss_peak_mib']:7.1f} MiB  (before {result['rss_before_mib']:.1f} "
          f"MiB, after the database read alone {result['rss_after_raw_mib']:.1f} MiB; target ≤ 200 MiB: "
          f"{verdict('CSV download memory', result['rss_peak_mib'] <= 200)})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--regenerate", action="store_true", help="generate a new campaign even if one exists")
    parser.add_argument("--download-only", metavar="SLUG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.download_only:
        return download_csv(args.download_only)
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL: DATABASE_URL=postgres://…")
    campaign = national_campaign(args.receipts, regenerate=args.regenerate)
    rows = Receipt.objects.filter(campaign=campaign).count()
    print(f"database: {connection.vendor}; campaign {campaign.code}: {rows:,} receipts; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    measure_pages(campaign, args.runs)
    measure_download(campaign)
    return 1 if MISSED else 0


if __name__ == "__main__":
    sys.exit(main())
