"""Benchmark: import a large bank statement and print how fast it goes, how many queries it makes,
how much memory the importing process needs, the longest time it held the campaign lock in one
transaction, and (on PostgreSQL) how long a cash-desk receipt recorded two seconds into the import
waited. Not part of the test run.

    python bench/statement_import.py --rows 100000            # on a throwaway SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relief_bench python bench/statement_import.py \\
        --rows 100000 --pledges 20000

The statement mixes what a real one holds: transfers quoting a pledge reference inside bank noise,
transfers without reference, identical small gifts, and debits (bank fees). It is imported twice:
a first import, then the same file again (every row already known). Then a next statement of as many
new rows is imported into the same account: its lookups now run against the rows of the first, and
should cost what they cost on an empty ledger.

Each import runs in a process of its own, as in a Celery worker, so that its peak RSS is the
importing process's alone (Django included), not this script's. The figures are printed beside
the targets: at least 10,000 rows a second, at most 200 MB. Before each import a baseline is
measured on the same machine in the same run: a bare COPY (on SQLite, a bulk INSERT) of as many
bank-transaction-sized rows into a scratch table without indexes, in chunks of 2,000 rows each
committed. On a machine shared with other work, judge the import by its ratio to that baseline.

By default each chunk's public figures refresh runs in the importing process (tasks are eager
without a broker); the time it takes is printed apart, with the rate of the import without it (in
production a worker runs it, coalesced). --no-refresh leaves it out. The importing process's own
CPU time and, on a local PostgreSQL, its database backend's are printed too: where the time goes.
On PostgreSQL the import reads ahead on a second connection (the next chunk's lookups, while this
one is written): its backend's CPU is counted with the backends that ended during the run, and its
queries are not among those counted (the writing connection's).
"""

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relief_portal.settings.local")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/relief-bench.sqlite3")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_DEBUG", "False")  # as in production: no query log kept in memory

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from campaigns.models import Bank, Campaign, ReceivingAccount  # noqa: E402
from donations.models import (  # noqa: E402
    REFERENCE_ALPHABET,
    BankTransaction,
    Donor,
    Pledge,
    Receipt,
    StatementImport,
)
from donations.services import (  # noqa: E402
    receipt_record,
    statement_import_create,
    statement_import_run,
    transfer_content_for,
)
from donations.services import statements as import_service  # noqa: E402
from ledger.models import JournalEntry, JournalHead  # noqa: E402
from ledger.signals import ledger_changed  # noqa: E402

TARGET_ROWS_PER_SECOND = 10_000
TARGET_PEAK_MB = 200
HEADER = (
    "Ngân hàng TMCP Ngoại thương Việt Nam\nSAO KÊ TÀI KHOẢN / ACCOUNT STATEMENT\n"
    "Số tài khoản/Account No: 9990001234567\n\n"
    "STT,Ngày giao dịch/Transaction Date,Số tham chiếu/Reference No.,Số tiền ghi nợ/Debit,"
    "Số tiền ghi có/Credit,Số dư/Balance,Nội dung chi tiết/Transactions in detail\n"
)
FIRST_DAY = "2024-09-01"  # the statement's first day, the campaign's too: no row is before it


def setup(pledges: int):
    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
    campaign, _ = Campaign.objects.get_or_create(
        slug="bench", defaults={"code": "BENCH", "name": "Bench", "summary": "-", "description": "-",
                                "status": "active", "starts_on": FIRST_DAY},
    )
    Campaign.objects.filter(pk=campaign.pk).update(starts_on=FIRST_DAY)
    account, _ = ReceivingAccount.objects.get_or_create(
        account_number="9990001234567",
        defaults={"campaign": campaign, "bank": Bank.objects.get(bin="970436"), "account_holder": "Bench"},
    )
    # start every run from an empty ledger, journal and history
    Receipt.objects.filter(campaign=campaign).delete()
    Receipt.history.model.objects.filter(campaign_id=campaign.pk).delete()
    JournalEntry.objects.filter(campaign=campaign).delete()
    JournalHead.objects.filter(campaign=campaign).delete()
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
    if connection.vendor == "postgresql":  # no dead rows of an earlier run, fresh statistics
        with connection.cursor() as cursor:
            for model in (Receipt, Receipt.history.model, JournalEntry, BankTransaction, Pledge, StatementImport):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return user, account, list(Pledge.objects.filter(campaign=campaign).values_list("reference", "amount"))


