"""Bank statement import: rows become bank transactions once, credits become receipts.

The file is parsed once and never held whole. That reading checks every row (each readable, each
within a receipt's bounds), so a bad file is rejected with nothing written, and spools the rows it
read, in chunks, to a temporary file. The rows are then read back from it and written in chunks,
each chunk one transaction that takes the campaign lock, writes its bank transactions, receipts,
their history and journal lines with bulk writes (COPY on PostgreSQL), and records on the import
how far it got. The lock is free between chunks: a cash-desk receipt or an allocation recorded
during a long import goes through at once. A run that stopped midway (worker killed, database
restarted) resumes after its last committed chunk; the row checksums keep every row to one
transaction.

Each chunk is built before its transaction: looked up (known rows, quoted pledges, ids taken ahead),
matched, numbered after where the ledger and the journal ended, its COPY text made. On PostgreSQL a
thread does that for the next chunk while this one is written. Under the lock the chunk is written
as built when nothing it relied on moved, and built again there otherwise (`_chunk_commit`).
"""

import datetime
import functools
import gc
import hashlib
import logging
import pickle
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, fields
from itertools import islice
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from campaigns.models import Campaign, ReceivingAccount
from campaigns.money import vnd
from ledger.bulk import NewRows, copies, ids_reserve, rows_prepare, rows_write
from ledger.models import MAX_CASH_AMOUNT, Kind
from ledger.services import (
    FUTURE_TOLERANCE,
    LedgerHead,
    PreparedEntries,
    campaign_lock,
    ledger_entries_prepare,
    ledger_entries_write,
    ledger_head,
)
from ledger.signals import ledger_changes_coalesced

from ..matching import payer_from_text, reference_candidates
from ..models import (
    ANONYMOUS_NAME,
    BankTransaction,
    Pledge,
    Receipt,
    StatementColumnMapping,
    StatementImport,
    donor_public_name,
    mask_name,
)
from ..selectors import statement_import_content, statement_import_stalled
from ..statements import (
    MAPPING_CODES,
    ColumnMapping,
    StatementError,
    StatementRow,
    read_statement,
)
from ..statements.layouts import AMOUNT, CREDIT, DATE
from .receipts import pledge_status_refresh

CHUNK = 2_000
# How long a thread keeps the interpreter while the other waits for it (Python's default: 5 ms). The
# writing thread, back from a query, takes it back from the thread building ahead this soon.
SWITCH_INTERVAL = 0.0005
# While an import runs, the public figures follow it this closely (seconds): a chunk's change is
# announced only when the last announcement is older, and the import's end announces what is left.
# Each refresh reads the whole campaign, so one after every chunk would grow with the campaign.
FIGURES_FOLLOW_EVERY = 5.0

logger = logging.getLogger(__name__)


def _enqueue(import_id: int) -> None:
    """Send the import task once the current transaction commits."""
    from ..tasks import statement_import_send  # the task module imports the services

    transaction.on_commit(lambda: statement_import_send(import_id))


@transaction.atomic
def statement_import_create(
    *,
    account: ReceivingAccount,
    file_name: str,
    content: bytes,
    uploaded_by: AbstractBaseUser,
    enqueue: bool = True,
) -> StatementImport:
    """Store an uploaded statement and queue its import, sent once the upload is committed.

    `enqueue=False` is for callers that run the import themselves (the management command).
    """
    if not content:
        raise ValidationError({"file": [_("The file is empty.")]})
    imp = StatementImport.objects.create(
        account=account, file_name=file_name[:255], content=content, uploaded_by=uploaded_by,
        content_sha256=hashlib.sha256(content).hexdigest(),
    )
    if enqueue:
        _enqueue(imp.pk)
    return imp


