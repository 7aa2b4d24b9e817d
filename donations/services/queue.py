"""The bank queue: staff decisions on credits the statement import could not settle."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from ledger.models import Kind
from ledger.services import campaign_lock, ledger_entries_append

from ..models import BankTransaction, BankTransactionDecision, Pledge, Receipt
from .receipts import pledge_status_refresh, receipt_reverse
from .statements import _bank_receipt


def _queued_locked(txn: BankTransaction, *, also: tuple[str, ...] = ()) -> tuple[Campaign, BankTransaction]:
    campaign = campaign_lock(campaign_id=txn.account.campaign_id)
    locked = BankTransaction.objects.select_for_update().select_related("account").get(pk=txn.pk)
    if locked.status not in (BankTransaction.Status.QUEUED, *also):
        raise ValidationError(_("This transaction has already been decided."))
    return campaign, locked


@transaction.atomic
def bank_transaction_assign(
    *, txn: BankTransaction, reference: str, decided_by: AbstractBaseUser, note: str = ""
) -> Receipt:
    """Settle a queued credit against the pledge with this reference (of the account's campaign).

    A credit first taken as a direct gift can be assigned too: its direct receipt is reversed.
    """
    campaign, txn = _queued_locked(txn, also=(BankTransaction.Status.DIRECT,))
    pledge = Pledge.objects.select_related("donor").filter(reference=reference.strip().upper()).first()
    if pledge is None:
        raise ValidationError({"reference": [_("No pledge has this reference.")]})
    if pledge.campaign_id != campaign.pk:
        raise ValidationError({"reference": [_("This pledge belongs to another campaign.")]})
    if pledge.kind != Kind.CASH or pledge.status == Pledge.Status.CANCELLED:
        raise ValidationError({"reference": [_("Only an open cash pledge can be settled by a transfer.")]})
    if txn.status == BankTransaction.Status.DIRECT:
        for direct in Receipt.objects.filter(bank_transaction=txn, reverses__isnull=True, reversed_by__isnull=True):
            receipt_reverse(receipt=direct, reason=_("Assigned to pledge %(ref)s") % {"ref": pledge.reference},
                            recorded_by=decided_by)
    receipt = _decide(campaign, txn, BankTransaction.Status.MATCHED, BankTransactionDecision.Decision.ASSIGN,
                      decided_by, note, pledge)
    pledge_status_refresh(pledge_ids=[pledge.pk])
    return receipt


@transaction.atomic
def bank_transaction_confirm_direct(*, txn: BankTransaction, decided_by: AbstractBaseUser, note: str = "") -> Receipt:
    """Accept a queued credit as a gift without pledge."""
    campaign, txn = _queued_locked(txn)
    return _decide(campaign, txn, BankTransaction.Status.DIRECT, BankTransactionDecision.Decision.DIRECT,
                   decided_by, note, None)


@transaction.atomic
def bank_transaction_mark_not_donation(
    *, txn: BankTransaction, decided_by: AbstractBaseUser, note: str = ""
) -> None:
    """A credit that is not a gift (a refund, interest, a bank correction): kept, never counted."""
    _campaign, txn = _queued_locked(txn)
    txn.status = BankTransaction.Status.NOT_DONATION
    txn.save(update_fields=["status"])
    BankTransactionDecision.objects.create(
        transaction=txn, decision=BankTransactionDecision.Decision.NOT_DONATION, note=note, decided_by=decided_by
    )


def _decide(campaign, txn, status, decision, user, note, pledge) -> Receipt:
    receipt = _bank_receipt(txn, txn.amount, pledge)
    ledger_entries_append(campaign=campaign, entries=[receipt], recorded_by=user)
    txn.status = status
    txn.save(update_fields=["status"])
    BankTransactionDecision.objects.create(transaction=txn, decision=decision, pledge=pledge, note=note, decided_by=user)
    return receipt
