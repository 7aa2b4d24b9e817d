"""Donors, their pledges and what they pledged."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaigns.models import Campaign, Province
from ledger.models import MAX_QUANTITY, GoodsLine, Kind

from ..validators import (
    validate_cash_amount,
    validate_no_html,
    validate_tax_code,
)

ANONYMOUS_NAME = "Nhà hảo tâm"
# Pledge references: 8 characters without 0/O/1/I/L, which people misread and banks mangle.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8


def mask_name(name: str) -> str:
    """`Nguyễn Văn An` → `Nguyễn V. A.`: the first word in full, then initials."""
    words = name.split()
    if len(words) <= 1:
        return name.strip()
    return " ".join([words[0], *(f"{w[0].upper()}." for w in words[1:])])


class PublicDisplay(models.TextChoices):
    FULL = "full", _("Full name")
    MASKED = "masked", _("Masked name (Nguyễn V. A.)")
    ANONYMOUS = "anonymous", _("Anonymous")


class Donor(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        ORGANIZATION = "organization", _("Organisation")

    kind = models.CharField(_("donor type"), max_length=12, choices=Kind.choices)
    full_name = models.CharField(
        _("full name"), max_length=120, blank=True, validators=[validate_no_html],
        help_text=_("For an organisation: the contact person."),
    )
    organization_name = models.CharField(
        _("organisation name"), max_length=200, blank=True, validators=[validate_no_html]
    )
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True, validators=[validate_tax_code])
    phone = models.CharField(_("mobile phone"), max_length=10)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True, validators=[validate_no_html])
    province = models.ForeignKey(
        Province, verbose_name=_("province"), null=True, blank=True, on_delete=models.PROTECT,
        limit_choices_to={"set": "2025"},
    )
    public_display = models.CharField(
        _("show my name publicly as"), max_length=10, choices=PublicDisplay.choices, default=PublicDisplay.MASKED
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["phone"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="individual") & ~models.Q(full_name=""))
                | (models.Q(kind="organization") & ~models.Q(organization_name="")),
                name="donor_has_name",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.organization_name if self.kind == self.Kind.ORGANIZATION else self.full_name

    @property
    def public_name(self) -> str:
        return donor_public_name(
            kind=self.kind, full_name=self.full_name, organization_name=self.organization_name,
            public_display=self.public_display,
        )


def donor_public_name(*, kind: str, full_name: str, organization_name: str, public_display: str) -> str:
    """The name a donor shows in public as they chose it (`Donor.public_name`), from the donor's
    fields alone (for reads that load no Donor)."""
    name = organization_name if kind == Donor.Kind.ORGANIZATION else full_name
    if public_display == PublicDisplay.ANONYMOUS:
        return ANONYMOUS_NAME
    if public_display == PublicDisplay.MASKED:
        return mask_name(name)
    return name


class Pledge(models.Model):
    class Status(models.TextChoices):
        PLEDGED = "pledged", _("Pledged")
        PARTLY_RECEIVED = "partly_received", _("Partly received")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        WEB = "web", _("Web form")
        API = "api", _("API")
        STAFF = "staff", _("Staff")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="pledges")
    donor = models.ForeignKey(Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="pledges")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    amount = models.BigIntegerField(_("amount (đồng)"), null=True, blank=True, validators=[validate_cash_amount])
    reference = models.CharField(_("reference"), max_length=12, unique=True, editable=False)
    transfer_content = models.CharField(_("transfer content"), max_length=19, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLEDGED)
    source = models.CharField(_("source"), max_length=5, choices=Source.choices, default=Source.WEB)
    message = models.TextField(_("message"), max_length=500, blank=True, validators=[validate_no_html])
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cancelled by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    # The status follows the receipts (`pledge_status_refresh`, one UPDATE, not recorded here);
    # what staff do to a pledge — cancelling it — is.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["campaign", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="cash") & models.Q(amount__gt=0))
                | (models.Q(kind="goods") & models.Q(amount__isnull=True)),
                name="pledge_cash_has_amount",
            ),
            models.CheckConstraint(
                condition=(models.Q(status="cancelled") & models.Q(cancelled_at__isnull=False)
                           & ~models.Q(cancellation_reason=""))
                | (~models.Q(status="cancelled") & models.Q(cancelled_at__isnull=True)),
                name="pledge_cancelled_when_why",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("donations:pledge_detail", kwargs={"reference": self.reference})

    @property
    def public_name(self) -> str:
        return self.donor.public_name


class PledgeItem(GoodsLine):
    pledge = models.ForeignKey(Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="items")
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(MAX_QUANTITY)],
    )
    estimated_value = models.BigIntegerField(
        _("estimated value (đồng)"), null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100_000_000_000)],
    )

    class Meta:
        verbose_name = _("pledged item")
        verbose_name_plural = _("pledged items")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="pledge_item_quantity_positive"),
        ]
