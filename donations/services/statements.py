"""Bank statement import: rows become bank transactions once, credits become receipts.

The whole file is read and checked before anything is written, so a bad file leaves nothing
behind. Then the rows are written in chunks, each chunk one transaction that takes the campaign
lock, writes its bank transactions and receipts with bulk queries, and records on the import how
far it got. The lock is free between chunks: a cash-desk receipt or an allocation recorded during a
long import goes through at once. A run that stopped midway (worker killed, database restarted)
resumes after its last committed chunk; the row checksums keep every row to one transaction.
"""

import datetime
import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field, fields

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from campaigns.models import Campaign, ReceivingAccount
from campaigns.money import vnd
from ledger.models import MAX_CASH_AMOUNT, Kind
from ledger.services import FUTURE_TOLERANCE, campaign_lock, ledger_entries_append

from ..matching import payer_from_text, reference_candidates
from ..models import (
    ANONYMOUS_NAME,
    BankTransaction,
    Pledge,
    Receipt,
    StatementColumnMapping,
    StatementImport,
    mask_name,
)
from ..selectors import statement_import_content, statement_import_stalled
from ..statements import (
    MAPPING_CODES,
    ColumnMapping,
    ParsedStatement,
    StatementError,
    StatementRow,
    parse_statement,
)
from ..statements.layouts import AMOUNT, CREDIT, DATE
from .receipts import pledge_status_refresh

CHUNK = 2_000

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


def _parse(*, content: bytes, file_name: str, account: ReceivingAccount):
    """A known bank layout first; the account's own column mapping only when none matches."""
    try:
        return parse_statement(content=content, filename=file_name)
    except StatementError as exc:
        mapping = _mapping_for(account)
        if exc.code not in MAPPING_CODES or mapping is None:
            raise
        return parse_statement(content=content, filename=file_name, mapping=mapping)


def statement_rows_check(*, parsed: ParsedStatement, campaign: Campaign) -> None:
    """Every row within the bounds a receipt has: a credit no larger than one entry may be, a date
    neither before the campaign started nor in the future. Raises StatementError naming the first
    row out of bounds, by line and column, and so the whole file is rejected with nothing written."""
    latest = timezone.localtime().replace(tzinfo=None) + FUTURE_TOLERANCE
    date_column = parsed.labels.get(DATE, "")
    amount_column = parsed.labels.get(AMOUNT) or parsed.labels.get(CREDIT, "")
    for row in parsed.rows:
        where = {"line": row.line, "column": date_column, "value": _day_text(row.booked_at)}
        if row.booked_at.date() < campaign.starts_on:
            raise StatementError("date_before_campaign", **where, start=_day_text(campaign.starts_on))
        if row.booked_at > latest:
            raise StatementError("date_in_future", **where)
        if row.amount > MAX_CASH_AMOUNT:
            raise StatementError(
                "credit_above_maximum", line=row.line, column=amount_column, value=vnd(row.amount),
                maximum=vnd(MAX_CASH_AMOUNT),
            )


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


def _row_key(row: StatementRow) -> tuple:
    """What makes rows of one file identical (see `transaction_checksum`)."""
    return row.booked_at, row.bank_reference, row.amount, " ".join(row.description.split()).upper()


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


@dataclass
class _Chunk:
    """What one chunk wrote."""

    receipts: int = 0
    pledge_ids: set[int] = field(default_factory=set)


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
        _run(imp)
    except _Superseded:
        logger.warning("statement import %s was taken over by another run", import_id)
    except Exception:
        logger.exception("statement import %s stopped midway", import_id)
        StatementImport.objects.filter(pk=import_id, attempt=imp.attempt).update(status=StatementImport.Status.FAILED)
    return StatementImport.objects.defer("content").get(pk=import_id)


