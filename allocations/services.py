"""Writes of the allocations app. Every write locks the campaign first (DESIGN rule 7)."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Province, ProvinceSet
from campaigns.money import group_thousands
from ledger.models import Kind
from ledger.services import (
    ItemLine,
    campaign_lock,
    journal_append,
    ledger_entries_append,
    ledger_entry_reverse,
    ledger_input_check,
)
from ledger.signals import ledger_change_announce

from .models import (
    NEW_MAP_FROM,
    Allocation,
    Committee,
    DistributionReport,
    StaffMembership,
    StaffRole,
)
from .roles import ROLE_GROUPS
from .selectors import campaign_availability, user_province_scope


def _check_scope(*, user, province: Province) -> None:
    membership = getattr(user, "membership", None)
    if membership is not None and membership.role == StaffRole.AUDITOR:
        raise ValidationError(_("Auditors can only read."))
    scope = user_province_scope(user=user)
    if scope is not None and province.current != scope:
        raise ValidationError({"province": [_("You can only record for your own province.")]})


def _check_allocates(*, user) -> None:
    """Allocating the central pool (and disbursing or reversing an allocation) is central staff's decision."""
    membership = getattr(user, "membership", None)
    if membership is not None and membership.role == StaffRole.PROVINCIAL:
        raise ValidationError(_("Allocations are decided by central staff; provincial staff report distributions."))


@transaction.atomic
def allocation_record(
    *,
    campaign: Campaign,
    province: Province,
    decision_number: str,
    decision_date: datetime.date,
    purpose: str,
    recorded_by: AbstractBaseUser,
    amount: int | None = None,
    items: list[ItemLine] | None = None,
    status: str = Allocation.Status.PLANNED,
    disbursed_on: datetime.date | None = None,
) -> Allocation:
    """Allocate cash or goods to a province, never more than the campaign has received.

    The campaign row is locked before the available figures are read, so two staff allocating
    the last money at the same moment cannot both succeed.
    """
    _check_allocates(user=recorded_by)
    campaign = campaign_lock(campaign_id=campaign.pk)
    items = items or []
    errors = ledger_input_check(amount=amount, items=items)
    if campaign.status == Campaign.Status.DRAFT:
        errors["campaign"] = [_("A draft campaign has nothing to allocate.")]
    if province.set == ProvinceSet.Y2008 and campaign.starts_on >= NEW_MAP_FROM:
        errors["province"] = [_("Campaigns since 1 July 2025 allocate to the 34 current units.")]
    if status == Allocation.Status.DISBURSED and disbursed_on is None:
        errors["disbursed_on"] = [_("Enter the date the allocation was disbursed.")]
    if errors:
        raise ValidationError(errors)
    _check_scope(user=recorded_by, province=province)

    available = campaign_availability(campaign_id=campaign.pk)
    if amount is not None and amount > available.cash_available:
        raise ValidationError({"amount": [
            _("Only %(available)s ₫ of cash received is still unallocated.")
            % {"available": group_thousands(available.cash_available)}
        ]})
    for item in items:
        left = available.goods_available(item.category.pk)
        if item.quantity > left:
            raise ValidationError({"items": [
                _("Only %(left)s %(unit)s of %(category)s received is still unallocated.")
                % {"left": f"{left.normalize():f}", "unit": item.category.get_unit_display(), "category": item.category}
            ]})

    allocation = Allocation(
        province=province, kind=Kind.CASH if amount is not None else Kind.GOODS,
        amount=amount, decision_number=decision_number.strip(), decision_date=decision_date,
        purpose=purpose.strip(), status=status,
        disbursed_on=disbursed_on if status == Allocation.Status.DISBURSED else None,
    )
    ledger_entries_append(campaign=campaign, entries=[allocation], recorded_by=recorded_by, lines=[items])
    return allocation


@transaction.atomic
def allocation_reverse(*, allocation: Allocation, reason: str, recorded_by: AbstractBaseUser) -> Allocation:
    """Cancel an allocation by an entry of opposite sign pointing at it; the original stays."""
    _check_allocates(user=recorded_by)
    return ledger_entry_reverse(
        entry=allocation, reason=reason, recorded_by=recorded_by,
        check=lambda original: _check_scope(user=recorded_by, province=original.province),
    )


def allocation_disbursement_refusal(*, allocation: Allocation) -> str | None:
    """Why this allocation cannot be marked disbursed, or None: the rule the service and the admin share."""
    if allocation.status == Allocation.Status.DISBURSED:
        return _("This allocation is already disbursed.")
    reversed_already = getattr(allocation, "is_reversed", None)
    if reversed_already is None:
        reversed_already = Allocation.objects.filter(reverses=allocation).exists()
    if allocation.is_reversal or reversed_already:
        return _("A reversed allocation cannot be disbursed.")
    return None


