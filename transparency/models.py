"""The read side: totals derived from the ledgers, written only by the refresh task."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, ItemCategory, Province


class CampaignTotals(models.Model):
    campaign = models.OneToOneField(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, primary_key=True, related_name="totals"
    )
    cash_received = models.BigIntegerField(_("cash received (đồng)"), default=0)
    cash_allocated = models.BigIntegerField(_("cash allocated (đồng)"), default=0)
    cash_disbursed = models.BigIntegerField(_("cash disbursed (đồng)"), default=0)
    receipts = models.PositiveIntegerField(_("receipts"), default=0)
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
    """Cash allocated to one unit of today's map (2008 units rolled up to their successor)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.CASCADE, related_name="+")
    cash_allocated = models.BigIntegerField(_("cash allocated (đồng)"), default=0)
    cash_disbursed = models.BigIntegerField(_("cash disbursed (đồng)"), default=0)

    class Meta:
        verbose_name = _("province totals")
        verbose_name_plural = _("province totals")
        ordering = ["-cash_allocated"]
        constraints = [models.UniqueConstraint(fields=["campaign", "province"], name="province_totals_unique")]


class GoodsTotals(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(ItemCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="+")
    received = models.DecimalField(_("received"), max_digits=16, decimal_places=3, default=0)
    allocated = models.DecimalField(_("allocated"), max_digits=16, decimal_places=3, default=0)

    class Meta:
        verbose_name = _("goods totals")
        verbose_name_plural = _("goods totals")
        ordering = ["category__position"]
        constraints = [models.UniqueConstraint(fields=["campaign", "category"], name="goods_totals_unique")]
