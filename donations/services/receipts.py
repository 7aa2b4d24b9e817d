"""Writes of the receipts ledger: record, reverse, and keep pledge status in step."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, DropOffPoint
from ledger.models import Kind
from ledger.services import (
    ItemLine,
    campaign_lock,
    ledger_entries_append,
    ledger_entry_reverse,
    ledger_input_check,
)

from ..models import ANONYMOUS_NAME, Donor, Pledge, PledgeItem, Receipt, ReceiptItem
from ..selectors import staff_province_scope


def _public_name(*, pledge: Pledge | None, donor: Donor | None, fallback: str) -> str:
    if pledge is not None:
        return pledge.donor.public_name
    if donor is not None:
        return donor.public_name
    return fallback or ANONYMOUS_NAME


def _point_errors(*, campaign: Campaign, point: DropOffPoint | None, user: AbstractBaseUser) -> dict[str, list]:
    """Where a receipt was received: a point of its campaign; for provincial staff, one of their province."""
    scope = staff_province_scope(user=user)
    if point is None:
        if scope is None:
            return {}
        return {"point": [_("Choose the drop-off point or cash desk of your province that received it.")]}
    if point.campaign_id != campaign.pk:
        return {"point": [_("This drop-off point belongs to another campaign.")]}
    if scope is not None and point.province.current != scope:
        return {"point": [_("You can only record what a point of your own province received.")]}
    return {}


@transaction.atomic
def receipt_record(
    *,
    campaign: Campaign,
    channel: str,
    recorded_by: AbstractBaseUser,
    amount: int | None = None,
    items: list[ItemLine] | None = None,
    pledge: Pledge | None = None,
    donor: Donor | None = None,
    public_name: str = "",
    received_at: datetime.datetime | None = None,
    note: str = "",
    point: DropOffPoint | None = None,
) -> Receipt:
    """Record cash or goods handed in (cash desk, goods drop-off) or a settled transfer.

    Cash when `amount` is given, goods when `items` are. Raises ValidationError and writes
    nothing when the input is wrong. `point` is where it was received; provincial staff must give one
    of their province.
    """
    campaign = campaign_lock(campaign_id=campaign.pk)
    if pledge is not None:  # as it is now, under the campaign lock (it may have been cancelled meanwhile)
        pledge = Pledge.objects.select_related("donor").get(pk=pledge.pk)
    items = items or []
    received_at = received_at or timezone.now()
    errors = {
        **_point_errors(campaign=campaign, point=point, user=recorded_by),
        **ledger_input_check(amount=amount, items=items, campaign=campaign, at=received_at),
    }
    if pledge is not None:
        if pledge.campaign_id != campaign.pk:
            errors["pledge"] = [_("This pledge belongs to another campaign.")]
        elif pledge.status == Pledge.Status.CANCELLED:
            errors["pledge"] = [_("This pledge was cancelled.")]
        elif (pledge.kind == Kind.CASH) != (amount is not None):
            errors["pledge"] = [_("The pledge was for %(kind)s.") % {"kind": pledge.get_kind_display()}]
    if errors:
        raise ValidationError(errors)

    receipt = Receipt(
        kind=Kind.CASH if amount is not None else Kind.GOODS,
        amount=amount,
        channel=channel,
        pledge=pledge,
        donor=donor if pledge is None else pledge.donor,
        public_name=_public_name(pledge=pledge, donor=donor, fallback=public_name),
        point=point,
        received_at=received_at,
        note=note,
    )
    ledger_entries_append(campaign=campaign, entries=[receipt], recorded_by=recorded_by, lines=[items])
    if pledge is not None:
        pledge_status_refresh(pledge_ids=[pledge.pk])
    return receipt


def _reversal_scope_check(*, original: Receipt, user: AbstractBaseUser) -> None:
    """Provincial staff reverse only what a point of their own province received."""
    scope = staff_province_scope(user=user)
    if scope is not None and (original.point is None or original.point.province.current != scope):
        raise ValidationError({"reverses": [_("You can only reverse what a point of your own province received.")]})


@transaction.atomic
def receipt_reverse(*, receipt: Receipt, reason: str, recorded_by: AbstractBaseUser) -> Receipt:
    """Cancel a receipt by an entry of opposite sign that points at it (the original stays)."""
    reversal = ledger_entry_reverse(
        entry=receipt, reason=reason, recorded_by=recorded_by,
        check=lambda original: _reversal_scope_check(original=original, user=recorded_by),
    )
    if reversal.pledge_id:
        pledge_status_refresh(pledge_ids=[reversal.pledge_id])
    return reversal


def pledge_status_refresh(*, pledge_ids: list[int]) -> None:
    """Set each pledge's status from the receipts that settle it, by SQL aggregates.

    Cash: received when the receipts cover the amount (an overpayment stays received), partly
    received when less. Goods: received when every pledged category is covered.
    """
    # Each pledge with the cash its receipts brought, summed pledge by pledge in the receipts' pledge
    # index (one query). Joined and grouped instead, the planner would read every receipt of every
    # campaign for each chunk of a statement import.
    cash = (
        Receipt.objects.filter(pledge=OuterRef("pk"), kind=Kind.CASH).order_by().values("pledge")
        .annotate(total=Sum("amount")).values("total")
    )
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        # A thousand small sums are estimated as one costly query, which PostgreSQL would first compile
        # (JIT: tens of milliseconds to save none). Off until this transaction ends.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
    pledges = list(
        Pledge.objects.filter(pk__any_of=pledge_ids).exclude(status=Pledge.Status.CANCELLED)
        .annotate(cash_in=Subquery(cash)).values_list("pk", "kind", "amount", "status", "cash_in")
    )
    cash_in = {pk: got for pk, kind, _amount, _status, got in pledges if kind == Kind.CASH}
    goods_ids = [pk for pk, kind, _amount, _status, _got in pledges if kind != Kind.CASH]
    goods_in = {
        (row["receipt__pledge_id"], row["category_id"]): row["total"]
        for row in ReceiptItem.objects.filter(receipt__pledge_id__in=goods_ids)
        .values("receipt__pledge_id", "category_id").annotate(total=Sum("quantity"))
    } if goods_ids else {}
    goods_pledged: dict[int, dict[int, Decimal]] = {}
    for row in (
        PledgeItem.objects.filter(pledge_id__in=goods_ids)
        .values("pledge_id", "category_id").annotate(total=Sum("quantity"))
    ) if goods_ids else ():
        goods_pledged.setdefault(row["pledge_id"], {})[row["category_id"]] = row["total"]

    goods_some = {pid for (pid, _cat), total in goods_in.items() if total > 0}
    by_status: dict[str, list[int]] = {}
    for pk, kind, amount, current, _got in pledges:
        if kind == Kind.CASH:
            got = cash_in.get(pk) or 0
            covered, some = got >= amount, got > 0
        else:
            wanted = goods_pledged.get(pk, {})
            got_by_cat = {cat: goods_in.get((pk, cat)) or 0 for cat in wanted}
            covered = bool(wanted) and all(got_by_cat[c] >= q for c, q in wanted.items())
            some = pk in goods_some
        status = Pledge.Status.RECEIVED if covered else Pledge.Status.PARTLY_RECEIVED if some else Pledge.Status.PLEDGED
        if status != current:
            by_status.setdefault(status, []).append(pk)
    # One UPDATE per status (in slices that fit any database's parameter limit), not one per pledge.
    now = timezone.now()
    for status, ids in by_status.items():
        for start in range(0, len(ids), 5_000):
            Pledge.objects.filter(pk__any_of=ids[start:start + 5_000]).update(status=status, updated_at=now)
