"""Reads of the allocations app: what is still available, and whose province a user may touch."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from campaigns.models import Campaign, ItemCategory, Province
from donations.models import Receipt, ReceiptItem

from .models import Allocation, AllocationItem, StaffRole


@dataclass(frozen=True)
class Availability:
    cash_received: int
    cash_allocated: int
    goods_received: dict[int, Decimal] = field(default_factory=dict)
    goods_allocated: dict[int, Decimal] = field(default_factory=dict)

    @property
    def cash_available(self) -> int:
        return self.cash_received - self.cash_allocated

    def goods_available(self, category_id: int) -> Decimal:
        return self.goods_received.get(category_id, Decimal(0)) - self.goods_allocated.get(category_id, Decimal(0))


def campaign_availability(*, campaign_id: int) -> Availability:
    """Received minus allocated (planned and disbursed, reversals included), by SQL aggregates."""

    def by_category(qs) -> dict[int, Decimal]:
        return dict(qs.values("category_id").annotate(total=Sum("quantity")).values_list("category_id", "total"))

    return Availability(
        cash_received=Receipt.objects.filter(campaign_id=campaign_id).aggregate(s=Sum("amount"))["s"] or 0,
        cash_allocated=Allocation.objects.filter(campaign_id=campaign_id).aggregate(s=Sum("amount"))["s"] or 0,
        goods_received=by_category(ReceiptItem.objects.filter(receipt__campaign_id=campaign_id)),
        goods_allocated=by_category(AllocationItem.objects.filter(allocation__campaign_id=campaign_id)),
    )


def user_province_scope(*, user) -> Province | None:
    """The 2025 province a provincial staff member is limited to; None for everyone else."""
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    if membership is None or membership.role != StaffRole.PROVINCIAL:
        return None
    return membership.committee.province


def province_q(*, province: Province, prefix: str = "province") -> Q:
    """Matches a 2025 unit and every 2008 unit that rolls up to it."""
    return Q(**{prefix: province}) | Q(**{f"{prefix}__successor": province})


def allocation_list_for(*, user) -> QuerySet[Allocation]:
    qs = Allocation.objects.select_related("campaign", "province", "province__successor", "recorded_by")
    scope = user_province_scope(user=user)
    return qs if scope is None else qs.filter(province_q(province=scope))


def allocation_list_reportable(*, user) -> QuerySet[Allocation]:
    """Allocations a user may report against: in their scope, neither a reversal nor reversed."""
    return (
        allocation_list_for(user=user)
        .filter(reverses__isnull=True)
        .exclude(Exists(Allocation.objects.filter(reverses=OuterRef("pk"))))
    )


def campaign_list_allocatable() -> QuerySet[Campaign]:
    """Campaigns staff allocate from: the active ones."""
    return Campaign.objects.active().order_by("-starts_on", "name")


def campaign_availability_rows(*, campaigns) -> list[dict]:
    """What each campaign still has to allocate: cash, and goods per category (from `campaign_availability`)."""
    categories = ItemCategory.objects.in_bulk()
    rows = []
    for campaign in campaigns:
        figures = campaign_availability(campaign_id=campaign.pk)
        category_ids = set(figures.goods_received) | set(figures.goods_allocated)
        goods = [
            {
                "category": categories[pk],
                "received": figures.goods_received.get(pk, 0),
                "available": figures.goods_available(pk),
            }
            for pk in sorted(category_ids, key=lambda pk: (categories[pk].position, categories[pk].slug))
        ]
        rows.append({
            "campaign": campaign,
            "cash_received": figures.cash_received,
            "cash_allocated": figures.cash_allocated,
            "cash_available": figures.cash_available,
            "goods": goods,
        })
    return rows


def province_list_choosable(*, user) -> QuerySet[Province]:
    """Provinces a user may choose: provincial staff their 2025 unit and its 2008 predecessors."""
    qs = Province.objects.select_related("successor").order_by("-set", "name")
    scope = user_province_scope(user=user)
    return qs if scope is None else qs.filter(Q(pk=scope.pk) | Q(successor=scope))
