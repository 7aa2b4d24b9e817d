"""Writes of the donations app: donors and pledges."""

import secrets
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Province
from ledger.bulk import objects_insert_linked
from ledger.models import Kind
from ledger.services import ItemLine

from ..models import (
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    Donor,
    Pledge,
    PledgeItem,
    PublicDisplay,
)
from ..validators import normalize_vn_mobile

# No 0/O, 1/I/L: a reference is read aloud, copied by hand and typed into banking apps.
REFERENCE_ATTEMPTS = 8


@dataclass(frozen=True)
class DonorData:
    kind: str
    phone: str
    full_name: str = ""
    organization_name: str = ""
    tax_code: str = ""
    email: str = ""
    address: str = ""
    province: Province | None = None
    public_display: str = PublicDisplay.MASKED


@dataclass(frozen=True)
class PledgeData:
    kind: str
    amount: int | None = None
    items: list[ItemLine] = field(default_factory=list)
    message: str = ""


def pledge_reference_generate() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def transfer_content_for(*, campaign_code: str, reference: str) -> str:
    """ASCII, no diacritics, at most 19 characters: what the donor types as the transfer content."""
    content = f"{campaign_code} {reference}"
    assert len(content) <= 19 and content.isascii()
    return content


def _donor_build(data: DonorData) -> Donor:
    donor = Donor(
        kind=data.kind,
        full_name=data.full_name,
        organization_name=data.organization_name,
        tax_code=data.tax_code,
        phone=data.phone,
        email=data.email,
        address=data.address,
        province=data.province,
        public_display=data.public_display,
    )
    donor_clean(donor=donor)
    return donor


