"""Benchmark: the public ledger of receipts read at national scale. Not part of the test run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relief_bench python bench/ledger_read.py --receipts 1000000

Fills one campaign with `--receipts` receipts (once: a later run reuses them) by a simple bulk
generator: names as donors show them (full, masked, anonymous, organisations), the amounts people
give (many identical), goods, transfers dated without a time (thousands of receipts at the same
instant), and reversals; numbered in about the order received, as a ledger is written. Then measures, each against a baseline taken in the same run:

- a search by a fragment of a name (page + capped count), p95, against the unfiltered first page;
- a page 900,000 rows deep (by time and by amount), p95, against the first page of the same order;
- the whole ledger downloaded as CSV, rows/s, against reading the same rows from the database alone;
- the peak memory of a fresh process during that download, against the same process before it.
"""

import argparse
import datetime
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relief_portal.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/relief_bench")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
os.environ["DJANGO_DEBUG"] = "0"  # no query log growing with every row

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from campaigns.models import Campaign, ItemCategory  # noqa: E402
from campaigns.text import search_key  # noqa: E402
from donations.models import Receipt  # noqa: E402
from transparency import ledger  # noqa: E402
from transparency.ledger import (  # noqa: E402
    SORTS,
    LedgerCursor,
    LedgerFilters,
    ledger_page_get,
)
from transparency.services import campaign_totals_refresh  # noqa: E402
from transparency.views.ledger import ledger_csv  # noqa: E402

SLUG, CODE = "bench-ledger", "BENCHLG"
VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quốc", "Ngọc", "Hữu", "Thanh", "Gia", "Hoài", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phương", "Quân",
         "Sơn", "Thảo", "Trang", "Tuấn", "Yến", "Khoa", "Nhung", "Đạt", "Hiếu", "Vy", "Long"]
ORGS = ["Công ty Cổ phần Thực phẩm Sao Mai", "Hội doanh nhân trẻ tỉnh Bắc Ninh", "Trường THPT Chu Văn An",
        "Tập đoàn Bưu chính Viễn thông", "Ngân hàng TMCP Ngoại thương", "Hội Chữ thập đỏ quận Ba Đình"]
AMOUNTS = [50_000, 100_000, 200_000, 200_000, 500_000, 500_000, 500_000, 1_000_000, 1_000_000, 2_000_000,
           5_000_000, 10_000_000]
NAME_QUERIES = ["nguyen van an", "Trần Thị", "hoang minh", "nha hao tam", "cong ty", "Đức", "thu trang",
                "le x. y.", "sao mai", "bui gia", "ngo hoai", "khong co ai ten nay"]


def public_name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return "Nhà hảo tâm"
    if roll < 0.33:
        return rng.choice(ORGS)
    name = [rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)]
    if roll < 0.75:  # masked: the first word in full, then initials
        return " ".join([name[0], *(f"{w[0]}." for w in name[1:])])
    return " ".join(name)