@transaction.atomic
def statement_import_retry(
    *, statement_import: StatementImport, requested_by: AbstractBaseUser | None
) -> StatementImport:
    """Queue again an import that stopped midway or never started; it resumes after the rows
    already imported. A run that is still alive, a finished and a rejected import are refused.
    `requested_by` is None when the sweep (`statement_imports_resume`) retries it."""
    imp = StatementImport.objects.select_for_update().defer("content").get(pk=statement_import.pk)
    Status = StatementImport.Status
    if imp.status == Status.DONE:
        raise ValidationError(_("This import has finished; there is nothing to retry."), code="finished")
    if imp.status == Status.REJECTED:
        raise ValidationError(
            _("A rejected file is not retried: fix the cause, then import the file again."), code="rejected"
        )
    if imp.status == Status.RUNNING and not statement_import_stalled(statement_import=imp):
        raise ValidationError(
            _("This import is still running (last sign of life at %(time)s); retry it only if it stops.")
            % {"time": date_format(timezone.localtime(imp.heartbeat_at or imp.created_at), "H:i:s")},
            code="running",
        )
    # A new attempt number: a run still holding the old one stops at its next chunk, writing nothing.
    imp.status, imp.attempt = Status.PENDING, imp.attempt + 1
    imp.retried_by, imp.retried_at = requested_by, timezone.now()
    imp.save(update_fields=["status", "attempt", "retried_by", "retried_at"])
    _enqueue(imp.pk)
    return imp


def statement_import_repeat(*, statement_import: StatementImport, requested_by: AbstractBaseUser) -> StatementImport:
    """Import a rejected statement's file again as a new import (after its columns were mapped)."""
    if statement_import.status != StatementImport.Status.REJECTED:
        raise ValidationError(_("Only a rejected import can be tried again."), code="not_rejected")
    return statement_import_create(
        account=statement_import.account, file_name=statement_import.file_name,
        content=statement_import_content(statement_import=statement_import), uploaded_by=requested_by,
    )


def _mapping_for(account: ReceivingAccount) -> ColumnMapping | None:
    saved = StatementColumnMapping.objects.filter(account=account).first()
    if saved is None:
        return None
    return ColumnMapping(
        date=saved.date, description=saved.description, credit=saved.credit, debit=saved.debit,
        amount=saved.amount, reference=saved.reference, balance=saved.balance,
    )


@dataclass(frozen=True)
class _Checked:
    """What the reading of a good file found."""

    layout: str
    rows: int
    skipped_lines: int


def _check(*, content: bytes, file_name: str, account: ReceivingAccount, spool) -> _Checked:
    """Read the whole file once, a known bank layout first, the account's own column mapping only
    when none matches, and write its rows to `spool`, CHUNK rows a pickle (`_spooled_rows` reads
    them back). Raises StatementError for the first problem: an unreadable row first, then a
    statement of another account, then the first row out of a receipt's bounds."""
    try:
        return _check_with(content=content, file_name=file_name, account=account, mapping=None, spool=spool)
    except StatementError as exc:
        mapping = _mapping_for(account)
        if exc.code not in MAPPING_CODES or mapping is None:
            raise
        spool.seek(0)
        spool.truncate()
        return _check_with(content=content, file_name=file_name, account=account, mapping=mapping, spool=spool)


def _check_with(
    *, content: bytes, file_name: str, account: ReceivingAccount, mapping: ColumnMapping | None, spool
) -> _Checked:
    with read_statement(content=content, filename=file_name, mapping=mapping) as reader:
        bounds = _RowBounds(campaign=account.campaign, labels=reader.labels)
        count, chunk = 0, []
        for row in reader:
            count += 1
            bounds.check(row)
            chunk.append((row.line, row.booked_at, row.amount, row.description, row.bank_reference, row.balance))
            if len(chunk) == CHUNK:
                pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
                chunk = []
        if chunk:
            pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
        if reader.account_number and reader.account_number != account.account_number:
            raise StatementError("wrong_account", found=reader.account_number, expected=account.account_number)
        bounds.raise_first()
        return _Checked(layout=reader.layout, rows=count, skipped_lines=reader.skipped_lines)


def _spooled_rows(spool) -> Iterator[StatementRow]:
    """The rows `_check` wrote to the spool, in file order."""
    spool.seek(0)
    while True:
        try:
            chunk = pickle.load(spool)
        except EOFError:
            return
        for values in chunk:
            yield StatementRow(*values)


