"""What went out: committees and their staff, allocations to provinces, distribution reports."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaigns.models import Campaign, ItemCategory, Province, ProvinceSet
from donations.models import PledgeKind

# Campaigns that started before the 2025 reorganisation may name the 63 old units.
NEW_MAP_FROM = datetime.date(2025, 7, 1)


class Committee(models.Model):
    """The central committee or one provincial committee (a unit of the 2025 map)."""

    class Level(models.TextChoices):
        CENTRAL = "central", _("Central")
        PROVINCIAL = "provincial", _("Provincial")

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    province = models.OneToOneField(
        Province, verbose_name=_("province"), null=True, blank=True, on_delete=models.PROTECT,
        limit_choices_to={"set": ProvinceSet.Y2025}, related_name="committee",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["level", "province__code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="central") & Q(province__isnull=True))
                | (Q(level="provincial") & Q(province__isnull=False)),
                name="committee_province_matches_level",
            ),
            models.UniqueConstraint(fields=["level"], condition=Q(level="central"), name="committee_one_central"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignCommittee(models.Model):
    """Which committee runs a campaign (one each)."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, primary_key=True, related_name="run_by"
    )
    committee = models.ForeignKey(Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="campaigns")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign committee")
        verbose_name_plural = _("campaign committees")

    def __str__(self) -> str:
        return f"{self.campaign} — {self.committee}"


class StaffRole(models.TextChoices):
    CENTRAL = "central", _("Central staff")
    PROVINCIAL = "provincial", _("Provincial staff")
    AUDITOR = "auditor", _("Auditor")


class StaffMembership(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="membership"
    )
    committee = models.ForeignKey(Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(_("role"), max_length=10, choices=StaffRole.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.committee})"


class Allocation(models.Model):
    """Money or goods a committee decided to send to a province. Append-only like receipts."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DISBURSED = "disbursed", _("Disbursed")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="allocations")
    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="allocations")
    kind = models.CharField(_("kind"), max_length=5, choices=PledgeKind.choices)
    amount = models.BigIntegerField(_("amount (đồng)"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=64)
    decision_date = models.DateField(_("decision date"))
    purpose = models.CharField(_("purpose"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.CharField(_("reason for reversal"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-decision_date", "-pk"]
        indexes = [models.Index(fields=["campaign", "province"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="cash") & Q(reverses__isnull=True) & Q(amount__gt=0))
                | (Q(kind="cash") & Q(reverses__isnull=False) & Q(amount__lt=0))
                | (Q(kind="goods") & Q(amount__isnull=True)),
                name="allocation_amount_sign",
            ),
            models.CheckConstraint(
                condition=Q(status="planned") | Q(disbursed_on__isnull=False), name="allocation_disbursed_has_date"
            ),
            models.CheckConstraint(condition=Q(reverses__isnull=True) | ~Q(reason=""), name="allocation_reversal_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} → {self.province.name}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class AllocationItem(models.Model):
    allocation = models.ForeignKey(Allocation, verbose_name=_("allocation"), on_delete=models.PROTECT, related_name="items")
    category = models.ForeignKey(ItemCategory, verbose_name=_("category"), on_delete=models.PROTECT)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    estimated_value = models.BigIntegerField(_("estimated value (đồng)"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocated item")
        verbose_name_plural = _("allocated items")
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="allocation_item_quantity_nonzero")]

    def __str__(self) -> str:
        return f"{self.quantity.normalize():f} {self.category.get_unit_display()} {self.category}"


class DistributionReport(models.Model):
    """What a provincial committee handed out from an allocation: where, to how many."""

    allocation = models.ForeignKey(Allocation, verbose_name=_("allocation"), on_delete=models.PROTECT, related_name="reports")
    distributed_on = models.DateField(_("date"))
    commune = models.CharField(_("commune or ward"), max_length=120)
    households = models.PositiveIntegerField(_("households reached"))
    people = models.PositiveIntegerField(_("people reached"))
    amount = models.BigIntegerField(_("amount (đồng)"), null=True, blank=True)
    goods = models.CharField(_("goods handed out"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("distribution report")
        verbose_name_plural = _("distribution reports")
        ordering = ["-distributed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="report_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(people__gte=models.F("households")),
                name="report_people_ge_households",
                violation_error_message=_("People reached cannot be fewer than households."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commune} {self.distributed_on:%d/%m/%Y}"
