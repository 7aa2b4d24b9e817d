"""Benchmark: import a large bank statement and print how long it takes, how many queries it
makes, how much memory it needs, the longest time it held the campaign lock in one transaction,
and (on PostgreSQL) how long a cash-desk receipt recorded two seconds into the import waited.
Not part of the test run.

    python bench/statement_import.py --rows 200000            # on a throwaway SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relief_bench python bench/statement_import.py

The statement mixes what a real one holds: transfers quoting a pledge reference inside bank noise,
transfers without reference, identical small gifts, and debits (bank fees).
"""

import argparse
import os
import random
import resource
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relief_portal.settings.local")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/relief-bench.sqlite3")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from campaigns.models import Bank, Campaign, ReceivingAccount  # noqa: E402
from donations.models import (  # noqa: E402
    REFERENCE_ALPHABET,
    BankTransaction,
    Donor,
    Pledge,
    Receipt,
)
from donations.services import (  # noqa: E402
    receipt_record,
    statement_import_create,
    statement_import_run,
    transfer_content_for,
)
from donations.services import statements as import_service  # noqa: E402
from ledger.signals import ledger_changed  # noqa: E402

HEADER = (
    "Ngân hàng TMCP Ngoại thương Việt Nam\nSAO KÊ TÀI KHOẢN / ACCOUNT STATEMENT\n"
    "Số tài khoản/Account No: 9990001234567\n\n"
    "STT,Ngày giao dịch/Transaction Date,Số tham chiếu/Reference No.,Số tiền ghi nợ/Debit,"
    "Số tiền ghi có/Credit,Số dư/Balance,Nội dung chi tiết/Transactions in detail\n"
)


def setup(pledges: int):
    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
    campaign, created = Campaign.objects.get_or_create(
        slug="bench", defaults={"code": "BENCH", "name": "Bench", "summary": "-", "description": "-",
                                "status": "active", "starts_on": "2024-09-08"},
    )
    account, _ = ReceivingAccount.objects.get_or_create(
        account_number="9990001234567",
        defaults={"campaign": campaign, "bank": Bank.objects.get(bin="970436"), "account_holder": "Bench"},
    )
    # start every run from an empty ledger
    Receipt.objects.filter(campaign=campaign).delete()
    BankTransaction.objects.filter(account=account).delete()
    account.statement_imports.all().delete()
    if Pledge.objects.filter(campaign=campaign).count() < pledges:
        rng = random.Random(1)
        donor = Donor.objects.create(kind="individual", full_name="Nguyễn Văn An", phone="0912345678")
        batch = []
        for _n in range(pledges):
            ref = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(8))
            batch.append(Pledge(campaign=campaign, donor=donor, kind="cash", amount=rng.choice([100_000, 500_000]),
                                reference=ref, transfer_content=transfer_content_for(campaign_code="BENCH", reference=ref)))
        Pledge.objects.bulk_create(batch, batch_size=2000, ignore_conflicts=True)
    Pledge.objects.filter(campaign=campaign).update(status="pledged")
    return user, account, list(Pledge.objects.filter(campaign=campaign).values_list("reference", "amount"))


def statement(rows: int, pledges: list[tuple[str, int]]) -> bytes:
    rng = random.Random(2)
    lines = []
    for n in range(1, rows + 1):
        day = f"{1 + n % 28:02d}/09/2024 {n % 24:02d}:{n % 60:02d}:{(n * 7) % 60:02d}"
        kind = n % 10
        if kind < 6:
            ref, amount = rng.choice(pledges)
            text = f"MBVCB.{rng.randrange(10**9)}.BENCH {ref}.CT tu 0011004{n:06d} NGUYEN VAN AN toi 9990001234567"
            lines.append(f'{n},{day},FT{n:012d},,"{amount:,}",,"{text}"')
        elif kind < 9:
            lines.append(f'{n},{day},,,"{rng.choice([50_000, 200_000]):,}",,"ung ho dong bao mien bac"')
        else:
            lines.append(f'{n},{day},FT{n:012d},"2,200",,,"Phi dich vu SMS Banking"')
    return (HEADER + "\n".join(lines) + "\n").encode()


class LockHolds:
    """Times each transaction of the import from taking the campaign lock to its commit."""

    def __init__(self):
        self.holds: list[float] = []
        self._lock = import_service.campaign_lock

    def __enter__(self):
        def timed_lock(**kwargs):
            campaign = self._lock(**kwargs)
            taken = time.perf_counter()
            transaction.on_commit(lambda: self.holds.append(time.perf_counter() - taken))
            return campaign

        import_service.campaign_lock = timed_lock
        return self

    def __exit__(self, *exc):
        import_service.campaign_lock = self._lock


def desk_receipt_after(seconds: float, campaign, user, waits: list[float]) -> threading.Thread:
    """A cash-desk receipt recorded `seconds` into the import, on its own connection."""

    def record():
        try:
            time.sleep(seconds)
            started = time.perf_counter()
            receipt_record(campaign=campaign, channel=Receipt.Channel.CASH_DESK, amount=100_000, recorded_by=user,
                           public_name="Bench desk", note="bench")
            waits.append(time.perf_counter() - started)
        finally:
            connection.close()

    thread = threading.Thread(target=record)
    thread.start()
    return thread


def measure(label, account, user, content, desk: bool):
    reset_queries()
    waits: list[float] = []
    desk_thread = desk_receipt_after(2.0, account.campaign, user, waits) if desk else None
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries, LockHolds() as locks:
        imp = statement_import_create(
            account=account, file_name="bench.csv", content=content, uploaded_by=user, enqueue=False
        )
        imp = statement_import_run(import_id=imp.pk)
    seconds = time.perf_counter() - started
    if desk_thread is not None:
        desk_thread.join()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    print(f"{label:<10} {imp.rows_read:>8} rows  {seconds:7.2f} s  {imp.rows_read / seconds:9,.0f} rows/s  "
          f"{len(queries):>6} queries  process peak RSS {peak_rss / 2**20:7.1f} MiB  "
          f"[{imp.status}: {imp.matched} matched, {imp.direct} direct, {imp.queued} queued, "
          f"{imp.debits} debits, {imp.duplicates} already known]")
    print(f"{'':<10} campaign lock: {len(locks.holds)} transactions, longest held {max(locks.holds, default=0):.2f} s"
          + (f"; desk receipt recorded 2 s in waited {waits[0]:.2f} s" if waits else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pledges", type=int, default=20_000)
    parser.add_argument(
        "--no-refresh", action="store_true",
        help="do not run the public totals refresh in process after each chunk (a worker does it in production)",
    )
    args = parser.parse_args()
    if args.no_refresh:
        from transparency.receivers import refresh_totals_on_ledger_change

        ledger_changed.disconnect(refresh_totals_on_ledger_change)
    user, account, pledges = setup(args.pledges)
    content = statement(args.rows, pledges)
    print(f"database: {connection.vendor}; statement: {len(content) / 2**20:.1f} MiB, {args.rows} rows")
    desk = connection.vendor == "postgresql"  # SQLite lets one writer in at a time whatever we do
    measure("first", account, user, content, desk)
    measure("re-import", account, user, content, desk)


if __name__ == "__main__":
    main()
