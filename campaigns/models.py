"""The base of the portal: provinces, banks, campaigns and where donations are received."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ProvinceSet(models.TextChoices):
    Y2008 = "2008", _("63 units (until 30 June 2025)")
    Y2025 = "2025", _("34 units (from 1 July 2025)")


class Province(models.Model):
    """A provincial-level unit of one of the two administrative maps, identified by (set, code)."""

    class Kind(models.TextChoices):
        CITY = "city", _("Centrally-run city")
        PROVINCE = "province", pgettext_lazy("kind of unit", "Province")

    set = models.CharField(_("administrative map"), max_length=4, choices=ProvinceSet.choices)
    code = models.CharField(_("code"), max_length=2)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        limit_choices_to={"set": ProvinceSet.Y2025},
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["set", "name"]
        constraints = [
            models.UniqueConstraint(fields=["set", "code"], name="province_unique_set_code"),
        ]

    def __str__(self) -> str:
        if self.set == ProvinceSet.Y2008:
            return f"{self.name} ({self.set})"
        return self.name

    def clean(self):
        super().clean()
        if self.successor_id and self.set != ProvinceSet.Y2008:
            raise ValidationError({"successor": _("Only a unit of the 63-unit map has a successor.")})

    @property
    def current(self) -> "Province":
        """The unit on today's map this one rolls up to."""
        return self.successor if self.successor_id else self


class Bank(models.Model):
    """A Vietnamese bank in the NAPAS network, identified by its BIN."""

    short_name = models.CharField(_("short name"), max_length=32, unique=True)
    name = models.CharField(_("full name"), max_length=128)
    bin = models.CharField(
        _("BIN"), max_length=6, unique=True, validators=[RegexValidator(r"^\d{6}$", _("A BIN is 6 digits."))]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bank")
        verbose_name_plural = _("banks")
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name


class ItemCategory(models.Model):
    """A kind of in-kind goods donors give, with the unit it is counted in."""

    class Unit(models.TextChoices):
        KG = "kg", "kg"
        BOX = "thung", _("box")
        PACK = "goi", _("pack")
        BOTTLE = "chai", _("bottle")
        MEAL = "suat", _("portion")
        SET = "bo", _("set")
        PIECE = "cai", _("piece")
        LITRE = "lit", _("litre")

    slug = models.SlugField(_("slug"), unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("item category")
        verbose_name_plural = _("item categories")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


campaign_code_validator = RegexValidator(
    r"^[A-Z2-9]{3,8}$",
    _("3 to 8 capital letters or digits (no 0 or 1), used in transfer references."),
)


class CampaignQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Campaign.Status.ACTIVE)

    def public(self):
        return self.exclude(status=Campaign.Status.DRAFT)


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    slug = models.SlugField(_("slug"), unique=True, max_length=80)
    name = models.CharField(_("name"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    target_amount = models.BigIntegerField(
        _("target (đồng)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    code = models.CharField(
        _("transfer code"),
        max_length=8,
        unique=True,
        validators=[campaign_code_validator],
        help_text=_("Short code put in every transfer content, e.g. YAGI24."),
    )
    province_set = models.CharField(
        _("administrative map"), max_length=4, choices=ProvinceSet.choices, default=ProvinceSet.Y2025
    )
    provinces = models.ManyToManyField(
        Province, verbose_name=_("affected provinces"), blank=True, related_name="campaigns"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CampaignQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[provinces])

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_amount__isnull=True) | models.Q(target_amount__gt=0),
                name="campaign_target_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("transparency:campaign", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.pk is None:
            return
        stored = Campaign.objects.filter(pk=self.pk).values_list("code", flat=True).first()
        # Donors have typed the code into their transfers and receipt numbers begin with it.
        if stored is not None and stored != self.code and (self.pledges.exists() or self.receipts.exists()):
            raise ValidationError({"code": _(
                "The transfer code %(code)s cannot change: pledges or receipts of this campaign already carry it."
            ) % {"code": stored}})

    @property
    def is_accepting(self) -> bool:
        return self.status == self.Status.ACTIVE


class ReceivingAccount(models.Model):
    """A bank account a campaign receives transfers on."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="accounts"
    )
    bank = models.ForeignKey(Bank, verbose_name=_("bank"), on_delete=models.PROTECT)
    account_number = models.CharField(
        _("account number"),
        max_length=19,
        validators=[RegexValidator(r"^[0-9A-Z]{6,19}$", _("6 to 19 digits or capital letters."))],
    )
    account_holder = models.CharField(_("account holder"), max_length=120)
    branch = models.CharField(_("branch"), max_length=120, blank=True)
    is_primary = models.BooleanField(_("primary"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("receiving account")
        verbose_name_plural = _("receiving accounts")
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "account_number"], name="account_unique_bank_number"),
        ]

    def __str__(self) -> str:
        return f"{self.bank.short_name} {self.account_number}"


class DropOffPoint(models.Model):
    """Where donors hand in goods for a campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="dropoff_points"
    )
    name = models.CharField(_("name"), max_length=160)
    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.PROTECT)
    address = models.CharField(_("address"), max_length=255)
    phone = models.CharField(_("contact phone"), max_length=20)
    opening_hours = models.CharField(_("opening hours"), max_length=160)
    categories = models.ManyToManyField(ItemCategory, verbose_name=_("accepted categories"), blank=True)
    history = HistoricalRecords(m2m_fields=[categories])

    class Meta:
        verbose_name = _("drop-off point")
        verbose_name_plural = _("drop-off points")
        ordering = ["province__name", "name"]

    def __str__(self) -> str:
        return self.name
