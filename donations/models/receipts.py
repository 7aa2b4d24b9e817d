"""What came in: an append-only ledger of cash and goods receipts."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import DropOffPoint
from campaigns.text import search_key
from ledger.journal import utc_time
from ledger.models import LedgerEntry, LedgerItem

from .pledges import Donor, Pledge


class Receipt(LedgerEntry):
    """One entry of the receipts ledger. Never edited or deleted: a mistake gets a reversal."""

    class Channel(models.TextChoices):
        BANK_TRANSFER = "bank", _("Bank transfer")
        CASH_DESK = "cash_desk", _("Cash desk")
        GOODS_DROPOFF = "goods", _("Goods drop-off")

    REVERSAL_COPIES = ("channel", "pledge_id", "donor_id", "bank_transaction_id", "point_id", "public_name")

    number = models.CharField(_("receipt number"), max_length=24, editable=False)  # unique: see LedgerEntry
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), null=True, blank=True, on_delete=models.PROTECT, related_name="receipts"
    )
    # Most receipts of a statement have no donor and no point: those two are indexed where set (Meta).
    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), null=True, blank=True, on_delete=models.PROTECT, related_name="receipts",
        db_index=False,
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
        related_name="receipts", help_text=_("The drop-off point or cash desk that received it."), db_index=False,
    )
    public_name = models.CharField(_("public name"), max_length=200)
    search_name = models.CharField(_("public name for search"), max_length=200, editable=False, default="")
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta(LedgerEntry.Meta):
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_at", "-sequence"]
        indexes = [
            # The public ledger pages by (time, sequence) and (amount, sequence): with the sequence in
            # the index, a page deep inside thousands of equal times or amounts is one index range.
            models.Index(fields=["campaign", "received_at", "sequence"]),
            models.Index(fields=["campaign", "amount", "sequence"]),
            models.Index(fields=["donor"], condition=Q(donor__isnull=False), name="receipt_donor_set"),
            models.Index(fields=["point"], condition=Q(point__isnull=False), name="receipt_point_set"),
        ]

    def prepare_append(self) -> None:
        self.search_name = search_key(self.public_name)

    def reversal_values(self) -> dict:
        return {**super().reversal_values(), "received_at": timezone.now()}

    def journal_values(self) -> dict[str, str]:
        return {
            **super().journal_values(),
            "time": utc_time(self.received_at),
            "channel": self.channel,
            "name": self.public_name,
        }


class ReceiptItem(LedgerItem):
    receipt = models.ForeignKey(Receipt, verbose_name=_("receipt"), on_delete=models.PROTECT, related_name="items")

    class Meta(LedgerItem.Meta):
        verbose_name = _("received item")
        verbose_name_plural = _("received items")
