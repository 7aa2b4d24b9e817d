"""What went out: committees and their staff, allocations to provinces, distribution reports."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaigns.models import Campaign, Province, ProvinceSet
from ledger.journal import JournalEvent
from ledger.models import LedgerEntry, LedgerItem

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


class Allocation(LedgerEntry):
    """Money or goods a committee decided to send to a province. Append-only like receipts."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DISBURSED = "disbursed", _("Disbursed")

    NUMBER_PREFIX = "PB"
    JOURNAL_RELATED = ("reverses", "province")
    REVERSAL_COPIES = ("province_id", "decision_number", "decision_date", "purpose", "status", "disbursed_on")

    number = models.CharField(_("allocation number"), max_length=24, editable=False)  # unique: see LedgerEntry
    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="allocations")
    decision_number = models.CharField(_("decision number"), max_length=64)
    decision_date = models.DateField(_("decision date"))
    purpose = models.CharField(_("purpose"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)

    class Meta(LedgerEntry.Meta):
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-decision_date", "-pk"]
        indexes = [models.Index(fields=["campaign", "province"])]
        constraints = [
            *LedgerEntry.Meta.constraints,
            models.CheckConstraint(
                condition=Q(status="planned") | Q(disbursed_on__isnull=False), name="allocation_disbursed_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} → {self.province.name}"

    def journal_values(self) -> dict[str, str]:
        return {
            **super().journal_values(),
            "time": self.decision_date.isoformat(),
            "province": f"{self.province.set}:{self.province.code}",
        }

    def journal_events(self) -> list[JournalEvent]:
        """The allocation, then its disbursement once it is disbursed (a reversal has none of its own)."""
        events = super().journal_events()
        if self.status == self.Status.DISBURSED and not self.is_reversal:
            events.append(self.disbursement_event())
        return events

    def disbursement_event(self) -> JournalEvent:
        return JournalEvent(event="disbursement", number=self.number, values={
            "kind": self.kind, "province": f"{self.province.set}:{self.province.code}",
            "date": self.disbursed_on.isoformat(),
        })


class AllocationItem(LedgerItem):
    allocation = models.ForeignKey(Allocation, verbose_name=_("allocation"), on_delete=models.PROTECT, related_name="items")

    class Meta(LedgerItem.Meta):
        verbose_name = _("allocated item")
        verbose_name_plural = _("allocated items")


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