class _RowBounds:
    """The bounds a receipt has, checked row by row; the first row out of them is remembered."""

    def __init__(self, *, campaign: Campaign, labels: dict[str, str]) -> None:
        self.campaign = campaign
        self.earliest = datetime.datetime.combine(campaign.starts_on, datetime.time.min)
        self.latest = timezone.localtime().replace(tzinfo=None) + FUTURE_TOLERANCE
        self.date_column = labels.get(DATE, "")
        self.amount_column = labels.get(AMOUNT) or labels.get(CREDIT, "")
        self.first: StatementError | None = None

    def check(self, row: StatementRow) -> None:
        if self.first is None and not (self.earliest <= row.booked_at <= self.latest and row.amount <= MAX_CASH_AMOUNT):
            self.first = self._error(row)

    def _error(self, row: StatementRow) -> StatementError:
        where = {"line": row.line, "column": self.date_column, "value": _day_text(row.booked_at)}
        if row.booked_at < self.earliest:
            return StatementError("date_before_campaign", **where, start=_day_text(self.campaign.starts_on))
        if row.booked_at > self.latest:
            return StatementError("date_in_future", **where)
        return StatementError(
            "credit_above_maximum", line=row.line, column=self.amount_column, value=vnd(row.amount),
            maximum=vnd(MAX_CASH_AMOUNT),
        )

    def raise_first(self) -> None:
        if self.first is not None:
            raise self.first


def _day_text(moment: datetime.date) -> str:
    """dd/mm/yyyy, with the time when there is one (any year: strftime does not pad years before 1000)."""
    text = f"{moment.day:02d}/{moment.month:02d}/{moment.year:04d}"
    if isinstance(moment, datetime.datetime) and moment.time() != datetime.time():
        text += f" {moment.hour:02d}:{moment.minute:02d}"
    return text


def transaction_checksum(*, account_id: int, row: StatementRow, occurrence: int) -> str:
    """Same account, date, bank reference, amount and text → same checksum.

    `occurrence` numbers rows that are identical within one file: they are distinct transfers
    (two donors sending the same amount with the same words), and stay distinct on re-import.
    """
    key = "|".join(
        [str(account_id), row.booked_at.isoformat(), row.bank_reference, str(row.amount),
         " ".join(row.description.split()).upper(), str(occurrence)]
    )
    return hashlib.sha256(key.encode()).hexdigest()


class _Checksums:
    """`transaction_checksum` of a file's rows, given in file order: identical rows are numbered by
    their occurrence in the whole file. Only a 16-byte digest per distinct row is kept, never a row."""

    def __init__(self, *, account_id: int) -> None:
        self.account_id = str(account_id)
        self.seen: dict[bytes, int] = {}

    def __call__(self, row: StatementRow) -> str:
        booked_at, amount, reference = row.booked_at.isoformat(), str(row.amount), row.bank_reference
        text = " ".join(row.description.split()).upper()
        # What makes rows identical, written so that no two different rows read alike.
        identity = f"{booked_at}|{amount}|{len(reference)}|{reference}|{text}".encode()
        key = hashlib.blake2b(identity, digest_size=16).digest()
        occurrence = self.seen[key] = self.seen.get(key, 0) + 1
        return hashlib.sha256(
            "|".join([self.account_id, booked_at, reference, amount, text, str(occurrence)]).encode()
        ).hexdigest()


