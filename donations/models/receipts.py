"""What came in: an append-only ledger of cash and goods receipts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaigns.models import Campaign, DropOffPoint, ItemCategory

from .pledges import Donor, Pledge, PledgeKind


class Receipt(models.Model):
    """One entry of the receipts ledger. Never edited or deleted: a mistake gets a reversal."""

    class Channel(models.TextChoices):
        BANK_TRANSFER = "bank", _("Bank transfer")
        CASH_DESK = "cash_desk", _("Cash desk")
        GOODS_DROPOFF = "goods", _("Goods drop-off")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="receipts")
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    number = models.CharField(_("receipt number"), max_length=24, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=5, choices=PledgeKind.choices)
    amount = models.BigIntegerField(_("amount (đồng)"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), null=True, blank=True, on_delete=models.PROTECT, related_name="receipts"
    )
    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), null=True, blank=True, on_delete=models.PROTECT, related_name="receipts"
    )
    bank_transaction = models.ForeignKey(
        "donations.BankTransaction",
        verbose_name=_("bank transaction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    point = models.ForeignKey(
        DropOffPoint, verbose_name=_("received at point"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="receipts", help_text=_("The drop-off point or cash desk that received it."),
    )
    public_name = models.CharField(_("public name"), max_length=200)
    note = models.CharField(_("note"), max_length=255, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    reason = models.CharField(_("reason for reversal"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_at", "-sequence"]
        indexes = [
            models.Index(fields=["campaign", "received_at"]),
            models.Index(fields=["pledge"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sequence"], name="receipt_unique_campaign_sequence"),
            # Cash: positive, or negative for a reversal. Goods: no amount (values sit on the items).
            models.CheckConstraint(
                condition=(Q(kind="cash") & Q(reverses__isnull=True) & Q(amount__gt=0))
                | (Q(kind="cash") & Q(reverses__isnull=False) & Q(amount__lt=0))
                | (Q(kind="goods") & Q(amount__isnull=True)),
                name="receipt_amount_sign",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reason=""), name="receipt_reversal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class ReceiptItem(models.Model):
    receipt = models.ForeignKey(Receipt, verbose_name=_("receipt"), on_delete=models.PROTECT, related_name="items")
    category = models.ForeignKey(ItemCategory, verbose_name=_("category"), on_delete=models.PROTECT)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    estimated_value = models.BigIntegerField(_("estimated value (đồng)"), null=True, blank=True)

    class Meta:
        verbose_name = _("received item")
        verbose_name_plural = _("received items")
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="receipt_item_quantity_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity.normalize():f} {self.category.get_unit_display()} {self.category}"
