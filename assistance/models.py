"""Who is helped: wards, support programmes, need registrations and their verification, the one
registry of beneficiaries, and handovers at distribution points (a ledger of the campaign).

A citizen ID is never stored as typed: a registration and a beneficiary keep its keyed hash
(`assistance.citizen_id.keyed_hash`) and its masked form (`0010****1234`) only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from campaigns.models import Campaign, ItemCategory, Province, ProvinceSet
from ledger.journal import utc_time
from ledger.models import LedgerEntry, LedgerItem

MAX_HOUSEHOLD = 50


class Ward(models.Model):
    """A commune, ward or special zone of the 2025 map (loaded from the `vietnam-provinces` package)."""

    class Kind(models.TextChoices):
        COMMUNE = "xa", _("Commune")
        WARD = "phuong", _("Ward")
        SPECIAL_ZONE = "dac_khu", _("Special zone")

    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="wards",
        limit_choices_to={"set": ProvinceSet.Y2025},
    )
    sort_key = models.CharField(_("sort key"), max_length=80, editable=False)

    class Meta:
        verbose_name = _("commune or ward")
        verbose_name_plural = _("communes and wards")
        ordering = ["sort_key", "code"]
        indexes = [models.Index(fields=["province", "sort_key"])]

    def __str__(self) -> str:
        return self.name


class SupportProgramme(models.Model):
    """What a campaign gives to people: who qualifies, where, what each person is entitled to, when."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="programmes")
    name = models.CharField(_("name"), max_length=200)
    eligibility = models.TextField(_("who qualifies"))
    provinces = models.ManyToManyField(
        Province, verbose_name=_("provinces"), related_name="programmes", limit_choices_to={"set": ProvinceSet.Y2025},
    )
    cash_per_person = models.BigIntegerField(
        _("cash per person (đồng)"), null=True, blank=True,
        help_text=_("Leave empty when the programme gives goods only."),
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    accepts_web = models.BooleanField(_("registrations on the web and the API"), default=True)
    accepts_hotline = models.BooleanField(_("registrations by the hotline"), default=True)
    accepts_lists = models.BooleanField(_("lists sent by communes"), default=True)
    omission_days = models.PositiveSmallIntegerField(
        _("days to serve"), default=3,
        help_text=_("A person verified and not served after this many days is reported as an omission."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[provinces])

    class Meta:
        verbose_name = _("support programme")
        verbose_name_plural = _("support programmes")
        ordering = ["-opens_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cash_per_person__isnull=True) | Q(cash_per_person__gt=0), name="programme_cash_positive"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("opens_on")),
                name="programme_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open(self, day) -> bool:
        return self.opens_on <= day and (self.closes_on is None or day <= self.closes_on)


class ProgrammeGoods(models.Model):
    """Goods each person of a programme is entitled to, e.g. 10 kg of rice."""

    programme = models.ForeignKey(
        SupportProgramme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="goods"
    )
    category = models.ForeignKey(ItemCategory, verbose_name=_("category"), on_delete=models.PROTECT)
    quantity = models.DecimalField(_("quantity per person"), max_digits=14, decimal_places=3)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goods per person")
        verbose_name_plural = _("goods per person")
        constraints = [
            models.UniqueConstraint(fields=["programme", "category"], name="programme_goods_unique_category"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="programme_goods_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity.normalize():f} {self.category.get_unit_display()} {self.category}"


class DistributionPoint(models.Model):
    """Where a programme hands out support: a place in a ward."""

    programme = models.ForeignKey(
        SupportProgramme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="points"
    )
    ward = models.ForeignKey(Ward, verbose_name=_("commune or ward"), on_delete=models.PROTECT, related_name="points")
    name = models.CharField(_("name"), max_length=160)
    address = models.CharField(_("address"), max_length=255)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("distribution point")
        verbose_name_plural = _("distribution points")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WardStaff(models.Model):
    """A staff member who works for one ward: sees and decides only that ward's registrations."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="ward_assignment"
    )
    ward = models.ForeignKey(Ward, verbose_name=_("commune or ward"), on_delete=models.PROTECT, related_name="staff")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ward staff")
        verbose_name_plural = _("ward staff")

    def __str__(self) -> str:
        return f"{self.user} — {self.ward}"


class Beneficiary(models.Model):
    """One person in the registry, across campaigns: the database refuses a second record of the
    same citizen ID (its keyed hash is unique)."""

    id_hash = models.CharField(_("citizen ID (keyed hash)"), max_length=64, unique=True, editable=False)
    id_masked = models.CharField(_("citizen ID"), max_length=12, editable=False)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    full_name = models.CharField(_("full name"), max_length=120)
    phone = models.CharField(_("mobile phone"), max_length=10, blank=True, db_index=True)
    ward = models.ForeignKey(Ward, verbose_name=_("commune or ward"), on_delete=models.PROTECT, related_name="beneficiaries")
    address = models.CharField(_("address"), max_length=255, blank=True)
    household_size = models.PositiveSmallIntegerField(_("household size"), default=1)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(household_size__gte=1) & Q(household_size__lte=MAX_HOUSEHOLD), name="beneficiary_household_size"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.id_masked})"


class NeedRegistration(models.Model):
    """A person's request for help (made by them or by a relative), until their ward decides on it."""

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("registration status", "Received")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        DUPLICATE = "duplicate", _("Duplicate")
        SERVED = "served", _("Served")

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        API = "api", _("API")
        HOTLINE = "hotline", _("Hotline")

    programme = models.ForeignKey(
        SupportProgramme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="registrations"
    )
    code = models.CharField(_("tracking code"), max_length=8, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    full_name = models.CharField(_("full name"), max_length=120)
    phone = models.CharField(_("mobile phone"), max_length=10, db_index=True)
    id_hash = models.CharField(_("citizen ID (keyed hash)"), max_length=64, db_index=True, editable=False)
    id_masked = models.CharField(_("citizen ID"), max_length=12, editable=False)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), editable=False)
    relative_name = models.CharField(
        _("registered by (relative)"), max_length=120, blank=True,
        help_text=_("Filled in when a relative registers on the person's behalf."),
    )
    ward = models.ForeignKey(Ward, verbose_name=_("commune or ward"), on_delete=models.PROTECT, related_name="registrations")
    address = models.CharField(_("address"), max_length=255)
    household_size = models.PositiveSmallIntegerField(_("household size"))
    need_food = models.BooleanField(_("food"), default=False)
    need_medical = models.BooleanField(_("medical help"), default=False)
    need_necessities = models.BooleanField(_("necessities"), default=False)
    need_cash = models.BooleanField(_("cash"), default=False)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("beneficiary"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="registrations",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("The hotline operator who took the registration by phone."),
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    NEED_FIELDS = ("need_food", "need_medical", "need_necessities", "need_cash")

    class Meta:
        verbose_name = _("need registration")
        verbose_name_plural = _("need registrations")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["programme", "status"]),
            models.Index(fields=["ward", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(household_size__gte=1) & Q(household_size__lte=MAX_HOUSEHOLD), name="registration_household_size"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "duplicate"]) | ~Q(reason=""), name="registration_refusal_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["verified", "served"]) | Q(beneficiary__isnull=False),
                name="registration_verified_has_beneficiary",
            ),
            models.CheckConstraint(
                condition=Q(need_food=True) | Q(need_medical=True) | Q(need_necessities=True) | Q(need_cash=True),
                name="registration_needs_something",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def needs(self) -> list[str]:
        return [name.removeprefix("need_") for name in self.NEED_FIELDS if getattr(self, name)]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("assistance:tracking", kwargs={"code": self.code})


class ListImport(models.Model):
    """A list of people a commune sent for a programme: checked whole when uploaded, then added to the
    registry and the programme by a task (what was added, what was not).

    Between the two it keeps the checked rows (citizen IDs already hashed and masked, never the file
    itself); they are dropped once the import has run.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be added")
        DONE = "done", _("Added")
        FAILED = "failed", _("Failed: import the list again")

    programme = models.ForeignKey(
        SupportProgramme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="list_imports"
    )
    ward = models.ForeignKey(Ward, verbose_name=_("commune or ward"), on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField(_("rows"))
    added = models.PositiveIntegerField(_("new in the registry"), default=0)
    linked = models.PositiveIntegerField(_("already in the registry"), default=0)
    skipped = models.PositiveIntegerField(_("already in the programme"), default=0)
    pending_rows = models.JSONField(_("checked rows waiting to be added"), null=True, blank=True, editable=False)
    known_rows = models.JSONField(
        _("rows of people already known"), default=list, blank=True, editable=False,
        help_text=_("[row, name, masked ID, already in the programme] of the first rows found in the registry."),
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("list import")
        verbose_name_plural = _("list imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.file_name


class Enrollment(models.Model):
    """A beneficiary in a programme: entitled to what the programme gives each person, once."""

    class Source(models.TextChoices):
        REGISTRATION = "registration", _("Verified registration")
        LIST = "list", _("Commune list")

    programme = models.ForeignKey(
        SupportProgramme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="enrollments"
    )
    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("beneficiary"), on_delete=models.PROTECT, related_name="enrollments"
    )
    ward = models.ForeignKey(Ward, verbose_name=_("commune or ward"), on_delete=models.PROTECT, related_name="enrollments")
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    registration = models.OneToOneField(
        NeedRegistration, verbose_name=_("registration"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="enrollment",
    )
    list_import = models.ForeignKey(
        ListImport, verbose_name=_("list import"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="enrollments",
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enrolled by"), on_delete=models.PROTECT, related_name="+"
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    served_at = models.DateTimeField(
        _("served at"), null=True, blank=True, help_text=_("When the whole entitlement had been handed over."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["-enrolled_at", "-pk"]
        indexes = [
            models.Index(fields=["programme", "ward", "enrolled_at"]),
            models.Index(fields=["programme", "served_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["programme", "beneficiary"], name="enrollment_once_per_programme"),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary} — {self.programme}"


class Handover(LedgerEntry):
    """Cash or goods handed to a person at a distribution point: an entry of the campaign's ledger,
    journalled as `handover` (its reversal `handover_reversal`). The person is never journalled."""

    NUMBER_PREFIX = "CP"
    JOURNAL_RELATED = ("reverses", "province")
    REVERSAL_COPIES = ("enrollment_id", "province_id", "ward_id", "point_id")

    number = models.CharField(_("handover number"), max_length=24, editable=False)  # unique: see LedgerEntry
    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("enrollment"), on_delete=models.PROTECT, related_name="handovers"
    )
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="handovers",
        limit_choices_to={"set": ProvinceSet.Y2025},
    )
    ward = models.ForeignKey(
        Ward, verbose_name=_("commune or ward"), on_delete=models.PROTECT, related_name="handovers",
        help_text=_("Where the person lives (the point may be in a neighbouring ward)."),
    )
    point = models.ForeignKey(
        DistributionPoint, verbose_name=_("distribution point"), on_delete=models.PROTECT, related_name="handovers"
    )
    handed_at = models.DateTimeField(_("handed over at"), default=timezone.now)

    class Meta(LedgerEntry.Meta):
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-handed_at", "-pk"]
        indexes = [
            models.Index(fields=["campaign", "province"]),
            models.Index(fields=["point", "handed_at"]),
        ]

    def reversal_values(self) -> dict:
        # A correction is dated when it is made: the reports of the days before stay as they were.
        return {**super().reversal_values(), "handed_at": timezone.now()}

    def journal_values(self) -> dict[str, str]:
        return {
            **super().journal_values(),
            "time": utc_time(self.handed_at),
            "province": f"{self.province.set}:{self.province.code}",
            "date": timezone.localdate(self.handed_at).isoformat(),
        }


class HandoverItem(LedgerItem):
    handover = models.ForeignKey(Handover, verbose_name=_("handover"), on_delete=models.PROTECT, related_name="items")

    class Meta(LedgerItem.Meta):
        verbose_name = _("goods handed over")
        verbose_name_plural = _("goods handed over")
