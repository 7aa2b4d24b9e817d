"""Reads of the assistance app: the registry, what a person received, what a province may still hand
out, what staff may see, and the public figures (counts and amounts only, never a person)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from allocations.models import Allocation
from allocations.selectors import province_q
from campaigns.models import Campaign, Province

from . import citizen_id
from .models import (
    Beneficiary,
    DistributionPoint,
    Enrollment,
    Handover,
    HandoverItem,
    NeedRegistration,
    SupportProgramme,
    Ward,
)
from .scope import ward_q

LOOKUP_LIMIT = 20


@dataclass(frozen=True)
class Received:
    cash: int = 0
    goods: dict[int, Decimal] = field(default_factory=dict)


def enrollment_received(*, enrollment: Enrollment) -> Received:
    """Cash and goods (per category id) handed to a person in one programme, reversals included."""
    cash = enrollment.handovers.aggregate(s=Sum("amount"))["s"] or 0
    goods = dict(
        HandoverItem.objects.filter(handover__enrollment=enrollment).values("category_id")
        .annotate(total=Sum("quantity")).values_list("category_id", "total")
    )
    return Received(cash=cash, goods=goods)


def province_cash_allocated(*, campaign_id: int, province: Province) -> int:
    """Cash the campaign allocated to a 2025 province (its 2008 units rolled up), reversals included."""
    return (
        Allocation.objects.filter(province_q(province=province), campaign_id=campaign_id)
        .aggregate(s=Sum("amount"))["s"] or 0
    )


def province_cash_handed(*, campaign_id: int, province: Province) -> int:
    return Handover.objects.filter(campaign_id=campaign_id, province=province).aggregate(s=Sum("amount"))["s"] or 0


def province_cash_left(*, campaign_id: int, province: Province) -> int:
    """What a province may still hand out in cash: allocated minus handed over."""
    return province_cash_allocated(campaign_id=campaign_id, province=province) - province_cash_handed(
        campaign_id=campaign_id, province=province)


# --- staff: lists in scope, the registry ------------------------------------------------------------


def registration_list_for(*, user) -> QuerySet[NeedRegistration]:
    return NeedRegistration.objects.select_related("programme", "ward__province").filter(ward_q(user=user))


def handover_list_for(*, user) -> QuerySet[Handover]:
    return Handover.objects.select_related("campaign", "province", "ward", "point", "enrollment__beneficiary").filter(
        ward_q(user=user))


def point_list_for(*, user, programme: SupportProgramme | None = None) -> QuerySet[DistributionPoint]:
    qs = DistributionPoint.objects.select_related("programme", "ward__province").filter(ward_q(user=user))
    return qs if programme is None else qs.filter(programme=programme)


def beneficiary_find(*, text: str) -> QuerySet[Beneficiary]:
    """People of the registry with this citizen ID (by its keyed hash) or this mobile number."""
    from donations.validators import normalize_vn_mobile

    qs = Beneficiary.objects.select_related("ward__province")
    digits = citizen_id.looks_like_citizen_id(text)
    if digits is not None:
        return qs.filter(id_hash=citizen_id.keyed_hash(digits))
    try:
        phone = normalize_vn_mobile(text)
    except Exception:  # noqa: BLE001 - neither an ID nor a phone: nothing matches
        return qs.none()
    return qs.filter(phone=phone).order_by("full_name")[:LOOKUP_LIMIT]


def beneficiary_history(*, beneficiary: Beneficiary) -> list[dict]:
    """What a person was given, programme by programme, in this and earlier campaigns (newest first)."""
    from campaigns.models import ItemCategory
    from campaigns.money import quantity

    categories = ItemCategory.objects.in_bulk()
    rows = []
    for enrollment in beneficiary.enrollments.select_related("programme__campaign", "ward").order_by("-enrolled_at"):
        received = enrollment_received(enrollment=enrollment)
        goods_text = ", ".join(
            f"{quantity(qty)} {categories[pk].get_unit_display()} {categories[pk].name}"
            for pk, qty in sorted(received.goods.items(), key=lambda item: categories[item[0]].position) if qty
        )
        rows.append({"enrollment": enrollment, "campaign": enrollment.programme.campaign,
                     "programme": enrollment.programme, "cash": received.cash, "goods": received.goods,
                     "goods_text": goods_text})
    return rows


def entitlement_rows(*, enrollment: Enrollment) -> list[dict]:
    """Per line of the entitlement: what is owed, what was handed over, what is left."""
    programme, received = enrollment.programme, enrollment_received(enrollment=enrollment)
    rows = []
    if programme.cash_per_person is not None:
        rows.append({"category": None, "entitled": programme.cash_per_person, "received": received.cash,
                     "left": programme.cash_per_person - received.cash})
    for line in programme.goods.select_related("category").order_by("category__position"):
        got = received.goods.get(line.category_id, Decimal(0))
        rows.append({"category": line.category, "entitled": line.quantity, "received": got,
                     "left": line.quantity - got})
    return rows


def programmes_open(*, campaign: Campaign, channel: str, day: datetime.date | None = None) -> list[SupportProgramme]:
    """The campaign's programmes that take registrations by this channel today."""
    day = day or timezone.localdate()
    flag = "accepts_hotline" if channel == NeedRegistration.Channel.HOTLINE else "accepts_web"
    return list(
        campaign.programmes.filter(Q(closes_on__isnull=True) | Q(closes_on__gte=day), opens_on__lte=day, **{flag: True})
        .prefetch_related("provinces", "goods__category").order_by("opens_on", "pk")
    )