def _run(imp: StatementImport) -> None:
    imp.account = ReceivingAccount.objects.select_related("campaign", "bank").get(pk=imp.account_id)
    content = statement_import_content(statement_import=imp)
    try:
        parsed = _parse(content=content, file_name=imp.file_name, account=imp.account)
        if parsed.account_number and parsed.account_number != imp.account.account_number:
            raise StatementError("wrong_account", found=parsed.account_number, expected=imp.account.account_number)
        statement_rows_check(parsed=parsed, campaign=imp.account.campaign)
    except StatementError as exc:
        # The reason is stored as a code and its parameters, worded in each reader's language when shown.
        imp.status, imp.finished_at = StatementImport.Status.REJECTED, timezone.now()
        imp.error_code, imp.error_params = exc.code, exc.params
        imp.save(update_fields=["status", "error_code", "error_params", "finished_at"])
        return
    del content

    rows, mine = parsed.rows, StatementImport.objects.filter(pk=imp.pk, attempt=imp.attempt)
    if not mine.update(
        rows_read=len(rows), layout=parsed.layout, skipped_lines=parsed.skipped_lines, heartbeat_at=timezone.now()
    ):
        raise _Superseded
    summary = _Summary.of(imp)
    # Rows of the chunks committed by an earlier run are skipped, but still numbered: identical rows
    # count their occurrences across the whole file.
    occurrences: Counter = Counter(_row_key(row) for row in rows[:imp.rows_done])
    codes = list(Campaign.objects.values_list("code", flat=True))
    for start in range(imp.rows_done, len(rows), CHUNK):
        chunk, done = rows[start:start + CHUNK], min(start + CHUNK, len(rows))
        with transaction.atomic():
            campaign = campaign_lock(campaign_id=imp.account.campaign_id)
            wrote = _import_chunk(
                imp=imp, campaign=campaign, rows=chunk, occurrences=occurrences, summary=summary, codes=codes
            )
            pledge_status_refresh(pledge_ids=list(wrote.pledge_ids))
            last = {"status": StatementImport.Status.DONE, "finished_at": timezone.now()} if done == len(rows) else {}
            if not mine.update(rows_done=done, heartbeat_at=timezone.now(), **summary.as_dict(), **last):
                raise _Superseded  # rolls the chunk back: the run that took over writes it
        _after_chunk(import_id=imp.pk, rows_done=done)
    if imp.rows_done >= len(rows):  # nothing left to write: an empty file, or stopped after its last chunk
        mine.update(status=StatementImport.Status.DONE, finished_at=timezone.now(), heartbeat_at=timezone.now())


def _import_chunk(*, imp, campaign, rows, occurrences, summary: _Summary, codes: list[str]) -> _Chunk:
    account, wrote = imp.account, _Chunk()
    keyed = []
    for row in rows:
        base = _row_key(row)
        occurrences[base] += 1
        keyed.append((transaction_checksum(account_id=account.pk, row=row, occurrence=occurrences[base]), row))
    known = set(
        BankTransaction.objects.filter(account=account, checksum__in=[c for c, _r in keyed]).values_list(
            "checksum", flat=True
        )
    )
    fresh = [(c, r) for c, r in keyed if c not in known]
    summary.duplicates += len(keyed) - len(fresh)

    found = {c: reference_candidates(r.description, campaign_codes=codes) for c, r in fresh if r.amount > 0}
    wanted = set().union(*(a | loose for a, loose in found.values())) if found else set()
    pledges = {
        p.reference: p
        for p in Pledge.objects.filter(reference__in=wanted).select_related("donor").only(
            "reference", "campaign_id", "kind", "amount", "status", "donor__kind", "donor__full_name",
            "donor__organization_name", "donor__public_display",
        )
    }

    tz = timezone.get_current_timezone()
    txns, plans = [], []
    for checksum, row in fresh:
        payer_account, payer_name = payer_from_text(row.description)
        txn = BankTransaction(
            account=account, statement_import=imp, line=row.line, amount=row.amount,
            booked_at=timezone.make_aware(row.booked_at, tz), description=row.description[:2000],
            bank_reference=row.bank_reference[:64], payer_name=payer_name[:120], payer_account=payer_account,
            checksum=checksum,
        )
        if row.amount <= 0:
            txn.status = BankTransaction.Status.DEBIT
            summary.debits += 1
        else:
            summary.credits += 1
            summary.credited_amount += row.amount
            anchored, loose = found[checksum]
            targets, txn.queue_code, refs = _match(
                campaign=campaign, amount=row.amount, anchored=anchored, loose=loose, pledges=pledges
            )
            txn.queue_references = refs[:120]
            if txn.queue_code:
                txn.status = BankTransaction.Status.QUEUED
            else:
                txn.status = BankTransaction.Status.MATCHED if targets else BankTransaction.Status.DIRECT
            plans.append((txn, targets))
        txns.append(txn)
    BankTransaction.objects.bulk_create(txns, batch_size=1000)

    receipts = []
    for txn, targets in plans:
        if txn.status == BankTransaction.Status.QUEUED:
            summary.queued += 1
        elif targets:
            summary.matched += 1
            for pledge, amount in targets:
                receipts.append(_bank_receipt(txn, amount, pledge))
                wrote.pledge_ids.add(pledge.pk)
        else:
            summary.direct += 1
            receipts.append(_bank_receipt(txn, txn.amount, None))
    ledger_entries_append(campaign=campaign, entries=receipts, recorded_by=imp.uploaded_by, validate=False)
    wrote.receipts = len(receipts)
    return wrote


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
