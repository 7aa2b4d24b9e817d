"""Bank statement import: rows become bank transactions once, credits become receipts.

The whole file is read and checked before anything is written; then every row is written in
one transaction, in chunks with bulk queries (no query per row), so a statement of hundreds of
thousands of rows imports in minutes and a bad one leaves nothing behind.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, ReceivingAccount
from ledger.models import Kind
from ledger.services import campaign_lock, ledger_entries_append

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
from ..statements import (
    MAPPING_CODES,
    ColumnMapping,
    StatementError,
    StatementRow,
    parse_statement,
)
from .receipts import pledge_status_refresh

CHUNK = 2_000
PROGRESS_KEY = "statement-import-progress-{}"


def statement_import_create(
    *, account: ReceivingAccount, file_name: str, content: bytes, uploaded_by: AbstractBaseUser
) -> StatementImport:
    """Store an uploaded statement; the import itself runs as a task after commit."""
    if not content:
        raise ValidationError({"file": [_("The file is empty.")]})
    return StatementImport.objects.create(
        account=account, file_name=file_name[:255], content=content, uploaded_by=uploaded_by
    )


def statement_import_progress(*, import_id: int) -> tuple[int, int]:
    """(rows done, rows in file) while an import runs; (0, 0) before it starts."""
    return cache.get(PROGRESS_KEY.format(import_id), (0, 0))


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


@dataclass
class _Summary:
    rows_read: int = 0
    credits: int = 0
    debits: int = 0
    matched: int = 0
    direct: int = 0
    queued: int = 0
    duplicates: int = 0
    credited_amount: int = 0
    pledge_ids: set[int] = field(default_factory=set)


def statement_import_run(*, import_id: int) -> StatementImport:
    """Import a stored statement. Safe to run twice: a finished import is left as it is."""
    imp = StatementImport.objects.select_related("account__campaign", "account__bank").get(pk=import_id)
    if imp.status in (StatementImport.Status.DONE, StatementImport.Status.REJECTED):
        return imp
    StatementImport.objects.filter(pk=imp.pk).update(status=StatementImport.Status.RUNNING)
    try:
        parsed = _parse(content=bytes(imp.content), file_name=imp.file_name, account=imp.account)
        if parsed.account_number and parsed.account_number != imp.account.account_number:
            raise StatementError("wrong_account", found=parsed.account_number, expected=imp.account.account_number)
    except StatementError as exc:
        # The reason is stored as a code and its parameters, worded in each reader's language when shown.
        imp.status, imp.finished_at = StatementImport.Status.REJECTED, timezone.now()
        imp.error_code, imp.error_params = exc.code, exc.params
        imp.save(update_fields=["status", "error_code", "error_params", "finished_at"])
        return imp

    summary = _Summary(rows_read=len(parsed.rows))
    with transaction.atomic():
        campaign = campaign_lock(campaign_id=imp.account.campaign_id)
        occurrences: Counter = Counter()
        for start in range(0, len(parsed.rows), CHUNK):
            chunk = parsed.rows[start:start + CHUNK]
            _import_chunk(imp=imp, campaign=campaign, rows=chunk, occurrences=occurrences, summary=summary)
            cache.set(PROGRESS_KEY.format(imp.pk), (start + len(chunk), len(parsed.rows)), 3600)
        pledge_status_refresh(pledge_ids=list(summary.pledge_ids))
        for name in ("rows_read", "credits", "debits", "matched", "direct", "queued", "duplicates", "credited_amount"):
            setattr(imp, name, getattr(summary, name))
        imp.layout, imp.skipped_lines = parsed.layout, parsed.skipped_lines
        imp.status, imp.finished_at = StatementImport.Status.DONE, timezone.now()
        imp.save()
    return imp


def _import_chunk(*, imp, campaign, rows, occurrences, summary: _Summary) -> None:
    account = imp.account
    keyed = []
    for row in rows:
        base = (row.booked_at, row.bank_reference, row.amount, " ".join(row.description.split()).upper())
        occurrences[base] += 1
        keyed.append((transaction_checksum(account_id=account.pk, row=row, occurrence=occurrences[base]), row))
    known = set(
        BankTransaction.objects.filter(account=account, checksum__in=[c for c, _r in keyed]).values_list(
            "checksum", flat=True
        )
    )
    fresh = [(c, r) for c, r in keyed if c not in known]
    summary.duplicates += len(keyed) - len(fresh)

    codes = list(Campaign.objects.values_list("code", flat=True))
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
                summary.pledge_ids.add(pledge.pk)
        else:
            summary.direct += 1
            receipts.append(_bank_receipt(txn, txn.amount, None))
    ledger_entries_append(campaign=campaign, entries=receipts, recorded_by=imp.uploaded_by, validate=False)


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
