"""Benchmark of the registry of people helped: look a person up by citizen ID or phone among 2.5 million
beneficiaries, and import a commune's list of 100,000 people with dedup. Prints the figures. Not part
of the test run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relief_assistance_bench python bench/assistance_registry.py

The registry is generated in bulk with PostgreSQL's COPY (valid citizen IDs, each kept only as its
keyed hash and masked form, as the portal keeps them); a second run reuses it. The list mixes people
new to the registry with people it already knows (`--known`), as communes' lists do.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relief_portal.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/relief_assistance_bench")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from assistance import citizen_id  # noqa: E402
from assistance.models import (  # noqa: E402
    Beneficiary,
    Enrollment,
    ListImport,
    SupportProgramme,
    Ward,
)
from assistance.reports import daily_report_get  # noqa: E402
from assistance.selectors import assistance_public_figures, beneficiary_find  # noqa: E402
from assistance.services import beneficiary_list_import  # noqa: E402
from campaigns.models import Campaign, Province  # noqa: E402

CODES = sorted(citizen_id.PROVINCE_CODES)
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Xuân", "Thu"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc", "Tâm"]


def unique_ids(count: int, offset: int = 0):
    """`count` distinct valid IDs: the serial is n mod a million, the prefix varies with n // a million."""
    for n in range(offset, offset + count):
        rng = random.Random(n)
        block = n // 1_000_000
        code = CODES[(n + block * 7) % len(CODES)]
        year = 1935 + (block * 13 + rng.randint(0, 60)) % 70
        century_sex = (0 if year < 2000 else 2) + (block % 2)
        yield f"{code}{century_sex}{year % 100:02d}{n % 1_000_000:06d}", year


def phone_for(n: int) -> str:
    return f"09{n:08d}"[-10:]


def name_for(n: int) -> str:
    rng = random.Random(-n)
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def setup():
    call_command("migrate", verbosity=0)
    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench", defaults={"is_staff": True, "is_superuser": True})
    campaign, _ = Campaign.objects.get_or_create(code="BENCHAS", defaults={
        "slug": "bench-assistance", "name": "Bench", "summary": "-", "description": "-", "status": "active",
        "starts_on": timezone.localdate()})
    programme = SupportProgramme.objects.filter(campaign=campaign).first()
    if programme is None:
        programme = SupportProgramme.objects.create(campaign=campaign, name="Bench", eligibility="-",
                                                    cash_per_person=1_000_000, opens_on=timezone.localdate())
        programme.provinces.set(Province.objects.filter(set="2025"))
    return user, programme