def statement(rows: int, pledges: list[tuple[str, int]], *, after: int = 0) -> bytes:
    """A statement of `rows` transactions, numbered from `after` + 1 (another `after` gives other rows)."""
    rng = random.Random(2 + after)
    month = "10" if after else "09"  # the next month's: none of its rows is one of the first's
    out = io.StringIO()
    out.write(HEADER)
    for n in range(after + 1, after + rows + 1):
        day = f"{1 + n % 28:02d}/{month}/2024 {n % 24:02d}:{n % 60:02d}:{(n * 7) % 60:02d}"
        kind = n % 10
        if kind < 6:
            ref, amount = rng.choice(pledges)
            text = f"MBVCB.{rng.randrange(10**9)}.BENCH {ref}.CT tu 0011004{n:06d} NGUYEN VAN AN toi 9990001234567"
            out.write(f'{n},{day},FT{n:012d},,"{amount:,}",,"{text}"\n')
        elif kind < 9:
            out.write(f'{n},{day},,,"{rng.choice([50_000, 200_000]):,}",,"ung ho dong bao mien bac"\n')
        else:
            out.write(f'{n},{day},FT{n:012d},"2,200",,,"Phi dich vu SMS Banking"\n')
    return out.getvalue().encode()


# --- the baseline -------------------------------------------------------------------------------


def baseline(rows: int) -> float:
    """Seconds for a bare COPY (SQLite: executemany INSERT) of `rows` bank-transaction-sized rows into
    a scratch table without indexes, 2,000 rows a transaction: the machine's pace right now."""
    now = "2024-09-08 09:00:00+07"
    values = [
        (1, 1, n, now, 500_000, f"MBVCB.{n:09d}.BENCH ABCDEFGH.CT tu 0011004{n:06d} NGUYEN VAN AN toi 9990001234567",
         f"FT{n:012d}", "Nguyen Van An", f"0011004{n:06d}", f"{n:064x}", "matched", "", "", now)
        for n in range(rows)
    ]
    table = "bench_scratch_transactions"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE TABLE {table} (account_id bigint NOT NULL, statement_import_id bigint NOT NULL, line integer NOT NULL,"
            " booked_at timestamp with time zone NOT NULL, amount bigint NOT NULL, description text NOT NULL,"
            " bank_reference varchar(64) NOT NULL, payer_name varchar(120) NOT NULL, payer_account varchar(34) NOT NULL,"
            " checksum varchar(64) NOT NULL, status varchar(12) NOT NULL, queue_code varchar(20) NOT NULL,"
            " queue_references varchar(120) NOT NULL, created_at timestamp with time zone NOT NULL)"
        )
    started = time.perf_counter()
    for start in range(0, rows, 2000):
        with transaction.atomic(), connection.cursor() as cursor:
            part = values[start:start + 2000]
            if connection.vendor == "postgresql":
                text = "".join("\t".join(map(str, row)) + "\n" for row in part)
                cursor.cursor.copy_expert(f"COPY {table} FROM STDIN", io.BytesIO(text.encode()))
            else:
                cursor.executemany(f"INSERT INTO {table} VALUES ({', '.join(['%s'] * 14)})", part)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
    return seconds


# --- the importing process ----------------------------------------------------------------------


def backend_cpu_seconds() -> tuple[float, float] | None:
    """CPU time so far of this connection's PostgreSQL backend, and of the backends that have ended
    (the server reaps them: the import's read-ahead connection once closed, and any other that ended
    meanwhile), when the server runs on this machine."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        backend = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        server = Path(f"/proc/{backend[1]}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return (int(backend[11]) + int(backend[12])) / tick, (int(server[13]) + int(server[14])) / tick


def peak_rss() -> int:
    """This process's peak resident memory in bytes. Linux's ru_maxrss carries over the peak of the
    process that started this one (a fork of the bench), so its VmHWM is read when there is one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux and BSD report KiB


def run_import(import_id: int, refresh: bool) -> dict:
    """Import in this process, as a worker does; the figures as a dict."""
    from transparency import tasks as figures_tasks
    from transparency.receivers import refresh_figures_on_ledger_change

    if not refresh:
        ledger_changed.disconnect(refresh_figures_on_ledger_change)
    refreshes: list[float] = []
    refresh_figures = figures_tasks.campaign_totals_refresh

    def timed_refresh(**kwargs):
        started = time.perf_counter()
        try:
            return refresh_figures(**kwargs)
        finally:
            refreshes.append(time.perf_counter() - started)

    figures_tasks.campaign_totals_refresh = timed_refresh
    holds: list[float] = []
    campaign_lock = import_service.campaign_lock

    def timed_lock(**kwargs):  # from taking the campaign lock to the commit of its transaction
        campaign = campaign_lock(**kwargs)
        taken = time.perf_counter()
        transaction.on_commit(lambda: holds.append(time.perf_counter() - taken))
        return campaign

    import_service.campaign_lock = timed_lock
    queries = [0]

    def count(execute, sql, params, many, context):  # COPY included: it passes through the wrappers
        queries[0] += 1
        return execute(sql, params, many, context)

    backend_before = backend_cpu_seconds()
    cpu_before, started = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count):
        imp = statement_import_run(import_id=import_id)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_before
    time.sleep(0.5)  # the read-ahead connection's backend, closed at the end of the run, is reaped
    backend_after = backend_cpu_seconds()
    return {
        "seconds": seconds, "python_cpu": cpu, "queries": queries[0],
        "database_cpu": None if backend_before is None or backend_after is None else
        [after - before for before, after in zip(backend_before, backend_after, strict=True)],
        "peak_rss": peak_rss(),
        "refreshes": refreshes, "holds": holds,
        **{name: getattr(imp, name) for name in (
            "status", "rows_read", "matched", "direct", "queued", "debits", "duplicates")},
    }


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


