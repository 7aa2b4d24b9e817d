"""Reads for staff reports: the daily report of a programme (per province and ward, as of the end of
a day in Vietnam time, with the omissions) and the signature list of a distribution point for a day.

Every figure is an SQL aggregate over the registrations, enrollments and handover entries themselves.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import ItemCategory
from campaigns.text import search_key

from .models import (
    DistributionPoint,
    Enrollment,
    Handover,
    HandoverItem,
    NeedRegistration,
    SupportProgramme,
    Ward,
)
from .scope import ward_q

FIGURES = ("registered", "registered_today", "rejected", "verified", "served", "omissions", "cash", "cash_today")


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end (exclusive) of a day in Vietnam time."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


@dataclass
class ReportRow:
    ward: Ward | None
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))
    goods: dict[int, Decimal] = field(default_factory=dict)

    def add(self, other: "ReportRow") -> None:
        for name in FIGURES:
            self.figures[name] += other.figures[name]
        for pk, qty in other.goods.items():
            self.goods[pk] = self.goods.get(pk, Decimal(0)) + qty


@dataclass
class DailyReport:
    programme: SupportProgramme
    day: datetime.date
    categories: list[ItemCategory]
    provinces: list[tuple[object, list[ReportRow], ReportRow]]  # (province, ward rows, province total)
    total: ReportRow


def daily_report_get(*, programme: SupportProgramme, day: datetime.date, user) -> DailyReport:
    """Per ward of the user's scope, as of the end of `day`: registered (and that day), rejected or
    duplicate, verified (registrations and commune lists), served, omissions (verified at least the
    programme's `omission_days` before and not served by then), cash handed over (and that day), goods."""
    start, end = day_bounds(day)
    scope = ward_q(user=user)
    omission_before = end - datetime.timedelta(days=programme.omission_days)
    rows: dict[int, ReportRow] = {}

    def merge(queryset, key: str, **names) -> None:
        for values in queryset.values(key).annotate(**names):
            row = rows.setdefault(values[key], ReportRow(ward=None))
            for name in names:
                row.figures[name] += values[name] or 0

    registrations = NeedRegistration.objects.filter(scope, programme=programme, created_at__lt=end)
    merge(registrations, "ward_id",
          registered=Count("pk"),
          registered_today=Count("pk", filter=Q(created_at__gte=start)),
          rejected=Count("pk", filter=Q(status__in=["rejected", "duplicate"], decided_at__lt=end)))
    enrollments = Enrollment.objects.filter(scope, programme=programme, enrolled_at__lt=end)
    merge(enrollments, "ward_id",
          verified=Count("pk"),
          served=Count("pk", filter=Q(served_at__lt=end)),
          omissions=Count("pk", filter=Q(enrolled_at__lt=omission_before) & (Q(served_at__isnull=True) | Q(served_at__gte=end))))
    handovers = Handover.objects.filter(scope, enrollment__programme=programme, handed_at__lt=end)
    merge(handovers, "ward_id", cash=Sum("amount"), cash_today=Sum("amount", filter=Q(handed_at__gte=start)))
    category_ids = set(programme.goods.values_list("category_id", flat=True))
    for values in (HandoverItem.objects.filter(ward_q(user=user, prefix="handover__ward"),
                                               handover__enrollment__programme=programme, handover__handed_at__lt=end)
                   .values("handover__ward_id", "category_id").annotate(q=Sum("quantity"))):
        row = rows.setdefault(values["handover__ward_id"], ReportRow(ward=None))
        row.goods[values["category_id"]] = values["q"]
        category_ids.add(values["category_id"])

    wards = Ward.objects.select_related("province").in_bulk(rows)
    provinces: dict[int, tuple] = {}
    total = ReportRow(ward=None)
    for ward_id in sorted(rows, key=lambda pk: (wards[pk].province.name, wards[pk].sort_key)):
        row = rows[ward_id]
        row.ward = wards[ward_id]
        province = row.ward.province
        entry = provinces.setdefault(province.pk, (province, [], ReportRow(ward=None)))
        entry[1].append(row)
        entry[2].add(row)
        total.add(row)
    categories = list(ItemCategory.objects.filter(pk__in=category_ids).order_by("position", "slug"))
    return DailyReport(programme=programme, day=day, categories=categories, provinces=list(provinces.values()),
                       total=total)


def daily_report_xlsx(*, report: DailyReport) -> bytes:
    """The daily report as an XLSX workbook: one row per ward, a subtotal per province, the total."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = report.day.strftime("%d-%m-%Y")
    sheet.append([_safe(_("Daily report")), _safe(report.programme.name), report.day.strftime("%d/%m/%Y")])
    sheet.append([])
    headers = [
        _("Province"), _("Commune or ward"), _("Ward code"), _("Registered"), _("Registered that day"),
        _("Rejected or duplicate"), _("Verified"), _("Served"), _("Omissions"), _("Cash handed over (đồng)"),
        _("Cash handed over that day (đồng)"),
        *[f"{category.name} ({category.get_unit_display()})" for category in report.categories],
    ]
    sheet.append([_safe(h) for h in headers])
    for cell in sheet[3]:
        cell.font = Font(bold=True)

    def line(province_name: str, ward_name: str, code: str, row: ReportRow, bold: bool = False) -> None:
        sheet.append([
            _safe(province_name), _safe(ward_name), code, *[row.figures[name] for name in FIGURES],
            *[row.goods.get(category.pk, Decimal(0)) for category in report.categories],
        ])
        if bold:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)

    for province, rows, subtotal in report.provinces:
        for row in rows:
            line(province.name, row.ward.name, row.ward.code, row)
        line(province.name, _("Total of the province"), "", subtotal, bold=True)
    line(_("Total"), "", "", report.total, bold=True)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _safe(text: str) -> str:
    """A text cell that a spreadsheet never runs as a formula (DESIGN rule 12)."""
    text = str(text)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


# --- the signature list ----------------------------------------------------------------------------


@dataclass
class SignatureRow:
    enrollment: Enrollment
    cash: int = 0
    goods: dict[int, Decimal] = field(default_factory=dict)


def signature_list_get(*, point: DistributionPoint, day: datetime.date) -> dict:
    """Who received what at a point on a day (one row per person, cash and goods together), and the
    people of the point's ward still owed something, each with a place to sign."""
    start, end = day_bounds(day)
    handed: dict[int, SignatureRow] = {}
    for handover in (Handover.objects.filter(point=point, handed_at__gte=start, handed_at__lt=end)
                     .select_related("enrollment__beneficiary").prefetch_related("items").order_by("handed_at", "pk")):
        row = handed.setdefault(handover.enrollment_id, SignatureRow(enrollment=handover.enrollment))
        row.cash += handover.amount or 0
        for item in handover.items.all():
            row.goods[item.category_id] = row.goods.get(item.category_id, Decimal(0)) + item.quantity
    waiting = sorted(
        Enrollment.objects.filter(programme=point.programme, ward=point.ward, served_at__isnull=True)
        .exclude(pk__in=list(handed)).select_related("beneficiary"),
        key=lambda enrollment: search_key(enrollment.beneficiary.full_name),  # Vietnamese order: Đ after D
    )
    owed = _owed(programme=point.programme, enrollments=waiting)
    categories = list(ItemCategory.objects.filter(
        pk__in=point.programme.goods.values_list("category_id", flat=True)).order_by("position"))
    return {
        "point": point, "day": day, "categories": categories,
        "handed": [row for row in handed.values() if row.cash or any(row.goods.values())],
        "waiting": [owed[enrollment.pk] for enrollment in waiting],
    }


def _owed(*, programme: SupportProgramme, enrollments: list[Enrollment]) -> dict[int, SignatureRow]:
    """What each of these people is still owed (entitlement minus handovers), in two aggregate queries."""
    ids = [enrollment.pk for enrollment in enrollments]
    cash = dict(Handover.objects.filter(enrollment_id__in=ids).values("enrollment_id").annotate(s=Sum("amount"))
                .values_list("enrollment_id", "s"))
    goods: dict[tuple[int, int], Decimal] = {
        (row["handover__enrollment_id"], row["category_id"]): row["q"]
        for row in HandoverItem.objects.filter(handover__enrollment_id__in=ids)
        .values("handover__enrollment_id", "category_id").annotate(q=Sum("quantity"))
    }
    entitled = list(programme.goods.values_list("category_id", "quantity"))
    return {
        enrollment.pk: SignatureRow(
            enrollment=enrollment,
            cash=(programme.cash_per_person or 0) - (cash.get(enrollment.pk) or 0),
            goods={pk: qty - goods.get((enrollment.pk, pk), Decimal(0)) for pk, qty in entitled},
        )
        for enrollment in enrollments
    }
