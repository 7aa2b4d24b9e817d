"""The read side: figures derived from the ledgers, written only by `campaign_totals_refresh`.

Every table can be dropped and rebuilt from the ledgers at any time; nothing here is typed in.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, ItemCategory, Province

QUANTITY = {"max_digits": 18, "decimal_places": 3, "default": 0}


class CampaignTotals(models.Model):
    """One campaign's headline figures."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, primary_key=True, related_name="totals"
    )
    cash_pledged = models.BigIntegerField(_("cash pledged (đồng)"), default=0)
    cash_received = models.BigIntegerField(_("cash received (đồng)"), default=0)
    cash_allocated = models.BigIntegerField(_("cash allocated (đồng)"), default=0)
    cash_disbursed = models.BigIntegerField(_("cash disbursed (đồng)"), default=0)
    cash_reported = models.BigIntegerField(_("cash reported handed out (đồng)"), default=0)
    goods_value_received = models.BigIntegerField(_("estimated value of goods received (đồng)"), default=0)
    receipts = models.PositiveIntegerField(_("receipts"), default=0)
    donors = models.PositiveIntegerField(_("donors"), default=0)
    allocations = models.PositiveIntegerField(_("allocations"), default=0)
    households_reached = models.PositiveBigIntegerField(_("households reached"), default=0)
    people_reached = models.PositiveBigIntegerField(_("people reached"), default=0)
    journal_entries = models.PositiveIntegerField(_("journal entries"), default=0)
    journal_hash = models.CharField(_("journal head hash"), max_length=64, blank=True)
    last_entry_at = models.DateTimeField(_("last ledger entry at"), null=True, blank=True)
    version = models.PositiveBigIntegerField(_("version"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"), default=timezone.now)

    class Meta:
        verbose_name = _("campaign totals")
        verbose_name_plural = _("campaign totals")

    def __str__(self) -> str:
        return str(self.campaign)

    @property
    def cash_available(self) -> int:
        return self.cash_received - self.cash_allocated


class ProvinceTotals(models.Model):
    """What one unit of today's map was allocated and reported (2008 units rolled up to their successor)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.CASCADE, related_name="+")
    cash_allocated = models.BigIntegerField(_("cash allocated (đồng)"), default=0)
    cash_disbursed = models.BigIntegerField(_("cash disbursed (đồng)"), default=0)
    goods_value_allocated = models.BigIntegerField(_("estimated value of goods allocated (đồng)"), default=0)
    allocations = models.PositiveIntegerField(_("allocations"), default=0)
    cash_reported = models.BigIntegerField(_("cash reported handed out (đồng)"), default=0)
    households_reached = models.PositiveBigIntegerField(_("households reached"), default=0)
    people_reached = models.PositiveBigIntegerField(_("people reached"), default=0)

    class Meta:
        verbose_name = _("province totals")
        verbose_name_plural = _("province totals")
        ordering = ["-cash_allocated"]
        constraints = [models.UniqueConstraint(fields=["campaign", "province"], name="province_totals_unique")]


class GoodsTotals(models.Model):
    """One item category of a campaign: received, allocated, and handed over (disbursed allocations)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(ItemCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="+")
    received = models.DecimalField(_("received"), **QUANTITY)
    allocated = models.DecimalField(_("allocated"), **QUANTITY)
    distributed = models.DecimalField(_("distributed"), **QUANTITY)
    value_received = models.BigIntegerField(_("estimated value received (đồng)"), default=0)
    value_allocated = models.BigIntegerField(_("estimated value allocated (đồng)"), default=0)

    class Meta:
        verbose_name = _("goods totals")
        verbose_name_plural = _("goods totals")
        ordering = ["category__position"]
        constraints = [models.UniqueConstraint(fields=["campaign", "category"], name="goods_totals_unique")]


class ProvinceGoodsTotals(models.Model):
    """Goods of one category allocated to one unit of today's map."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(ItemCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="+")
    allocated = models.DecimalField(_("allocated"), **QUANTITY)
    distributed = models.DecimalField(_("distributed"), **QUANTITY)

    class Meta:
        verbose_name = _("province goods totals")
        verbose_name_plural = _("province goods totals")
        ordering = ["category__position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "province", "category"], name="province_goods_totals_unique")
        ]


class DailyTotals(models.Model):
    """One day (Vietnam time) of a campaign: cash received, allocated and disbursed, and the running totals."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    received = models.BigIntegerField(_("received (đồng)"), default=0)
    allocated = models.BigIntegerField(_("allocated (đồng)"), default=0)
    disbursed = models.BigIntegerField(_("disbursed (đồng)"), default=0)
    # Receipts recorded that day less those reversed that day: negative on a day of corrections.
    receipts = models.IntegerField(_("receipts"), default=0)
    received_to_date = models.BigIntegerField(_("received to date (đồng)"), default=0)
    allocated_to_date = models.BigIntegerField(_("allocated to date (đồng)"), default=0)
    disbursed_to_date = models.BigIntegerField(_("disbursed to date (đồng)"), default=0)

    class Meta:
        verbose_name = _("daily totals")
        verbose_name_plural = _("daily totals")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["campaign", "day"], name="daily_totals_unique")]