def measure(label: str, account, user, content: bytes, rows: int, *, refresh: bool, desk: bool) -> bool:
    """Import `content` in a process of its own and print its figures; whether they met the targets."""
    base = baseline(rows)
    imp = statement_import_create(account=account, file_name="bench.csv", content=content, uploaded_by=user,
                                  enqueue=False)
    waits: list[float] = []
    command = [sys.executable, __file__, "--import-id", str(imp.pk)] + ([] if refresh else ["--no-refresh"])
    worker = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    desk_thread = desk_receipt_after(2.0, account.campaign, user, waits) if desk else None
    out, _ = worker.communicate()
    if desk_thread is not None:
        desk_thread.join()
    if worker.returncode:
        raise SystemExit(f"the importing process failed ({worker.returncode})")
    got = json.loads(out.strip().splitlines()[-1])
    seconds = got["seconds"]
    bare = "COPY" if connection.vendor == "postgresql" else "bulk INSERT"
    print(f"{'baseline':<10} {rows:>8} rows  {base:7.2f} s  {rows / base:9,.0f} rows/s  "
          f"bare {bare} into a scratch table without indexes, 2,000 rows a transaction")
    print(f"{label:<10} {got['rows_read']:>8} rows  {seconds:7.2f} s  {rows / seconds:9,.0f} rows/s "
          f"(target ≥ {TARGET_ROWS_PER_SECOND:,})  {seconds / base:5.1f}× the baseline  {got['queries']:>5} queries  "
          f"process peak RSS {got['peak_rss'] / 2**20:6.1f} MiB (target ≤ {TARGET_PEAK_MB} MB)")
    refreshed = sum(got["refreshes"])
    if got["refreshes"]:
        alone = seconds - refreshed
        print(f"{'':<10} of which {refreshed:.2f} s in {len(got['refreshes'])} public figures refreshes run in process;"
              f" without them {alone:.2f} s, {rows / alone:,.0f} rows/s, {alone / base:.1f}× the baseline")
    cpu = f"CPU: importing process {got['python_cpu']:.2f} s"
    if got["database_cpu"] is not None:
        own, ended = got["database_cpu"]
        cpu += f", its database backend {own:.2f} s and backends that ended meanwhile {ended:.2f} s (its read-ahead)"
    print(f"{'':<10} {cpu}  [{got['status']}: {got['matched']} matched, {got['direct']} direct, "
          f"{got['queued']} queued, {got['debits']} debits, {got['duplicates']} already known]")
    print(f"{'':<10} campaign lock: {len(got['holds'])} transactions, longest held {max(got['holds'], default=0):.2f} s"
          + (f"; desk receipt recorded 2 s in waited {waits[0]:.2f} s" if waits else ""))
    return rows / seconds >= TARGET_ROWS_PER_SECOND and got["peak_rss"] <= TARGET_PEAK_MB * 10**6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pledges", type=int, default=20_000)
    parser.add_argument(
        "--no-refresh", action="store_true",
        help="do not run the public figures refresh in the importing process after each chunk "
             "(a worker does it in production)",
    )
    parser.add_argument("--import-id", type=int, help=argparse.SUPPRESS)  # the importing process
    args = parser.parse_args()
    if args.import_id:
        print(json.dumps(run_import(args.import_id, refresh=not args.no_refresh)))
        return
    user, account, pledges = setup(args.pledges)
    content = statement(args.rows, pledges)
    print(f"database: {connection.vendor}; statement: {len(content) / 2**20:.1f} MiB, {args.rows} rows")
    desk = connection.vendor == "postgresql"  # SQLite lets one writer in at a time whatever we do
    met = [measure(label, account, user, content, args.rows, refresh=not args.no_refresh, desk=desk)
           for label in ("first", "re-import")]
    # The next month's statement: as many new rows, into an account and a ledger that now hold the first's.
    met.append(measure("next", account, user, statement(args.rows, pledges, after=args.rows), args.rows,
                       refresh=not args.no_refresh, desk=desk))
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())