def donor_clean(*, donor: Donor) -> None:
    """Trim a donor's fields, normalise the phone and check them all, as the pledge form does.

    Raises ValidationError keyed by field. An organisation's name and tax code are kept only for
    an organisation.
    """
    donor.full_name = donor.full_name.strip()
    is_organization = donor.kind == Donor.Kind.ORGANIZATION
    donor.organization_name = donor.organization_name.strip() if is_organization else ""
    donor.tax_code = donor.tax_code.strip() if is_organization else ""
    donor.email = donor.email.strip()
    donor.address = donor.address.strip()
    errors: dict[str, list] = {}
    try:
        donor.phone = normalize_vn_mobile(donor.phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    if donor.kind == Donor.Kind.INDIVIDUAL and not donor.full_name:
        errors["full_name"] = [_("Please enter your full name.")]
    if is_organization and not donor.organization_name:
        errors["organization_name"] = [_("Please enter the organisation's name.")]
    if donor.province is not None and donor.province.set != "2025":
        errors["province"] = [_("Choose a province on the current map.")]
    try:
        # The checks above are the database's constraint (a name for the kind) and the province's
        # map, in Python; the province row itself is the foreign key's to guarantee. So no query here.
        donor.full_clean(exclude=["phone", "province", *errors], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def donor_update(*, donor: Donor, changed_by: AbstractBaseUser) -> Donor:
    """Save staff's corrections to a donor's contact data (its fields already set), checked like a
    donor's own entry and kept in its history with who changed it."""
    donor_clean(donor=donor)
    donor._history_user = changed_by
    donor.save()
    return donor


def _pledge_check(*, campaign: Campaign, data: PledgeData) -> dict[str, list]:
    errors: dict[str, list] = {}
    if not campaign.is_accepting:
        errors["campaign"] = [_("This campaign is not accepting donations.")]
    if data.kind == Kind.CASH:
        if data.amount is None:
            errors["amount"] = [_("Please enter the amount you will transfer.")]
        elif not campaign.accounts.exists():
            errors["campaign"] = [_("This campaign has no receiving bank account yet.")]
    elif data.kind == Kind.GOODS:
        if not data.items:
            errors["items"] = [_("Add at least one item you will bring.")]
    else:
        errors["kind"] = [_("Choose cash or goods.")]
    return errors


def pledge_create(
    *,
    campaign: Campaign,
    donor: DonorData,
    pledge: PledgeData,
    source: str = Pledge.Source.WEB,
    reference: str | None = None,
) -> Pledge:
    """Record a donor's pledge with a fresh reference and its exact transfer content.

    `reference` is for loading known pledges (demo data, migrations from paper records); donors
    always get a fresh random one. Raises ValidationError keyed by field (donor fields by their
    own names) and saves nothing when anything is wrong.

    Everything is checked in Python first (the database's check constraints included, so none is
    re-checked by a query); then the donor, the pledge, their history and the goods lines are written
    in one transaction, committed once. `campaign.accounts` may come prefetched.
    """
    errors = _pledge_check(campaign=campaign, data=pledge)
    try:
        donor_obj = _donor_build(donor)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    is_cash = pledge.kind == Kind.CASH
    obj = Pledge(
        campaign=campaign,
        kind=pledge.kind,
        amount=pledge.amount if is_cash else None,
        status=Pledge.Status.PLEDGED,
        source=source,
        message=pledge.message.strip(),
    )
    items = [] if is_cash else [
        PledgeItem(category=line.category, quantity=line.quantity, estimated_value=line.estimated_value)
        for line in pledge.items
    ]
    # The constraints (a cash pledge has its positive amount, a goods one none; not cancelled; a
    # positive quantity) hold by construction and by the fields' validators; the reference is unique
    # by the database, with a new draw on collision; campaign and categories are rows already read.
    obj.full_clean(exclude=["campaign", "donor", "reference", "transfer_content"],
                   validate_unique=False, validate_constraints=False)
    for number, item in enumerate(items, start=1):
        try:
            item.full_clean(exclude=["pledge", "category"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise ValidationError({"items": [f"#{number}: {m}" for m in exc.messages]}) from exc

    _pledge_write(pledge=obj, donor=donor_obj, items=items, reference=reference)
    return obj


def _pledge_write(*, pledge: Pledge, donor: Donor, items: list[PledgeItem], reference: str | None) -> None:
    """Insert the donor, the pledge (their history rows with them) and its goods lines, all or none:
    on PostgreSQL one statement, committed on its own (`objects_insert_linked`).

    A drawn reference another pledge already holds (31^8 codes: almost never) rolls the whole write
    back and it is done again with a new draw; any other integrity error is raised.
    """
    for _attempt in range(REFERENCE_ATTEMPTS):
        pledge.donor = donor  # not saved yet: the write takes its new id (again after a failed try)
        for item in items:
            item.pledge = pledge
        pledge.reference = reference or pledge_reference_generate()
        pledge.transfer_content = transfer_content_for(
            campaign_code=pledge.campaign.code, reference=pledge.reference
        )
        try:
            objects_insert_linked(objs=[donor, pledge, *items], with_history=(Donor, Pledge))
            return
        except IntegrityError:
            if reference is not None or not Pledge.objects.filter(reference=pledge.reference).exists():
                raise
            # Another pledge took this reference a moment ago: nothing of this one was kept; draw again.
            for written in (donor, pledge, *items):
                written.pk = None
                written._state.adding = True
    raise RuntimeError("could not allocate a unique pledge reference")  # pragma: no cover - 31^8 codes


@transaction.atomic
def pledge_cancel(*, pledge: Pledge, reason: str, cancelled_by: AbstractBaseUser) -> Pledge:
    """Cancel a pledge nothing was received for, saying why; who, when and why stay on the pledge and
    in its history.

    A pledge with a receipt that stands (not reversed) is settled or partly settled: it is not
    cancelled — its receipts are reversed first. Raises ValidationError and changes nothing otherwise.
    """
    from .receipts import (
        campaign_lock,  # receipts build on pledges; locks go campaign first (DESIGN rule 7)
    )

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the pledge is cancelled.")]})
    if len(reason) > 255:
        raise ValidationError({"reason": [_("Keep the reason under 255 characters.")]})
    campaign_lock(campaign_id=pledge.campaign_id)
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.status == Pledge.Status.CANCELLED:
        raise ValidationError({"status": [
            _("Pledge %(reference)s is already cancelled.") % {"reference": pledge.reference}
        ]})
    if pledge.receipts.filter(reverses__isnull=True, reversed_by__isnull=True).exists():
        raise ValidationError({"status": [
            _("Pledge %(reference)s has receipts: reverse them before cancelling it.") % {"reference": pledge.reference}
        ]})
    pledge.status = Pledge.Status.CANCELLED
    pledge.cancelled_at = timezone.now()
    pledge.cancelled_by = cancelled_by
    pledge.cancellation_reason = reason
    pledge.full_clean()
    pledge._history_user = cancelled_by
    pledge._change_reason = reason[:100]
    pledge.save()
    return pledge
