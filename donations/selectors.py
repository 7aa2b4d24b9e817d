"""Reads of the donations app. Public selectors never load donor contact data."""

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.module_loading import import_string

from campaigns.models import Campaign, DropOffPoint, Province, ReceivingAccount

from .models import Pledge, Receipt
from .vietqr import vietqr_payload

PUBLIC_DONOR_FIELDS = ("donor__kind", "donor__full_name", "donor__organization_name", "donor__public_display")


def pledge_get_public(*, reference: str) -> Pledge | None:
    """The pledge with this reference, with only the donor fields needed for the public name."""
    reference = (reference or "").strip().upper().replace(" ", "")
    if not reference:
        return None
    return (
        Pledge.objects.select_related("campaign", "donor")
        .only(
            "reference", "transfer_content", "kind", "amount", "status", "created_at", "message", "source",
            "cancelled_at", "campaign__slug", "campaign__name", "campaign__code", "campaign__status", *PUBLIC_DONOR_FIELDS,
        )
        .prefetch_related("items__category")
        .filter(reference=reference)
        .first()
    )


def pledge_donor_province(*, pledge: Pledge) -> Province | None:
    """Only the province of the donor (to list nearby drop-off points), never their contact data."""
    return Province.objects.filter(donor__pledges__pk=pledge.pk).first()


def pledge_cash_received(*, pledge: Pledge) -> int:
    """Cash received against a pledge so far, reversals included."""
    return Receipt.objects.filter(pledge=pledge).aggregate(total=Sum("amount"))["total"] or 0


def pledge_receiving_account(*, pledge: Pledge) -> ReceivingAccount | None:
    return ReceivingAccount.objects.select_related("bank").filter(campaign_id=pledge.campaign_id).first()


def dropoff_points_for(*, campaign_id: int, province: Province | None = None) -> QuerySet[DropOffPoint]:
    """A campaign's drop-off points, those in (or rolling up to) the given province first."""
    qs = DropOffPoint.objects.filter(campaign_id=campaign_id).select_related("province").prefetch_related("categories")
    if province is None:
        return qs
    current = province.current
    return qs.annotate(
        nearby=Case(
            When(province=current, then=Value(0)),
            When(province__successor=current, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("nearby", "province__name", "name")


def pledge_vietqr(*, pledge: Pledge, account: ReceivingAccount) -> str:
    """The VietQR payload a banking app scans to prefill bank, account, amount and content."""
    return vietqr_payload(
        bank_bin=account.bank.bin,
        account_number=account.account_number,
        amount=pledge.amount,
        purpose=pledge.transfer_content,
    )


def staff_province_scope(*, user) -> Province | None:
    """The 2025 province a provincial staff member records for; None for everyone else.

    Committees and staff roles belong to a later app (allocations), which this one never imports:
    the setting STAFF_PROVINCE_SCOPE names the function that answers.
    """
    if not user.is_authenticated:
        return None
    return import_string(settings.STAFF_PROVINCE_SCOPE)(user=user)


def _in_province(province: Province, *, prefix: str) -> Q:
    """A 2025 unit, or a 2008 unit that rolls up to it."""
    return Q(**{prefix: province}) | Q(**{f"{prefix}__successor": province})


def receipt_list_for(*, user) -> QuerySet[Receipt]:
    """The receipts a staff member sees: all of them, or for provincial staff those received at a
    point of their province."""
    scope = staff_province_scope(user=user)
    qs = Receipt.objects.all()
    return qs if scope is None else qs.filter(_in_province(scope, prefix="point__province"))


def desk_points_for(*, province_scope: Province | None) -> QuerySet[DropOffPoint]:
    """The points of active campaigns a receipt can be recorded at: all, or those of one province."""
    qs = DropOffPoint.objects.filter(campaign__status=Campaign.Status.ACTIVE).select_related("province", "campaign")
    if province_scope is not None:
        qs = qs.filter(_in_province(province_scope, prefix="province"))
    return qs.order_by("campaign__code", "province__name", "name")
