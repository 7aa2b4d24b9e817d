"""Reads of the base app."""

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from .models import (
    Campaign,
    DropOffPoint,
    ItemCategory,
    Province,
    ProvinceSet,
    ReceivingAccount,
)
from .text import vietnamese_sort_key


def campaign_list_active() -> QuerySet[Campaign]:
    return Campaign.objects.active().prefetch_related("provinces").order_by("-starts_on")


def campaign_list_public() -> QuerySet[Campaign]:
    """Open campaigns first, then closed ones; newest first within each."""
    still_open = Case(When(status=Campaign.Status.ACTIVE, then=Value(0)), default=Value(1), output_field=IntegerField())
    return Campaign.objects.public().prefetch_related("provinces").order_by(still_open, "-starts_on")


def campaign_get_public(*, slug: str) -> Campaign | None:
    return (
        Campaign.objects.public()
        .prefetch_related(
            "provinces",
            Prefetch("accounts", queryset=ReceivingAccount.objects.select_related("bank")),
            Prefetch(
                "dropoff_points",
                queryset=DropOffPoint.objects.select_related("province").prefetch_related("categories"),
            ),
        )
        .filter(slug=slug)
        .first()
    )


def province_list(*, set: str = ProvinceSet.Y2025) -> QuerySet[Province]:
    return Province.objects.filter(set=set).select_related("successor").order_by("code")


def province_list_by_name(*, set: str = ProvinceSet.Y2025) -> list[Province]:
    """The provinces of one map in Vietnamese alphabetical order (Đ after D, Ư after U), for people to pick."""
    return sorted(Province.objects.filter(set=set), key=lambda p: vietnamese_sort_key(p.name))


def item_category_list() -> QuerySet[ItemCategory]:
    return ItemCategory.objects.all()
