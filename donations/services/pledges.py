"""Writes of the donations app: pledges."""

import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Province
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
        full_name=data.full_name.strip(),
        organization_name=data.organization_name.strip() if data.kind == Donor.Kind.ORGANIZATION else "",
        tax_code=data.tax_code.strip() if data.kind == Donor.Kind.ORGANIZATION else "",
        email=data.email.strip(),
        address=data.address.strip(),
        province=data.province,
        public_display=data.public_display,
    )
    errors: dict[str, list] = {}
    try:
        donor.phone = normalize_vn_mobile(data.phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    if donor.kind == Donor.Kind.INDIVIDUAL and not donor.full_name:
        errors["full_name"] = [_("Please enter your full name.")]
    if donor.kind == Donor.Kind.ORGANIZATION and not donor.organization_name:
        errors["organization_name"] = [_("Please enter the organisation's name.")]
    if donor.province is not None and donor.province.set != "2025":
        errors["province"] = [_("Choose a province on the current map.")]
    try:
        donor.full_clean(exclude=["phone", *errors])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
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


@transaction.atomic
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
    obj.full_clean(exclude=["donor", "reference", "transfer_content"])
    for number, item in enumerate(items, start=1):
        try:
            item.full_clean(exclude=["pledge"])
        except ValidationError as exc:
            raise ValidationError({"items": [f"#{number}: {m}" for m in exc.messages]}) from exc

    donor_obj.save()
    obj.donor = donor_obj
    for _attempt in range(REFERENCE_ATTEMPTS):
        obj.reference = reference or pledge_reference_generate()
        obj.transfer_content = transfer_content_for(campaign_code=campaign.code, reference=obj.reference)
        try:
            with transaction.atomic():
                obj.save()
            break
        except IntegrityError:
            # Another pledge took this reference a moment ago: draw again.
            obj.pk = None
            continue
    else:  # pragma: no cover - 31^8 codes make this practically unreachable
        raise RuntimeError("could not allocate a unique pledge reference")
    for item in items:
        item.pledge = obj
    PledgeItem.objects.bulk_create(items)
    return obj