@dataclass
class _Summary:
    """The running counters stored on the import after each chunk."""

    credits: int = 0
    debits: int = 0
    matched: int = 0
    direct: int = 0
    queued: int = 0
    duplicates: int = 0
    credited_amount: int = 0

    @classmethod
    def of(cls, imp: StatementImport) -> "_Summary":
        return cls(**{f.name: getattr(imp, f.name) for f in fields(cls)})

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __add__(self, other: "_Summary") -> "_Summary":
        return _Summary(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


class _Superseded(Exception):
    """Another run took the import over: this one stops without writing."""


def _after_chunk(*, import_id: int, rows_done: int) -> None:
    """Called after each chunk commits. Does nothing; tests replace it to pause or stop an import there."""


def _claim(*, import_id: int) -> StatementImport | None:
    """Start a run: the import (without its file), or None when it is finished, rejected, or being
    run by someone else (a recent heartbeat)."""
    with transaction.atomic():
        imp = StatementImport.objects.select_for_update().defer("content").get(pk=import_id)
        Status = StatementImport.Status
        if imp.status in (Status.DONE, Status.REJECTED):
            return None
        if imp.status == Status.RUNNING and not statement_import_stalled(statement_import=imp):
            return None
        if imp.status == Status.RUNNING or imp.rows_done:
            logger.warning("statement import %s resumes after %s rows", imp.pk, imp.rows_done)
        imp.status, imp.attempt, imp.heartbeat_at = Status.RUNNING, imp.attempt + 1, timezone.now()
        imp.save(update_fields=["status", "attempt", "heartbeat_at"])
    return imp


def statement_import_run(*, import_id: int) -> StatementImport:
    """Import a stored statement, or resume one that stopped midway after its committed chunks.

    Safe to run twice: a finished or rejected import is left as it is, and so is one that another
    run is working on. A run that fails is marked as stopped midway; a retry resumes it.
    """
    imp = _claim(import_id=import_id)
    if imp is None:
        return StatementImport.objects.defer("content").get(pk=import_id)
    try:
        with _cycle_collection_paused(), ledger_changes_coalesced(every=FIGURES_FOLLOW_EVERY):
            _run(imp)
    except _Superseded:
        logger.warning("statement import %s was taken over by another run", import_id)
    except Exception:
        logger.exception("statement import %s stopped midway", import_id)
        StatementImport.objects.filter(pk=import_id, attempt=imp.attempt).update(status=StatementImport.Status.FAILED)
    return StatementImport.objects.defer("content").get(pk=import_id)


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while the rows are read and written. The import makes and drops
    millions of short-lived objects that reference counting frees; with the collector on, they set
    off full collections over every object of the process (a sixth of the import's time)."""
    enabled, interval = gc.isenabled(), sys.getswitchinterval()
    gc.disable()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        if enabled:
            gc.enable()


def _run(imp: StatementImport) -> None:
    imp.account = ReceivingAccount.objects.select_related("campaign", "bank").get(pk=imp.account_id)
    # The rows read, kept on disk rather than in memory while they are written (a temporary file,
    # gone when the run ends, as the file's own bytes are).
    with tempfile.TemporaryFile(prefix="statement-rows-") as spool:
        _check_and_write(imp, spool)


def _check_and_write(imp: StatementImport, spool) -> None:
    content = statement_import_content(statement_import=imp)
    try:
        checked = _check(content=content, file_name=imp.file_name, account=imp.account, spool=spool)
    except StatementError as exc:
        # The reason is stored as a code and its parameters, worded in each reader's language when shown.
        imp.status, imp.finished_at = StatementImport.Status.REJECTED, timezone.now()
        imp.error_code, imp.error_params = exc.code, exc.params
        imp.save(update_fields=["status", "error_code", "error_params", "finished_at"])
        return

    mine = StatementImport.objects.filter(pk=imp.pk, attempt=imp.attempt)
    if not mine.update(
        rows_read=checked.rows, layout=checked.layout, skipped_lines=checked.skipped_lines,
        heartbeat_at=timezone.now(),
    ):
        raise _Superseded
    summary = _Summary.of(imp)
    account, campaign = imp.account, imp.account.campaign
    read = _ChunkReader(
        account_id=account.pk, codes=list(Campaign.objects.values_list("code", flat=True)),
        tz=timezone.get_current_timezone(),
    )
    build = functools.partial(
        _build, account=account, campaign=campaign, import_id=imp.pk, recorded_by=imp.uploaded_by
    )
    del content  # every row is in the spool now
    done = imp.rows_done
    rows = _spooled_rows(spool)
    # Rows of the chunks committed by an earlier run are skipped, but still numbered: identical rows
    # count their occurrences across the whole file.
    read.skip(rows, imp.rows_done)

    def next_chunk(head: LedgerHead) -> _Built | None:
        """The next chunk read (checksummed, its references found), its facts read, built after `head`."""
        chunk = read(rows)
        return build(rows=chunk, facts=_facts(account=account, rows=chunk), head=head) if chunk else None

    # On PostgreSQL, outside a transaction (as in a worker), the next chunk is read and built in a thread
    # with its own database connection while this one is written: the Python work and the reads overlap
    # the writing. Inside a transaction (or on SQLite) only this connection sees the rows: one at a time.
    ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="statement-rows") if (
        connection.vendor == "postgresql" and not connection.in_atomic_block
    ) else None
    try:
        built = next_chunk(ledger_head(model=Receipt, campaign=campaign))
        while built is not None:
            upcoming = ahead.submit(next_chunk, built.end) if ahead is not None else None
            done += len(built.rows)
            last = {"status": StatementImport.Status.DONE, "finished_at": timezone.now()}
            if done < checked.rows:
                last = {}
            written, summary = _chunk_commit(
                mine=mine, built=built, build=build, summary=summary, rows_done=done, last=last
            )
            _after_chunk(import_id=imp.pk, rows_done=done)
            built = upcoming.result() if upcoming is not None else next_chunk(written.end)
            if built is not None and built.head != written.end:
                # An entry was recorded meanwhile (this chunk was built again under the lock): number the
                # next one after what was written.
                built = build(rows=built.rows, facts=built.facts, head=written.end)
    finally:
        if ahead is not None:
            ahead.submit(connections.close_all).result()  # the thread's own connection
            ahead.shutdown()
    if done != checked.rows:  # the stored file cannot change; a reader that did would be a bug
        raise RuntimeError(f"statement import {imp.pk}: {done} rows read the second time, {checked.rows} the first")
    if imp.rows_done >= checked.rows:  # nothing left to write: an empty file, or stopped after its last chunk
        mine.update(status=StatementImport.Status.DONE, finished_at=timezone.now(), heartbeat_at=timezone.now())


def _chunk_commit(*, mine, built: "_Built", build, summary: "_Summary", rows_done: int, last: dict):
    """Write a built chunk in one transaction under the campaign lock and record the import's
    progress with it; (the chunk as written, the import's new counters).

    The chunk was built ahead, outside the lock. Under the lock it is written as built only if it
    still fits: the receipts' ledger and the journal end where it was numbered after, and no pledge it
    settles was cancelled since. Otherwise, or if a row turns out to be written already (another
    import of the same account got there between the reading and the lock), it is read and built
    again under the lock, as the lock then guarantees nothing moves.
    """
    for attempt in ("as built", "read again under the lock"):
        try:
            with transaction.atomic():
                campaign = campaign_lock(campaign_id=built.campaign_id)
                head = ledger_head(model=Receipt, campaign=campaign)
                if attempt != "as built" or head != built.head or _cancelled_since(built):
                    built = build(rows=built.rows, facts=_facts(account=built.account, rows=built.rows), head=head)
                _write(built)
                pledge_status_refresh(pledge_ids=list(built.pledge_ids))
                counters = summary + built.counters
                if not mine.update(rows_done=rows_done, heartbeat_at=timezone.now(), **counters.as_dict(), **last):
                    raise _Superseded  # rolls the chunk back: the run that took over writes it
            return built, counters
        except IntegrityError:
            if attempt != "as built":
                raise
            logger.warning("statement import: rows of a chunk were written meanwhile; reading it again")
    raise AssertionError("unreachable")  # pragma: no cover


class _ReadRow(NamedTuple):
    """A row of the second reading, with what can be worked out without the database."""

    checksum: str
    row: StatementRow
    booked_at: datetime.datetime  # aware
    found: tuple[set[str], set[str]] | None  # a credit's (anchored, loose) references
    payer_account: str
    payer_name: str


class _ChunkReader:
    """The next CHUNK rows of the second reading, each with its checksum (numbered across the whole
    file), aware time, references and payer: pure computation, no database, so that it runs in a
    thread of its own while the chunk before is written."""

    def __init__(self, *, account_id: int, codes: list[str], tz) -> None:
        self.checksums = _Checksums(account_id=account_id)
        self.codes, self.tz = codes, tz

    def skip(self, rows: Iterator[StatementRow], count: int) -> None:
        for row in islice(rows, count):
            self.checksums(row)

    def __call__(self, rows: Iterator[StatementRow]) -> list[_ReadRow]:
        chunk = []
        for row in islice(rows, CHUNK):
            payer_account, payer_name = payer_from_text(row.description)
            chunk.append(_ReadRow(
                self.checksums(row), row, timezone.make_aware(row.booked_at, self.tz),
                reference_candidates(row.description, campaign_codes=self.codes) if row.amount > 0 else None,
                payer_account, payer_name[:120],
            ))
        return chunk


# The columns of a bank transaction as the import writes them, in this order (after its id, when
# reserved ahead).
TRANSACTION_COLUMNS = (
    "account_id", "statement_import_id", "line", "booked_at", "amount", "description", "bank_reference",
    "payer_name", "payer_account", "checksum", "status", "queue_code", "queue_references", "created_at",
)


class _Facts(NamedTuple):
    """What building a chunk needs from the database, read before it is built."""

    known: set[str]  # checksums of its rows the account's bank transactions already have
    pledges: dict[str, "_PledgeFacts"]  # the pledges its credits quote, by reference
    # Ids taken ahead for its new rows, in order, and for as many receipts as its credits can make
    # (None where the inserts give them).
    transaction_ids: list[int] | None
    receipt_ids: list[int] | None


def _facts(*, account: ReceivingAccount, rows: list[_ReadRow]) -> _Facts:
    known = _known_checksums(account_id=account.pk, checksums=[read.checksum for read in rows])
    credits = [read.found for read in rows if read.found is not None and read.checksum not in known]
    wanted: set[str] = set()
    for found in credits:
        wanted.update(*found)
    pledges = _pledges_facts(references=wanted)
    if not copies(model=BankTransaction):
        return _Facts(known, pledges, None, None)
    fresh = sum(1 for read in rows if read.checksum not in known)
    # A credit makes one receipt, or one per pledge it settles at most.
    receipts = sum(max(1, len(pledges.keys() & (anchored | loose))) for anchored, loose in credits)
    return _Facts(known, pledges, ids_reserve(model=BankTransaction, count=fresh),
                  ids_reserve(model=Receipt, count=receipts))


@dataclass
class _Built:
    """A chunk ready to write (`_build`): its bank transactions and receipts, the receipts numbered
    and journalled after `head`."""

    account: ReceivingAccount
    campaign_id: int
    rows: list[_ReadRow]
    facts: _Facts
    head: LedgerHead
    transactions: NewRows
    receipts: PreparedEntries | None
    # The index among `transactions` of each receipt's bank transaction, when its id comes from the insert.
    receipt_transactions: list[int]
    counters: "_Summary"
    pledge_ids: set[int]

    @property
    def end(self) -> LedgerHead:
        return self.receipts.end if self.receipts is not None else self.head


def _build(
    *, account, campaign, import_id: int, recorded_by, rows: list[_ReadRow], facts: _Facts, head: LedgerHead
) -> _Built:
    """Match a chunk's new rows and make its bank transactions and receipts ready to write, the
    receipts numbered after `head`. Runs no query (a thread of its own runs it ahead)."""
    fresh = [read for read in rows if read.checksum not in facts.known]
    counters = _Summary(duplicates=len(rows) - len(fresh))
    now, Status = timezone.now(), BankTransaction.Status
    txns, credits = [], []
    for checksum, row, booked_at, found, payer_account, payer_name in fresh:
        targets, queue_code, refs = [], "", ""
        if row.amount <= 0:
            status = Status.DEBIT
            counters.debits += 1
        else:
            counters.credits += 1
            counters.credited_amount += row.amount
            anchored, loose = found
            targets, queue_code, refs = _match(
                campaign=campaign, amount=row.amount, anchored=anchored, loose=loose, pledges=facts.pledges
            )
            status = Status.QUEUED if queue_code else Status.MATCHED if targets else Status.DIRECT
            credits.append((len(txns), status, targets, row.amount, booked_at, payer_name))
        txns.append((
            account.pk, import_id, row.line, booked_at, row.amount, row.description[:2000],
            row.bank_reference[:64], payer_name, payer_account, checksum, status, queue_code, refs[:120], now,
        ))
    ids = facts.transaction_ids
    pledge_ids, receipt_transactions = set(), []
    receipts, new_receipt, payer_names = [], _ReceiptMaker(now=now), {}
    for index, status, targets, amount, booked_at, payer_name in credits:
        if status == Status.QUEUED:
            counters.queued += 1
            continue
        txn_id = None if ids is None else ids[index]
        if targets:
            counters.matched += 1
            made = [
                new_receipt(
                    transaction_id=txn_id, received_at=booked_at, amount=share, pledge_id=pledge.pk,
                    donor_id=pledge.donor_id, public_name=pledge.public_name,
                )
                for pledge, share in targets
            ]
            pledge_ids.update(pledge.pk for pledge, _share in targets)
        else:
            counters.direct += 1
            if payer_name not in payer_names:
                payer_names[payer_name] = mask_name(payer_name) if payer_name else ANONYMOUS_NAME
            made = [new_receipt(
                transaction_id=txn_id, received_at=booked_at, amount=amount, pledge_id=None, donor_id=None,
                public_name=payer_names[payer_name],
            )]
        receipts += made
        receipt_transactions += [index] * len(made)
    if facts.receipt_ids is not None:
        for receipt, receipt_id in zip(receipts, facts.receipt_ids, strict=False):
            receipt.id = receipt_id
    columns = TRANSACTION_COLUMNS
    if ids is not None:
        columns, txns = ("id", *columns), [(new_id, *txn) for new_id, txn in zip(ids, txns, strict=True)]
    return _Built(
        account=account, campaign_id=campaign.pk, rows=rows, facts=facts, head=head,
        transactions=rows_prepare(model=BankTransaction, fields=columns, rows=txns),
        receipts=ledger_entries_prepare(campaign=campaign, entries=receipts, recorded_by=recorded_by, head=head)
        if receipts else None,
        receipt_transactions=receipt_transactions if ids is None else [], counters=counters, pledge_ids=pledge_ids,
    )


def _write(built: _Built) -> None:
    """Insert a built chunk. The caller holds the campaign lock and checked the chunk still fits."""
    rows_write(built.transactions)
    if built.receipts is None:
        return
    if built.receipt_transactions:  # the bank transactions' ids came from their insert
        ids = [txn.pk for txn in built.transactions.objs]
        for receipt, index in zip(built.receipts.entries.objs, built.receipt_transactions, strict=True):
            receipt.bank_transaction_id = ids[index]
    ledger_entries_write(built.receipts)


def _cancelled_since(built: _Built) -> bool:
    """Whether a pledge the chunk settles was cancelled after its facts were read."""
    return bool(built.pledge_ids) and Pledge.objects.filter(
        pk__any_of=list(built.pledge_ids), status=Pledge.Status.CANCELLED
    ).exists()


def _known_checksums(*, account_id: int, checksums: list[str]) -> set[str]:
    """Which of these checksums the account's bank transactions already have.

    On PostgreSQL each checksum is looked up in the (account, checksum) index, one probe each: asked
    as `checksum = ANY(…)`, the planner reads every transaction of the account instead once it holds
    more than a few thousand, and a long import would read them all again for each chunk.
    """
    if not checksums:
        return set()
    if connection.vendor != "postgresql":
        return set(BankTransaction.objects.filter(account_id=account_id, checksum__any_of=checksums).values_list(
            "checksum", flat=True))
    table = connection.ops.quote_name(BankTransaction._meta.db_table)
    with connection.cursor() as cursor:
        # A LATERAL subquery with LIMIT is not flattened into a join: it runs once per checksum.
        cursor.execute(
            f"SELECT found.checksum FROM unnest(%s::varchar[]) AS wanted(checksum), LATERAL ("
            f"SELECT checksum FROM {table} WHERE account_id = %s AND checksum = wanted.checksum LIMIT 1) AS found",
            [checksums, account_id],
        )
        return {checksum for (checksum,) in cursor.fetchall()}


def _match(*, campaign, amount, anchored, loose, pledges) -> tuple[list[tuple[Pledge, int]], str, str]:
    """What a credit settles: ([(pledge, amount)], "", ""), ([], "", "") for a direct gift, or
    ([], why it waits, the references concerned) — the reason is stored as a code and worded in
    each reader's language when shown."""
    Why = BankTransaction.QueueReason
    known = [pledges[r] for r in sorted(anchored | loose) if r in pledges]
    unknown_anchored = sorted(r for r in anchored if r not in pledges)
    if not known:
        return ([], Why.UNKNOWN_REFERENCE, ", ".join(unknown_anchored)) if unknown_anchored else ([], "", "")
    for pledge in known:
        if pledge.campaign_id != campaign.pk:
            return [], Why.OTHER_CAMPAIGN, pledge.reference
        if pledge.status == Pledge.Status.CANCELLED:
            return [], Why.CANCELLED, pledge.reference
        if pledge.kind != Kind.CASH:
            return [], Why.GOODS_PLEDGE, pledge.reference
    if len(known) == 1:
        return [(known[0], amount)], "", ""
    if sum(p.amount for p in known) == amount:
        return [(p, p.amount) for p in known], "", ""
    return [], Why.AMOUNTS_DIFFER, ", ".join(p.reference for p in known)


class _PledgeFacts(NamedTuple):
    """What matching a credit and writing its receipt need of a pledge (no model instance)."""

    pk: int
    reference: str
    campaign_id: int
    kind: str
    amount: int | None
    status: str
    donor_id: int
    public_name: str


def _pledges_facts(*, references: set[str]) -> dict[str, _PledgeFacts]:
    """The pledges with these references, by reference, with their donors' public names."""
    rows = Pledge.objects.filter(reference__any_of=references).values_list(
        "pk", "reference", "campaign_id", "kind", "amount", "status", "donor_id", "donor__kind",
        "donor__full_name", "donor__organization_name", "donor__public_display",
    )
    return {
        reference: _PledgeFacts(pk, reference, campaign_id, kind, amount, status, donor_id, donor_public_name(
            kind=donor_kind, full_name=full_name, organization_name=organization_name, public_display=display,
        ))
        for pk, reference, campaign_id, kind, amount, status, donor_id, donor_kind, full_name, organization_name,
        display in rows
    }


class _ReceiptMaker:
    """New bank receipts of one chunk (numbered by `ledger_entries_prepare`): what
    `Receipt(kind=…, amount=…, …)` builds, each field's default where not given, but filled in
    directly (as Django fills an instance read from the database) at a fraction of its cost."""

    def __init__(self, *, now: datetime.datetime) -> None:
        self.template = {field.attname: field.get_default() for field in Receipt._meta.concrete_fields}
        self.template.update(created_at=now, kind=Kind.CASH, channel=Receipt.Channel.BANK_TRANSFER)

    def __call__(self, *, transaction_id: int, received_at: datetime.datetime, amount: int, pledge_id: int | None,
                 donor_id: int | None, public_name: str) -> Receipt:
        receipt = Receipt.__new__(Receipt)
        receipt.__dict__.update(
            self.template, _state=ModelState(), amount=amount, received_at=received_at, pledge_id=pledge_id,
            donor_id=donor_id, bank_transaction_id=transaction_id, public_name=public_name,
        )
        return receipt


def _bank_receipt(txn: BankTransaction, amount: int, pledge: Pledge | None) -> Receipt:
    """The receipt a credit becomes (numbered and saved by `ledger_entries_append`)."""
    if pledge is not None:
        name = pledge.donor.public_name
    else:
        name = mask_name(txn.payer_name) if txn.payer_name else ANONYMOUS_NAME
    return Receipt(
        kind=Kind.CASH, amount=amount, received_at=txn.booked_at, channel=Receipt.Channel.BANK_TRANSFER,
        pledge=pledge, donor_id=pledge.donor_id if pledge else None, bank_transaction=txn, public_name=name,
    )


def statement_imports_resume() -> list[int]:
    """Queue again every import that waits or runs but showed no sign of life for
    STATEMENT_IMPORT_STALE_AFTER (its task lost with the broker, its worker killed); each resumes
    after its committed rows. One that failed with an error is left to staff. Returns their ids."""
    Status = StatementImport.Status
    resumed = []
    for imp in StatementImport.objects.filter(status__in=[Status.PENDING, Status.RUNNING]).defer("content"):
        if statement_import_stalled(statement_import=imp):
            try:
                statement_import_retry(statement_import=imp, requested_by=None)
            except ValidationError:
                continue  # it moved on meanwhile
            logger.warning("statement import %s showed no sign of life; sent again", imp.pk)
            resumed.append(imp.pk)
    return resumed
