"""What every ledger shares: cash or goods, goods lines, the abstract ledger entry, and the
campaign journal that chains every entry so that anyone can check nothing was altered."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaigns.models import Campaign, ItemCategory

from .journal import JournalEvent, goods_text

MAX_CASH_AMOUNT = 100_000_000_000  # 100 tỷ đồng in one entry: anything above is a typo
MAX_QUANTITY = 1_000_000_000

# What a form, a serializer and a service say of the same bad value, said once.
CASH_OR_GOODS = _("Enter either an amount of cash or goods items, not both.")
AMOUNT_OUT_OF_RANGE = _("The amount must be a positive number of đồng.")
QUANTITY_NOT_POSITIVE = _("The quantity must be greater than zero.")
VALUE_TOO_LARGE = _("This estimated value is too large.")


class Kind(models.TextChoices):
    CASH = "cash", _("Cash")
    GOODS = "goods", _("Goods")


class GoodsLine(models.Model):
    """A quantity of one item category, with an optional estimated value in đồng."""

    category = models.ForeignKey(ItemCategory, verbose_name=_("category"), on_delete=models.PROTECT)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    estimated_value = models.BigIntegerField(_("estimated value (đồng)"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.quantity.normalize():f} {self.category.get_unit_display()} {self.category}"


class LedgerItem(GoodsLine):
    """A goods line of a ledger entry: negative on a reversal, never zero."""

    class Meta:
        abstract = True
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="%(class)s_quantity_nonzero")]


class LedgerEntry(models.Model):
    """One entry of an append-only ledger of a campaign (receipts, allocations).

    Never edited or deleted: a mistake is corrected by a reversal, an entry of opposite sign that
    points at it and says why. Entries are numbered per campaign (`<CODE>-<prefix><sequence>`) under
    the campaign lock and appended to the campaign's journal in the same transaction.
    """

    NUMBER_PREFIX = ""
    # Fields a reversal copies from the entry it reverses, besides campaign, kind and amount.
    REVERSAL_COPIES: tuple[str, ...] = ()
    # Relations `journal_values` reads, loaded together when the journal is checked.
    JOURNAL_RELATED: tuple[str, ...] = ("reverses",)

    # Indexed by the (campaign, sequence) constraint, which starts with it: no index of its own.
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="%(class)ss", db_index=False
    )
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    # Unique by a constraint, not `unique=True`: that adds a second, pattern index on PostgreSQL, for
    # prefix searches no page makes, which every appended entry would pay for.
    number = models.CharField(_("number"), max_length=24, editable=False)
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    amount = models.BigIntegerField(_("amount (đồng)"), null=True, blank=True)
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    reason = models.CharField(_("reason for reversal"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    # An entry is written once and never changed, so its history holds one row per entry: looked up
    # by the entry's id and by date, never by its other columns, which stay unindexed there. Its user
    # is the entry's `recorded_by`, whose foreign key the entry itself carries.
    history = HistoricalRecords(
        inherit=True, user_db_constraint=False,
        no_db_index=["campaign", "number", "reverses", "recorded_by",  # every ledger's, then each ledger's own
                     "pledge", "donor", "bank_transaction", "point", "province", "enrollment", "ward"],
    )

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sequence"], name="%(class)s_unique_campaign_sequence"),
            models.UniqueConstraint(fields=["number"], name="%(class)s_unique_number"),
            # Cash: positive, or negative for a reversal. Goods: no amount (values sit on the lines).
            models.CheckConstraint(
                condition=(Q(kind="cash") & Q(reverses__isnull=True) & Q(amount__gt=0))
                | (Q(kind="cash") & Q(reverses__isnull=False) & Q(amount__lt=0))
                | (Q(kind="goods") & Q(amount__isnull=True)),
                name="%(class)s_amount_sign",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reason=""), name="%(class)s_reversal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @classmethod
    def number_for(cls, *, campaign_code: str, sequence: int) -> str:
        return f"{campaign_code}-{cls.NUMBER_PREFIX}{sequence:06d}"

    def prepare_append(self) -> None:
        """Set what is derived from the entry's own fields, just before it is first saved."""

    def reversal_values(self) -> dict:
        """Field values of the entry that reverses this one (besides number, reason and who)."""
        return {
            "campaign_id": self.campaign_id,
            "kind": self.kind,
            "amount": -self.amount if self.amount is not None else None,
            "reverses": self,
            **{name: getattr(self, name) for name in self.REVERSAL_COPIES},
        }

    # --- the journal ---------------------------------------------------------------------------

    def journal_values(self) -> dict[str, str]:
        """The public fields of this entry as journalled (never contact data or payer accounts)."""
        values = {
            "kind": self.kind,
            "amount": "" if self.amount is None else str(self.amount),
            "reverses": self.reverses.number if self.reverses_id else "",
        }
        if self.kind == Kind.GOODS:
            values["goods"] = goods_text(
                (item.category.slug, item.quantity, item.estimated_value)
                for item in self.items.all()  # prefetched with their categories when checking a whole journal
            )
        return values

    def journal_events(self) -> list[JournalEvent]:
        """What this entry adds to the journal when it is recorded (see `ledger_entries_append`)."""
        event = self._meta.model_name + ("_reversal" if self.is_reversal else "")
        return [JournalEvent(event=event, number=self.number, values=self.journal_values())]


# How staff read the journal's event codes (the codes themselves are part of the published format).
EVENT_LABELS = {
    "receipt": _("Receipt"),
    "receipt_reversal": _("Receipt reversed"),
    "allocation": _("Allocation"),
    "allocation_reversal": _("Allocation reversed"),
    "disbursement": _("Disbursement"),
    "handover": _("Handover"),
    "handover_reversal": _("Handover reversed"),
}


class JournalEntry(models.Model):
    """One link of a campaign's hash chain: an event's canonical text and the hash so far."""

    # Indexed by the (campaign, sequence) constraint. No foreign key in the database: a journal entry
    # exists only beside a ledger entry of the same campaign, whose own key already keeps the campaign
    # from going; checked again, it would cost one more lookup per line at every commit.
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="journal", db_index=False,
        db_constraint=False,
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    event = models.CharField(_("event"), max_length=32, choices=list(EVENT_LABELS.items()))
    entry_number = models.CharField(_("entry number"), max_length=24)
    canonical = models.TextField(_("canonical text"))
    hash = models.CharField(_("hash"), max_length=64)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["campaign", "sequence"]
        indexes = [models.Index(fields=["campaign", "recorded_at"])]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sequence"], name="journal_unique_campaign_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.sequence} {self.event} {self.entry_number}"



class JournalHead(models.Model):
    """The head of a campaign's journal at the end of a day (Vietnam time): how many entries, which hash."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="journal_heads"
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("entries"))
    hash = models.CharField(_("hash"), max_length=64)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("daily journal head")
        verbose_name_plural = _("daily journal heads")
        ordering = ["campaign", "day"]
        constraints = [models.UniqueConstraint(fields=["campaign", "day"], name="journal_head_unique_day")]

    def __str__(self) -> str:
        return f"{self.campaign.code} {self.day:%d/%m/%Y} #{self.count}"