@transaction.atomic
def allocation_mark_disbursed(*, allocation: Allocation, disbursed_on: datetime.date, user: AbstractBaseUser) -> Allocation:
    """The one change an allocation allows: planned → disbursed, with the date (journalled)."""
    _check_allocates(user=user)
    campaign = campaign_lock(campaign_id=allocation.campaign_id)
    allocation = Allocation.objects.select_for_update(of=("self",)).select_related("province__successor").get(pk=allocation.pk)
    _check_scope(user=user, province=allocation.province)
    refusal = allocation_disbursement_refusal(allocation=allocation)
    if refusal:
        raise ValidationError({"status": [refusal]})
    if disbursed_on < allocation.decision_date or disbursed_on > timezone.localdate():
        raise ValidationError({"disbursed_on": [
            _("The disbursement date must be between the decision date (%(decided)s) and today.")
            % {"decided": allocation.decision_date.strftime("%d/%m/%Y")}
        ]})
    allocation.status, allocation.disbursed_on = Allocation.Status.DISBURSED, disbursed_on
    allocation._history_user = user
    allocation.save(update_fields=["status", "disbursed_on"])
    journal_append(campaign=campaign, events=[allocation.disbursement_event()])
    ledger_change_announce(sender=Allocation, campaign_id=allocation.campaign_id)
    return allocation


@transaction.atomic
def distribution_report_record(
    *,
    allocation: Allocation,
    distributed_on: datetime.date,
    commune: str,
    households: int,
    people: int,
    reported_by: AbstractBaseUser,
    amount: int | None = None,
    goods: str = "",
    note: str = "",
) -> DistributionReport:
    """A provincial committee's account of what reached whom from one allocation.

    Cash reported as handed out never exceeds what the allocation sent.
    """
    campaign_lock(campaign_id=allocation.campaign_id)
    allocation = Allocation.objects.select_related("province__successor").get(pk=allocation.pk)
    _check_scope(user=reported_by, province=allocation.province)
    distribution_report_check(allocation=allocation, amount=amount)
    report = DistributionReport(
        allocation=allocation, distributed_on=distributed_on, commune=commune.strip(), households=households,
        people=people, amount=amount, goods=goods.strip(), note=note.strip(), reported_by=reported_by,
    )
    report.full_clean()
    report._history_user = reported_by
    report.save()
    ledger_change_announce(sender=DistributionReport, campaign_id=allocation.campaign_id)
    return report


def distribution_report_check(*, allocation: Allocation, amount: int | None, report: DistributionReport | None = None) -> None:
    """Refuse a report on a reversal or a reversed allocation, or one that would hand out more cash
    than the allocation sent (counting the other reports of it). Raises ValidationError."""
    if allocation.is_reversal:
        raise ValidationError({"allocation": [_("Report against the allocation, not its reversal.")]})
    if Allocation.objects.filter(reverses=allocation).exists():
        raise ValidationError({"allocation": [_("This allocation was reversed; nothing can be reported against it.")]})
    if amount is None:
        return
    if allocation.amount is None:
        raise ValidationError({"amount": [_("This allocation sent goods, not cash.")]})
    others = allocation.reports.exclude(pk=report.pk) if report is not None and report.pk else allocation.reports.all()
    reported = others.aggregate(total=Sum("amount"))["total"] or 0
    if reported + amount > allocation.amount:
        raise ValidationError({"amount": [
            _("Only %(left)s ₫ of this allocation is not yet reported.")
            % {"left": group_thousands(allocation.amount - reported)}
        ]})


REPORT_FIELDS = ("distributed_on", "commune", "households", "people", "amount", "goods", "note")


@transaction.atomic
def distribution_report_update(
    *, report: DistributionReport, data: dict, changed_by: AbstractBaseUser
) -> DistributionReport:
    """Correct a report with `data` (any of its fields), checked like a new one under the campaign lock
    and kept in its history with who changed it."""
    unknown = set(data) - set(REPORT_FIELDS)
    if unknown:
        raise ValidationError(_("These fields of a report cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    campaign_lock(campaign_id=report.allocation.campaign_id)
    report = DistributionReport.objects.select_for_update().get(pk=report.pk)
    allocation = Allocation.objects.select_related("province__successor").get(pk=report.allocation_id)
    _check_scope(user=changed_by, province=allocation.province)
    for name, value in data.items():
        setattr(report, name, value.strip() if isinstance(value, str) else value)
    distribution_report_check(allocation=allocation, amount=report.amount, report=report)
    report.full_clean()
    report._history_user = changed_by
    report.save()
    ledger_change_announce(sender=DistributionReport, campaign_id=allocation.campaign_id)
    return report


@transaction.atomic
def staff_create(*, username: str, password: str, role: str, province_code: str = "") -> AbstractBaseUser:
    """A staff user in the committee and group of their role (provincial staff: of a 2025 province)."""
    User = get_user_model()
    if role not in StaffRole.values:
        raise ValidationError({"role": [_("Choose central, provincial or auditor.")]})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("This username is taken.")]})
    if role == StaffRole.PROVINCIAL:
        committee = Committee.objects.filter(level="provincial", province__code=province_code).first()
        if committee is None:
            raise ValidationError({"province": [_("Give the code of a province of the 2025 map.")]})
    else:
        if province_code:
            raise ValidationError({"province": [_("Only provincial staff belong to a province.")]})
        committee = Committee.objects.get(level="central")
    user = User(username=username, is_staff=True)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    StaffMembership.objects.create(user=user, committee=committee, role=role)
    return user
