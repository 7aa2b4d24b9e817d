"""The bank queue: staff decisions on credits the statement import could not settle."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from campaigns.money import vnd
from ledger.models import AMOUNT_OUT_OF_RANGE, MAX_CASH_AMOUNT, Kind
from ledger.services import campaign_lock, ledger_entries_append

from ..models import BankTransaction, BankTransactionDecision, Pledge, Receipt
from .receipts import pledge_status_refresh, receipt_reverse
from .statements import _bank_receipt

# One transfer paying more pledges than this is a list to reconcile by hand, not a queue decision.
MAX_SHARES = 50


@dataclass(frozen=True)
class PledgeShare:
    """The part of a transfer that settles one pledge. `amount` None: the whole transfer (one share only)."""

    reference: str
    amount: int | None = None


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
    """Settle a queued credit against the pledge with this reference (of the account's campaign)."""
    (receipt,) = bank_transaction_assign_shares(
        txn=txn, shares=[PledgeShare(reference=reference)], decided_by=decided_by, note=note
    )
    return receipt


@transaction.atomic
def bank_transaction_assign_shares(
    *, txn: BankTransaction, shares: Sequence[PledgeShare], decided_by: AbstractBaseUser, note: str = ""
) -> list[Receipt]:
    """Settle a queued credit against one pledge, or several that it pays at once (a company paying
    three pledges): each share becomes a receipt of its pledge, and the amounts must add up exactly
    to the transfer. Nothing is written when a share is wrong.

    A credit first taken as a direct gift can be assigned too: its direct receipt is reversed.
    One campaign lock, one decision logged, one ledger change announced.
    Errors name the field they concern (`reference`, `amount`: with the share's index as `row` in
    their params; `shares`: the whole split).
    """
    campaign, txn = _queued_locked(txn, also=(BankTransaction.Status.DIRECT,))
    plan = _shares_checked(campaign=campaign, txn=txn, shares=shares)
    pledges = [pledge for pledge, _amount in plan]
    if txn.status == BankTransaction.Status.DIRECT:
        reason = (
            _("Assigned to pledge %(ref)s") % {"ref": pledges[0].reference} if len(pledges) == 1
            else _("Assigned to pledges %(refs)s") % {"refs": ", ".join(p.reference for p in pledges)}
        )
        for direct in Receipt.objects.filter(bank_transaction=txn, reverses__isnull=True, reversed_by__isnull=True):
            receipt_reverse(receipt=direct, reason=reason, recorded_by=decided_by)
    receipts = [_bank_receipt(txn, amount, pledge) for pledge, amount in plan]
    ledger_entries_append(campaign=campaign, entries=receipts, recorded_by=decided_by)
    txn.status = BankTransaction.Status.MATCHED
    txn.save(update_fields=["status"])
    BankTransactionDecision.objects.create(
        transaction=txn, decision=BankTransactionDecision.Decision.ASSIGN,
        pledge=pledges[0] if len(pledges) == 1 else None, note=note, decided_by=decided_by,
    )
    pledge_status_refresh(pledge_ids=[p.pk for p in pledges])
    return receipts


def _shares_checked(
    *, campaign: Campaign, txn: BankTransaction, shares: Sequence[PledgeShare]
) -> list[tuple[Pledge, int]]:
    """(pledge, amount) for each share, or a ValidationError with every problem found."""
    if not shares:
        raise ValidationError({"reference": [_("Enter a pledge reference.")]})
    if len(shares) > MAX_SHARES:
        raise ValidationError(
            {"shares": [_("One transfer can be split between at most %(max)d pledges.") % {"max": MAX_SHARES}]}
        )
    references = ["".join((share.reference or "").split()).upper() for share in shares]
    found = {
        p.reference: p
        for p in Pledge.objects.select_related("donor").filter(reference__in=[r for r in references if r])
    }
    several = len(shares) > 1
    errors: dict[str, list[ValidationError]] = {}

    def refuse(field: str, row: int, message: str, code: str) -> None:
        errors.setdefault(field, []).append(
            ValidationError(message, code=code, params={"row": row, "reference": references[row]})
        )

    plan = []
    for row, (reference, share) in enumerate(zip(references, shares)):
        pledge = found.get(reference)
        if not reference:
            refuse("reference", row, _("Enter a pledge reference."), "required")
        elif reference in references[:row]:
            refuse("reference", row, _("This pledge is listed twice."), "duplicate")
        elif pledge is None:
            refuse("reference", row, _("No pledge has this reference."), "unknown_reference")
        elif pledge.campaign_id != campaign.pk:
            refuse("reference", row, _("This pledge belongs to another campaign."), "other_campaign")
        elif pledge.kind != Kind.CASH or pledge.status == Pledge.Status.CANCELLED:
            refuse("reference", row, _("Only an open cash pledge can be settled by a transfer."), "not_open_cash")
        amount = txn.amount if share.amount is None and not several else share.amount
        if amount is None:
            refuse("amount", row, _("Enter the amount of this pledge's share."), "required")
        elif not 0 < amount <= MAX_CASH_AMOUNT:
            refuse("amount", row, AMOUNT_OUT_OF_RANGE, "amount_range")
        plan.append((pledge, amount))
    if errors:
        raise ValidationError(errors)
    total = sum(amount for _pledge, amount in plan)
    if total != txn.amount:
        raise ValidationError({"shares": [ValidationError(
            _("The amounts add up to %(total)s but the transfer is %(amount)s: they must be equal."),
            code="sum", params={"total": vnd(total), "amount": vnd(txn.amount)},
        )]})
    return plan


@transaction.atomic
def bank_transaction_confirm_direct(*, txn: BankTransaction, decided_by: AbstractBaseUser, note: str = "") -> Receipt:
    """Accept a queued credit as a gift without pledge."""
    campaign, txn = _queued_locked(txn)
    receipt = _bank_receipt(txn, txn.amount, None)
    ledger_entries_append(campaign=campaign, entries=[receipt], recorded_by=decided_by)
    txn.status = BankTransaction.Status.DIRECT
    txn.save(update_fields=["status"])
    BankTransactionDecision.objects.create(
        transaction=txn, decision=BankTransactionDecision.Decision.DIRECT, note=note, decided_by=decided_by
    )
    return receipt


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
