"""Handovers at distribution points: within the person's entitlement, and — for cash — within what the
province was allocated by the campaign, under the campaign lock like every ledger write."""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.money import group_thousands, quantity
from ledger.models import Kind
from ledger.services import (
    ItemLine,
    campaign_lock,
    ledger_entries_append,
    ledger_entry_reverse,
    ledger_input_check,
)

from ..models import DistributionPoint, Enrollment, Handover, NeedRegistration
from ..scope import ward_scope_check
from ..selectors import enrollment_received, province_cash_left

RECORD = "assistance.add_handover"


def _entitlement_errors(*, enrollment: Enrollment, amount: int | None, items: Sequence[ItemLine]) -> dict:
    programme = enrollment.programme
    received = enrollment_received(enrollment=enrollment)
    errors: dict[str, list[str]] = {}
    if amount is not None:
        if programme.cash_per_person is None:
            errors["amount"] = [_("This programme gives no cash.")]
        elif received.cash + amount > programme.cash_per_person:
            errors["amount"] = [_(
                "This person is entitled to %(entitled)s ₫ and has already received %(received)s ₫: "
                "at most %(left)s ₫ more."
            ) % {
                "entitled": group_thousands(programme.cash_per_person), "received": group_thousands(received.cash),
                "left": group_thousands(max(programme.cash_per_person - received.cash, 0)),
            }]
    entitled = {line.category_id: line.quantity for line in programme.goods.all()}
    for line in items:
        if line.category.pk not in entitled:
            errors.setdefault("items", []).append(
                _("This programme gives no %(category)s.") % {"category": line.category})
            continue
        got = received.goods.get(line.category.pk, Decimal(0))
        if got + line.quantity > entitled[line.category.pk]:
            errors.setdefault("items", []).append(_(
                "This person is entitled to %(entitled)s %(unit)s of %(category)s and has already received "
                "%(received)s: at most %(left)s more."
            ) % {
                "entitled": quantity(entitled[line.category.pk]), "unit": line.category.get_unit_display(),
                "category": line.category, "received": quantity(got),
                "left": quantity(max(entitled[line.category.pk] - got, Decimal(0))),
            })
    return errors


@transaction.atomic
def handover_record(
    *,
    enrollment: Enrollment,
    point: DistributionPoint,
    recorded_by: AbstractBaseUser,
    amount: int | None = None,
    items: Sequence[ItemLine] = (),
    handed_at: datetime.datetime | None = None,
) -> list[Handover]:
    """Hand a person cash and/or goods at a point: one ledger entry for the cash, one for the goods.

    Refused (ValidationError, nothing saved) beyond what the person is entitled to, beyond what the
    province was allocated in cash, outside the staff member's ward or province, or at a point of
    another programme or province.
    """
    items = [line for line in items if line.quantity]
    if amount is None and not items:
        raise ValidationError({"amount": [_("Enter the cash or the goods handed over.")]})
    # Cash and goods become two entries of the ledger: each is checked as one.
    errors = {
        **(ledger_input_check(amount=None, items=items) if items else {}),
        **(ledger_input_check(amount=amount, items=[]) if amount is not None else {}),
    }
    if errors:
        raise ValidationError(errors)
    campaign = campaign_lock(campaign_id=enrollment.programme.campaign_id)
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related(
        "programme", "ward__province", "beneficiary").get(pk=enrollment.pk)
    point = DistributionPoint.objects.select_related("ward__province").get(pk=point.pk)
    ward_scope_check(user=recorded_by, ward=point.ward, permission=RECORD)
    if point.programme_id != enrollment.programme_id:
        raise ValidationError({"point": [_("This distribution point belongs to another programme.")]})
    province = enrollment.ward.province
    if point.ward.province_id != province.pk:
        raise ValidationError({"point": [_("This person is served in %(province)s, not at this point.") % {
            "province": province.name}]})
    errors = _entitlement_errors(enrollment=enrollment, amount=amount, items=items)
    if amount is not None and "amount" not in errors:
        left = province_cash_left(campaign_id=campaign.pk, province=province)
        if amount > left:
            errors["amount"] = [_(
                "Only %(left)s ₫ of what %(province)s was allocated is left to hand out."
            ) % {"left": group_thousands(max(left, 0)), "province": province.name}]
    if errors:
        raise ValidationError(errors)

    handed_at = handed_at or timezone.now()
    # The entry carries the person's ward (the reports count people where they live); the point its own.
    common = {"enrollment": enrollment, "province": province, "ward": enrollment.ward, "point": point,
              "handed_at": handed_at}
    entries, lines = [], []
    if amount is not None:
        entries.append(Handover(kind=Kind.CASH, amount=amount, **common))
        lines.append([])
    if items:
        entries.append(Handover(kind=Kind.GOODS, amount=None, **common))
        lines.append(list(items))
    ledger_entries_append(campaign=campaign, entries=entries, recorded_by=recorded_by, lines=lines)
    enrollment_served_refresh(enrollment=enrollment, user=recorded_by, moment=handed_at)
    return entries


@transaction.atomic
def handover_reverse(*, handover: Handover, reason: str, recorded_by: AbstractBaseUser) -> Handover:
    """Correct a handover recorded by mistake: an entry of opposite sign; the person is owed it again."""
    reversal = ledger_entry_reverse(
        entry=handover, reason=reason, recorded_by=recorded_by,
        check=lambda original: ward_scope_check(user=recorded_by, ward=original.point.ward, permission=RECORD),
    )
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("programme").get(
        pk=handover.enrollment_id)
    enrollment_served_refresh(enrollment=enrollment, user=recorded_by, moment=timezone.now())
    return reversal


def enrollment_served_refresh(*, enrollment: Enrollment, user, moment: datetime.datetime) -> None:
    """Served when the whole entitlement has been handed over; back to verified after a reversal."""
    programme = enrollment.programme
    received = enrollment_received(enrollment=enrollment)
    complete = (programme.cash_per_person is None or received.cash >= programme.cash_per_person) and all(
        received.goods.get(line.category_id, Decimal(0)) >= line.quantity for line in programme.goods.all()
    )
    if complete == (enrollment.served_at is not None):
        return
    enrollment.served_at = moment if complete else None
    enrollment._history_user = user
    enrollment.save(update_fields=["served_at"])
    if enrollment.registration_id:
        registration = NeedRegistration.objects.select_for_update().get(pk=enrollment.registration_id)
        registration.status = NeedRegistration.Status.SERVED if complete else NeedRegistration.Status.VERIFIED
        registration._history_user = user
        registration.save(update_fields=["status"])

