"""Benchmark: suggest pledges for a queued transfer in a large campaign and print how long it takes
and how many queries it makes. Not part of the test run.

    python bench/queue_candidates.py --pledges 100000            # on a throwaway SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relief_bench python bench/queue_candidates.py

The pledges spread over the two months before the transfer, from donors with Vietnamese names
(so the payer's name is compared against every donor of that span) and common round amounts.
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relief_portal.settings.local")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/relief-bench-queue.sqlite3")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from campaigns.models import Bank, Campaign, ReceivingAccount  # noqa: E402
from donations.models import (  # noqa: E402
    REFERENCE_ALPHABET,  # noqa: E402
    BankTransaction,
    Donor,
    Pledge,
    StatementImport,
)
from donations.selectors import bank_transaction_candidates  # noqa: E402
from donations.services import transfer_content_for  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc"]
BOOKED = datetime.datetime(2024, 9, 30, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def setup(pledges: int) -> BankTransaction:
    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
    campaign, _ = Campaign.objects.get_or_create(
        slug="bench-queue", defaults={"code": "QBENCH", "name": "Bench queue", "summary": "-", "description": "-",
                                      "status": "active", "starts_on": "2024-08-01"},
    )
    account, _ = ReceivingAccount.objects.get_or_create(
        account_number="9990007654321",
        defaults={"campaign": campaign, "bank": Bank.objects.get(bin="970436"), "account_holder": "Bench"},
    )
    have = Pledge.objects.filter(campaign=campaign).count()
    if have < pledges:
        rng = random.Random(1)
        for start in range(have, pledges, 10_000):
            size = min(10_000, pledges - start)
            donors = Donor.objects.bulk_create([
                Donor(kind="individual", full_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                      phone="0912345678")
                for _ in range(size)
            ])
            batch = []
            for donor in donors:
                ref = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(8))
                batch.append(Pledge(
                    campaign=campaign, donor=donor, kind="cash", amount=rng.choice([100_000, 200_000, 500_000]),
                    reference=ref, transfer_content=transfer_content_for(campaign_code="QBENCH", reference=ref),
                    created_at=BOOKED - datetime.timedelta(seconds=rng.randrange(60 * 86_400)),
                ))
            Pledge.objects.bulk_create(batch, batch_size=2000, ignore_conflicts=True)
    imp = StatementImport.objects.filter(account=account).first() or StatementImport.objects.create(
        account=account, file_name="bench.csv", content=b"-", uploaded_by=user, status="done"
    )
    txn, _ = BankTransaction.objects.get_or_create(
        account=account, checksum="bench-queue", defaults={
            "statement_import": imp, "line": 1, "booked_at": BOOKED, "amount": 500_000, "status": "queued",
            "description": "QBENCH ZZZZ2222 CT tu 0011004123456 NGUYEN VAN AN toi 9990007654321",
            "payer_name": "Nguyen Van An",
        },
    )
    return txn


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pledges", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    txn = setup(args.pledges)
    print(f"database: {connection.vendor}; {Pledge.objects.filter(campaign__code='QBENCH').count()} pledges")
    for label, payer in (("with payer name", txn.payer_name), ("without payer name", "")):
        txn.payer_name = txn.description = payer
        for _run in range(args.runs):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                found = bank_transaction_candidates(txn=txn)
            seconds = time.perf_counter() - started
            print(f"{label:<20} {seconds * 1000:8.1f} ms  {len(queries)} queries  {len(found)} candidates: "
                  + " ".join(c.pledge.reference for c in found))


if __name__ == "__main__":
    main()