def generate(total: int, user) -> float:
    """Fill the registry up to `total` people with COPY; returns seconds spent."""
    have = Beneficiary.objects.count()
    if have >= total:
        return 0.0
    wards = list(Ward.objects.values_list("pk", flat=True))
    start = time.perf_counter()
    now = timezone.now().isoformat()
    columns = "id_hash, id_masked, birth_year, full_name, phone, ward_id, address, household_size, created_at, created_by_id"
    chunk = 250_000
    for begin in range(have, total, chunk):
        buffer = io.StringIO()
        for n, (digits, year) in enumerate(unique_ids(min(chunk, total - begin), offset=begin), start=begin):
            buffer.write(f"{citizen_id.keyed_hash(digits)}\t{citizen_id.mask(digits)}\t{year}\t{name_for(n)}\t"
                         f"{phone_for(n)}\t{wards[n % len(wards)]}\tThôn {n % 97}\t{1 + n % 6}\t{now}\t{user.pk}\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY assistance_beneficiary ({columns}) FROM STDIN", buffer)
        print(f"  registry: {begin + min(chunk, total - begin):,} people", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE assistance_beneficiary")
    return time.perf_counter() - start


def time_lookups(samples: list[str]) -> list[float]:
    timings = []
    for text in samples:
        start = time.perf_counter()
        found = list(beneficiary_find(text=text))
        timings.append((time.perf_counter() - start) * 1000)
        assert found, text
    return timings


def describe(label: str, timings: list[float]) -> None:
    timings = sorted(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"{label}: median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, max {timings[-1]:.2f} ms "
          f"over {len(timings)} lookups")


def list_file(rows: int, known: int, offset: int, duplicate: bool = False) -> io.BytesIO:
    """A commune's list: `known` people already in the registry, the rest new."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["STT", "Họ và tên", "Số CCCD", "Số điện thoại", "Địa chỉ", "Số nhân khẩu"])
    known_ids = list(unique_ids(known, offset=0))
    new_ids = list(unique_ids(rows - known, offset=offset))
    for i, (digits, _year) in enumerate(known_ids + new_ids, start=1):
        sheet.append([i, name_for(i), digits, phone_for(offset + i), f"Thôn {i % 31}", 1 + i % 5])
    if duplicate:
        sheet.append([rows + 1, "Bản sao", known_ids[0][0] if known_ids else new_ids[0][0], "", "", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2_500_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--known", type=int, default=10_000, help="rows of the list already in the registry")
    parser.add_argument("--lookups", type=int, default=1_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/relief_assistance_bench")

    user, programme = setup()
    seconds = generate(args.people, user)
    total = Beneficiary.objects.count()
    print(f"registry: {total:,} beneficiaries" + (f" (generated in {seconds:.0f} s)" if seconds else " (reused)"))

    rng = random.Random(42)
    picks = [rng.randrange(args.people) for _ in range(args.lookups)]
    ids = {n: digits for n, (digits, _year) in ((n, next(unique_ids(1, offset=n))) for n in picks)}
    time_lookups([ids[picks[0]]] * 20)  # warm the connection and the cache
    describe("lookup by citizen ID", time_lookups([ids[n] for n in picks]))
    describe("lookup by phone", time_lookups([phone_for(n) for n in picks]))

    # The list: a fresh programme each run so nobody is in it yet; new people numbered past the registry.
    programme.pk = None
    programme.name = f"Bench {timezone.now():%H%M%S}"
    programme.save()
    programme.provinces.set(Province.objects.filter(set="2025"))
    ward = Ward.objects.order_by("code").first()
    offset = total + 1_000_000
    file = list_file(args.rows, args.known, offset)
    print(f"list: {args.rows:,} rows, {len(file.getvalue()) / 1e6:.1f} MB, {args.known:,} already in the registry")

    start = time.perf_counter()
    result = beneficiary_list_import(programme=programme, ward=ward, file=file, file_name="bench.xlsx", user=user)
    elapsed = time.perf_counter() - start
    assert not result.rejected, result.problems[:5]
    print(f"list import with dedup: {elapsed:.1f} s — {result.added:,} new, {result.record.linked:,} already in the "
          f"registry, {result.record.skipped:,} already in the programme; "
          f"{Enrollment.objects.filter(programme=programme).count():,} enrolled")

    start = time.perf_counter()
    again = beneficiary_list_import(programme=programme, ward=ward, file=list_file(args.rows, args.known, offset),
                                    file_name="bench.xlsx", user=user)
    print(f"same list again: {time.perf_counter() - start:.1f} s — {again.added:,} new, "
          f"{again.record.skipped:,} reported as already in the programme")

    start = time.perf_counter()
    rejected = beneficiary_list_import(programme=programme, ward=ward, file=list_file(args.rows, args.known, offset + args.rows,
                                       duplicate=True), file_name="bench-dup.xlsx", user=user)
    assert rejected.rejected
    print(f"list with an in-file duplicate rejected whole in {time.perf_counter() - start:.1f} s: "
          f"{rejected.problems[0].message}")
    print(f"imports recorded: {ListImport.objects.count()}, registry now {Beneficiary.objects.count():,}")

    # The reads over a programme of this size: the daily report and the public figures.
    start = time.perf_counter()
    report = daily_report_get(programme=programme, day=timezone.localdate(), user=user)
    print(f"daily report of the programme ({report.total.figures['verified']:,} verified): "
          f"{(time.perf_counter() - start) * 1000:.0f} ms")
    start = time.perf_counter()
    assistance_public_figures(campaign=programme.campaign)
    print(f"public figures of the campaign: {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