def wards_of(*, province: Province | None) -> QuerySet[Ward]:
    return Ward.objects.filter(province=province).order_by("sort_key") if province else Ward.objects.none()


def entitlement_summary(*, programme: SupportProgramme) -> list[str]:
    """What each person of a programme receives, as people read it: `1.000.000 ₫`, `10 kg Gạo`."""
    from campaigns.money import quantity, vnd

    lines = [vnd(programme.cash_per_person)] if programme.cash_per_person else []
    for line in programme.goods.select_related("category").order_by("category__position"):
        lines.append(f"{quantity(line.quantity)} {line.category.get_unit_display()} {line.category.name}")
    return lines


def registration_points(*, registration: NeedRegistration) -> QuerySet[DistributionPoint]:
    """Where a verified person goes: the programme's points in their ward, else in their province."""
    if registration.status != NeedRegistration.Status.VERIFIED:
        return DistributionPoint.objects.none()
    points = DistributionPoint.objects.filter(programme_id=registration.programme_id).only("name", "address", "ward_id")
    in_ward = points.filter(ward_id=registration.ward_id)
    return in_ward if in_ward.exists() else points.filter(ward__province__wards=registration.ward_id)


def registration_get_public(*, code: str) -> NeedRegistration | None:
    """A registration by its tracking code, with only what its page shows loaded."""
    return (
        NeedRegistration.objects.select_related("programme__campaign")
        .only("code", "status", "reason", "created_at", "decided_at", "programme__name", "programme__campaign__name",
              "programme__campaign__slug", "programme__cash_per_person", "programme__id", "ward_id")
        .filter(code=(code or "").strip().upper()).first()
    )


# --- public figures: counts and amounts only --------------------------------------------------------


def _counts(rows, key: str) -> dict:
    return {row[key]: row for row in rows}


def assistance_public_figures(*, campaign: Campaign) -> list[dict]:
    """Per programme of a public campaign: people registered, verified, served, cash and goods handed
    over, per province and ward. Aggregates only: no name, phone, ID or address is ever loaded."""
    programmes = []
    for programme in campaign.programmes.prefetch_related("goods__category").order_by("opens_on", "pk"):
        registered = _counts(
            NeedRegistration.objects.filter(programme=programme).values("ward_id").annotate(n=Count("pk")), "ward_id")
        enrolled = _counts(
            Enrollment.objects.filter(programme=programme).values("ward_id")
            .annotate(n=Count("pk"), served=Count("pk", filter=Q(served_at__isnull=False))), "ward_id")
        cash = _counts(
            Handover.objects.filter(enrollment__programme=programme).values("ward_id").annotate(s=Sum("amount")), "ward_id")
        goods: dict[int, dict[str, Decimal]] = {}
        for row in (HandoverItem.objects.filter(handover__enrollment__programme=programme)
                    .values("handover__ward_id", "category__slug").annotate(q=Sum("quantity"))):
            goods.setdefault(row["handover__ward_id"], {})[row["category__slug"]] = row["q"]
        ward_ids = set(registered) | set(enrolled) | set(cash)
        wards = Ward.objects.select_related("province").in_bulk(ward_ids)
        provinces: dict[str, dict] = {}
        for ward_id in sorted(ward_ids, key=lambda pk: (wards[pk].province.code, wards[pk].sort_key)):
            ward = wards[ward_id]
            row = {
                "code": ward.code, "name": ward.name,
                "registered": registered.get(ward_id, {}).get("n", 0),
                "verified": enrolled.get(ward_id, {}).get("n", 0),
                "served": enrolled.get(ward_id, {}).get("served", 0),
                "cash_handed_over": cash.get(ward_id, {}).get("s") or 0,
                "goods_handed_over": goods.get(ward_id, {}),
            }
            province = provinces.setdefault(ward.province.code, {
                "code": ward.province.code, "name": ward.province.name, "registered": 0, "verified": 0, "served": 0,
                "cash_handed_over": 0, "goods_handed_over": {}, "wards": [],
            })
            _add(province, row)
            province["wards"].append(row)
        totals = {"registered": 0, "verified": 0, "served": 0, "cash_handed_over": 0, "goods_handed_over": {}}
        for province in provinces.values():
            _add(totals, province)
        programmes.append({
            "id": programme.pk, "name": programme.name, "opens_on": programme.opens_on, "closes_on": programme.closes_on,
            "cash_per_person": programme.cash_per_person,
            "goods_per_person": {line.category.slug: line.quantity for line in programme.goods.all()},
            **totals, "provinces": list(provinces.values()),
        })
    return programmes


FIGURES_SECONDS = 60


def assistance_public_figures_cached(*, campaign: Campaign) -> list[dict]:
    """`assistance_public_figures`, computed at most once a minute per campaign (they aggregate every
    registration and handover of the campaign)."""
    from django.core.cache import cache

    key = f"assistance:figures:{campaign.pk}"
    figures = cache.get(key)
    if figures is None:
        figures = assistance_public_figures(campaign=campaign)
        cache.set(key, figures, FIGURES_SECONDS)
    return figures


def _add(total: dict, row: dict) -> None:
    for name in ("registered", "verified", "served", "cash_handed_over"):
        total[name] += row[name]
    for slug, qty in row["goods_handed_over"].items():
        total["goods_handed_over"][slug] = total["goods_handed_over"].get(slug, Decimal(0)) + qty