def generate(campaign: Campaign, user, receipts: int) -> None:
    """Write `receipts` rows with PostgreSQL's COPY (plus goods lines and reversals), numbered from 1."""
    rng = random.Random(7)
    start = datetime.datetime(2024, 9, 8, tzinfo=VN)
    reversals = max(1, receipts // 1000)
    originals = receipts - reversals
    now = datetime.datetime.now(datetime.UTC).isoformat()
    goods_ids = []
    columns = ("campaign_id", "sequence", "number", "kind", "amount", "received_at", "channel", "public_name",
               "search_name", "note", "reason", "created_at", "recorded_by_id")
    chunk = 100_000
    with connection.cursor() as cursor:
        for first in range(1, originals + 1, chunk):
            buffer = io.StringIO()
            for sequence in range(first, min(first + chunk, originals + 1)):
                # recorded in the order received, give or take two days (statements come in late)
                received = start + datetime.timedelta(seconds=90 * 86_400 * sequence / originals
                                                      - rng.randrange(2 * 86_400))
                if rng.random() < 0.4:  # a statement with dates only: many receipts at midnight
                    received = received.astimezone(VN).replace(hour=0, minute=0, second=0, microsecond=0)
                goods = rng.random() < 0.03
                if goods:
                    goods_ids.append(sequence)
                name = public_name(rng)
                channel = "goods" if goods else rng.choice(["bank", "bank", "bank", "cash_desk"])
                amount = r"\N" if goods else str(rng.choice(AMOUNTS) if rng.random() < 0.8
                                                 else rng.randrange(10, 50_000) * 1_000)
                buffer.write("\t".join((
                    str(campaign.pk), str(sequence), f"{CODE}-{sequence:06d}", "goods" if goods else "cash", amount,
                    received.isoformat(), channel, name, search_key(name), "", "", now, str(user.pk),
                )) + "\n")
            buffer.seek(0)
            cursor.copy_expert(f"COPY donations_receipt ({', '.join(columns)}) FROM STDIN", buffer)
            print(f"  {min(first + chunk - 1, originals):>9,} receipts written", flush=True)
        # goods lines
        ids = dict(Receipt.objects.filter(campaign=campaign, sequence__in=goods_ids).values_list("sequence", "pk"))
        categories = list(ItemCategory.objects.values_list("pk", flat=True))
        buffer = io.StringIO()
        for sequence in goods_ids:
            for category in rng.sample(categories, rng.choice([1, 1, 2])):
                buffer.write(f"{ids[sequence]}\t{category}\t{rng.randrange(1, 2000)}.000\t\\N\n")
        buffer.seek(0)
        cursor.copy_expert("COPY donations_receiptitem (receipt_id, category_id, quantity, estimated_value) FROM STDIN",
                           buffer)
    # reversals: at the same instant as the receipt they correct, numbered after every original
    cash = list(Receipt.objects.filter(campaign=campaign, kind="cash").order_by("?").values_list(
        "pk", "amount", "received_at", "public_name", "search_name", "channel")[:reversals])
    Receipt.objects.bulk_create([
        Receipt(campaign=campaign, sequence=originals + n, number=f"{CODE}-{originals + n:06d}", kind="cash",
                amount=-amount, received_at=received, channel=channel, public_name=name, search_name=folded,
                reverses_id=pk, reason="Ghi nhầm", recorded_by=user)
        for n, (pk, amount, received, name, folded, channel) in enumerate(cash, 1)
    ], batch_size=5_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE donations_receipt")
        cursor.execute("ANALYZE donations_receiptitem")


def setup(receipts: int, *, regenerate: bool) -> Campaign:
    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
    campaign, _ = Campaign.objects.get_or_create(
        slug=SLUG, defaults={"code": CODE, "name": "Bench ledger", "summary": "-", "description": "-",
                             "status": "active", "starts_on": "2024-09-08"},
    )
    have = Receipt.objects.filter(campaign=campaign).count()
    if have != receipts or regenerate:
        print(f"generating {receipts:,} receipts (had {have:,})…", flush=True)
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            # in SQL: the ORM would write a history row for every receipt it deletes
            cursor.execute("DELETE FROM donations_receiptitem WHERE receipt_id IN "
                           "(SELECT id FROM donations_receipt WHERE campaign_id = %s)", [campaign.pk])
            cursor.execute("DELETE FROM donations_receipt WHERE campaign_id = %s AND reverses_id IS NOT NULL",
                           [campaign.pk])
            cursor.execute("DELETE FROM donations_receipt WHERE campaign_id = %s", [campaign.pk])
            generate(campaign, user, receipts)
        print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
        campaign_totals_refresh(campaign_id=campaign.pk)
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


def report(label: str, values: list[float], baseline: float | None = None, target: float | None = None) -> None:
    ratio = f"  ×{p95(values) / baseline:5.2f} of baseline" if baseline else ""
    verdict = f"  (target ≤ {target:.0f} ms: {'ok' if p95(values) <= target else 'MISSED'})" if target else ""
    print(f"{label:<44} p50 {statistics.median(values):7.1f} ms  p95 {p95(values):7.1f} ms{ratio}{verdict}")


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
    kept, ledger.COUNT_CAP = ledger.COUNT_CAP, 10_000
    report("  the same, counted up to 10,000", name_searches(campaign, runs), p95(first), 50)
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
        print(f"    deep page starts at {rows[0].number} ({rows[0].amount if sort == 'largest' else rows[0].received_at})")


def peak_memory_mib() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def download_csv() -> None:
    """Run in a fresh process: stream the whole ledger as CSV; print rows/s and memory as JSON."""
    campaign = Campaign.objects.get(slug=SLUG)
    rss_before = peak_memory_mib()
    # baseline: the same rows read from the database, nothing else
    started = time.perf_counter()
    raw = sum(1 for _ in Receipt.objects.filter(campaign=campaign).order_by("-received_at", "-sequence")
              .values_list("pk", "number", "sequence", "received_at", "kind", "channel", "amount", "public_name",
                           "reverses_id").iterator(chunk_size=2_000))
    raw_seconds = time.perf_counter() - started
    rss_after_raw = peak_memory_mib()
    started = time.perf_counter()
    response = ledger_csv(RequestFactory().get(f"/campaigns/{SLUG}/ledger.csv"), slug=SLUG)
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


def measure_download() -> None:
    result = json.loads(subprocess.run(
        [sys.executable, __file__, "--download-only"], check=True, capture_output=True, text=True, env=os.environ,
    ).stdout.strip().splitlines()[-1])
    rate, raw_rate = result["rows"] / result["seconds"], result["raw_rows"] / result["raw_seconds"]
    print(f"{'database read alone (baseline)':<44} {result['raw_rows']:>9,} rows {result['raw_seconds']:6.1f} s "
          f"{raw_rate:>9,.0f} rows/s")
    print(f"{'CSV download, streamed':<44} {result['rows']:>9,} rows {result['seconds']:6.1f} s {rate:>9,.0f} rows/s"
          f"  ×{rate / raw_rate:4.2f} of baseline  {result['bytes'] / 2**20:.0f} MiB  "
          f"(target ≥ 100,000 rows/s: {'ok' if rate >= 100_000 else 'MISSED'})")
    print(f"{'process peak memory':<44} {result['rss_peak_mib']:7.1f} MiB  (before {result['rss_before_mib']:.1f} "
          f"MiB, after the database read alone {result['rss_after_raw_mib']:.1f} MiB; target ≤ 200 MiB: "
          f"{'ok' if result['rss_peak_mib'] <= 200 else 'MISSED'})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--regenerate", action="store_true", help="write the receipts again")
    parser.add_argument("--download-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.download_only:
        return download_csv()
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL: DATABASE_URL=postgres://…")
    campaign = setup(args.receipts, regenerate=args.regenerate)
    print(f"database: {connection.vendor}; campaign {CODE}: "
          f"{Receipt.objects.filter(campaign=campaign).count():,} receipts")
    measure_pages(campaign, args.runs)
    measure_download()


if __name__ == "__main__":
    main()
