"""Need registrations (web, API, hotline) and the ward's decision on each: verify, reject, duplicate.

A verified person becomes a beneficiary of the registry (one record per citizen ID, the database's
unique constraint decides between two at once) and is enrolled in the programme once.
"""

import datetime
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from donations.models import REFERENCE_ALPHABET, REFERENCE_LENGTH
from donations.validators import normalize_vn_mobile, validate_no_html

from .. import citizen_id
from ..models import (
    MAX_HOUSEHOLD,
    Beneficiary,
    Enrollment,
    NeedRegistration,
    SupportProgramme,
    Ward,
)
from ..scope import ward_scope_check

NEEDS = ("food", "medical", "necessities", "cash")
CODE_ATTEMPTS = 8
DECIDE = "assistance.change_needregistration"


@dataclass(frozen=True)
class NeedData:
    """What a person (or a relative, or a hotline operator) tells about a need."""

    full_name: str
    phone: str
    citizen_id: str
    ward: Ward | None
    address: str
    household_size: int | None
    needs: Sequence[str] = field(default_factory=tuple)
    description: str = ""
    relative_name: str = ""


def tracking_code_generate() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def programme_accepts(*, programme: SupportProgramme, channel: str, today: datetime.date | None = None) -> str | None:
    """Why a programme takes no registration by this channel today, or None."""
    today = today or timezone.localdate()
    if programme.campaign.status == Campaign.Status.DRAFT:
        return _("Unknown programme.")
    if not programme.is_open(today) or programme.campaign.status != Campaign.Status.ACTIVE:
        return _("This programme is not taking registrations now.")
    accepts = programme.accepts_hotline if channel == NeedRegistration.Channel.HOTLINE else programme.accepts_web
    if not accepts:
        return _("This programme does not take registrations this way.")
    return None


def _text(errors: dict, name: str, value: str, *, limit: int, required: bool, missing: str = "") -> str:
    value = " ".join((value or "").split()) if name != "description" else (value or "").strip()
    if required and not value:
        errors[name] = [missing]
    elif len(value) > limit:
        errors[name] = [_("Keep this under %(limit)s characters.") % {"limit": limit}]
    else:
        try:
            validate_no_html(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    return value


def need_check(*, programme: SupportProgramme, data: NeedData) -> tuple[dict, dict]:
    """Check every field of a need; returns (clean values, errors keyed by field)."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    clean["full_name"] = _text(errors, "full_name", data.full_name, limit=120, required=True,
                               missing=_("Enter the full name of the person who needs help."))
    clean["relative_name"] = _text(errors, "relative_name", data.relative_name, limit=120, required=False)
    clean["address"] = _text(errors, "address", data.address, limit=255, required=True,
                             missing=_("Enter where the person is now: house number, street, hamlet or village."))
    clean["description"] = _text(errors, "description", data.description, limit=1000, required=False)
    try:
        clean["phone"] = normalize_vn_mobile(data.phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    try:
        clean["citizen_id"] = citizen_id.parse(data.citizen_id)
    except ValidationError as exc:
        errors["citizen_id"] = exc.messages
    if data.ward is None:
        errors["ward"] = [_("Choose the commune or ward where the person is now.")]
    elif not programme.provinces.filter(pk=data.ward.province_id).exists():
        errors["ward"] = [_("This programme helps people in %(provinces)s only.") % {
            "provinces": ", ".join(p.name for p in programme.provinces.order_by("name")),
        }]
    clean["ward"] = data.ward
    if data.household_size is None or not 1 <= data.household_size <= MAX_HOUSEHOLD:
        errors["household_size"] = [_("A household has 1 to %(max)s people.") % {"max": MAX_HOUSEHOLD}]
    clean["household_size"] = data.household_size
    needs = set(data.needs or ())
    if not needs:
        errors["needs"] = [_("Choose at least one thing the person needs.")]
    elif needs - set(NEEDS):
        errors["needs"] = [_("Choose food, medical help, necessities or cash.")]
    clean["needs"] = needs
    return clean, errors


@transaction.atomic
def need_register(
    *,
    programme: SupportProgramme,
    data: NeedData,
    channel: str = NeedRegistration.Channel.WEB,
    entered_by: AbstractBaseUser | None = None,
) -> NeedRegistration:
    """Record a need with a fresh tracking code. Raises ValidationError keyed by field and saves
    nothing when anything is wrong. The citizen ID is kept only as its keyed hash and masked form."""
    refusal = programme_accepts(programme=programme, channel=channel)
    clean, errors = need_check(programme=programme, data=data)
    if refusal:
        errors = {"programme": [refusal], **errors}
    if channel == NeedRegistration.Channel.HOTLINE and entered_by is None:
        errors["channel"] = [_("A hotline registration names the operator who took it.")]
    if errors:
        raise ValidationError(errors)
    person: citizen_id.CitizenId = clean["citizen_id"]
    registration = NeedRegistration(
        programme=programme, channel=channel, full_name=clean["full_name"], phone=clean["phone"],
        id_hash=person.hash, id_masked=person.masked, birth_year=person.birth_year,
        relative_name=clean["relative_name"], ward=clean["ward"], address=clean["address"],
        household_size=clean["household_size"], description=clean["description"],
        entered_by=entered_by if channel == NeedRegistration.Channel.HOTLINE else None,
        **{f"need_{name}": name in clean["needs"] for name in NEEDS},
    )
    registration.full_clean(exclude=["code"])
    registration._history_user = entered_by
    for _attempt in range(CODE_ATTEMPTS):
        registration.code = tracking_code_generate()
        try:
            with transaction.atomic():
                registration.save()
            return registration
        except IntegrityError:
            registration.pk = None  # the code was taken a moment ago: draw again
    raise RuntimeError("could not allocate a unique tracking code")  # pragma: no cover - 31^8 codes


# --- the ward's decision ------------------------------------------------------------------------


def _locked_undecided(registration: NeedRegistration, user) -> NeedRegistration:
    registration = NeedRegistration.objects.select_for_update(of=("self",)).select_related(
        "ward", "programme").get(pk=registration.pk)
    ward_scope_check(user=user, ward=registration.ward, permission=DECIDE)
    if registration.status != NeedRegistration.Status.RECEIVED:
        raise ValidationError({"status": [_("Registration %(code)s was already decided: %(status)s.") % {
            "code": registration.code, "status": registration.get_status_display(),
        }]})
    return registration


def _decide(registration: NeedRegistration, *, status: str, reason: str, user, **values) -> NeedRegistration:
    registration.status, registration.reason = status, reason[:255]
    registration.decided_by, registration.decided_at = user, timezone.now()
    for name, value in values.items():
        setattr(registration, name, value)
    registration._history_user = user
    registration._change_reason = (reason or status)[:100]
    registration.save()
    return registration


def beneficiary_get_or_create(
    *, id_hash: str, id_masked: str, birth_year: int, defaults: dict, created_by
) -> tuple[Beneficiary, bool]:
    """The registry's one record of a person. Two callers creating the same person at once: the
    unique constraint refuses the second insert, which then reads the first's row."""
    existing = Beneficiary.objects.filter(id_hash=id_hash).first()
    if existing is not None:
        return existing, False
    beneficiary = Beneficiary(id_hash=id_hash, id_masked=id_masked, birth_year=birth_year, created_by=created_by,
                              **defaults)
    beneficiary._history_user = created_by
    try:
        with transaction.atomic():
            beneficiary.save()
    except IntegrityError:
        return Beneficiary.objects.get(id_hash=id_hash), False
    return beneficiary, True


@transaction.atomic
def need_registration_verify(*, registration: NeedRegistration, user: AbstractBaseUser, note: str = "") -> NeedRegistration:
    """The ward confirms the need: the person joins the registry (or is found in it) and the programme.

    A person already in the programme is not enrolled twice: the registration is marked a duplicate
    of the earlier one, with the reason.
    """
    registration = _locked_undecided(registration, user)
    beneficiary, created = beneficiary_get_or_create(
        id_hash=registration.id_hash, id_masked=registration.id_masked, birth_year=registration.birth_year,
        created_by=user, defaults={
            "full_name": registration.full_name, "phone": registration.phone, "ward": registration.ward,
            "address": registration.address, "household_size": registration.household_size,
        },
    )
    if not created:
        beneficiary_contact_update(beneficiary=beneficiary, registration=registration, user=user)
    enrollment = Enrollment(
        programme=registration.programme, beneficiary=beneficiary, ward=registration.ward,
        source=Enrollment.Source.REGISTRATION, registration=registration, enrolled_by=user,
    )
    enrollment._history_user = user
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        earlier = Enrollment.objects.select_related("registration").get(
            programme=registration.programme, beneficiary=beneficiary)
        return _decide(registration, status=NeedRegistration.Status.DUPLICATE, user=user,
                       reason=_duplicate_reason(earlier), duplicate_of=earlier.registration, beneficiary=beneficiary)
    return _decide(registration, status=NeedRegistration.Status.VERIFIED, reason=(note or "").strip(), user=user,
                   beneficiary=beneficiary)


def _duplicate_reason(enrollment: Enrollment) -> str:
    if enrollment.registration is not None:
        return _("Already registered in this programme (%(code)s).") % {"code": enrollment.registration.code}
    return _("Already in this programme from the commune's list.")


def beneficiary_contact_update(*, beneficiary: Beneficiary, registration: NeedRegistration, user) -> None:
    """A person found again in the registry: keep their latest phone, place and household (with history)."""
    values = {"full_name": registration.full_name, "phone": registration.phone, "ward_id": registration.ward_id,
              "address": registration.address, "household_size": registration.household_size}
    if all(getattr(beneficiary, name) == value for name, value in values.items()):
        return
    for name, value in values.items():
        setattr(beneficiary, name, value)
    beneficiary._history_user = user
    beneficiary._change_reason = _("Updated from registration %(code)s") % {"code": registration.code}
    beneficiary.save()


@transaction.atomic
def need_registration_reject(*, registration: NeedRegistration, user: AbstractBaseUser, reason: str) -> NeedRegistration:
    """The ward finds the need not eligible; the person sees the reason on their tracking page."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Say why the registration is rejected; the person will see it.")]})
    if len(reason) > 255:
        raise ValidationError({"reason": [_("Keep this under %(limit)s characters.") % {"limit": 255}]})
    registration = _locked_undecided(registration, user)
    return _decide(registration, status=NeedRegistration.Status.REJECTED, reason=reason, user=user)


@transaction.atomic
def need_registration_mark_duplicate(
    *, registration: NeedRegistration, duplicate_of: NeedRegistration, user: AbstractBaseUser
) -> NeedRegistration:
    """The same need registered twice: the later one points at the one that stands."""
    registration = _locked_undecided(registration, user)
    if duplicate_of.pk == registration.pk or duplicate_of.programme_id != registration.programme_id:
        raise ValidationError({"duplicate_of": [_("Choose another registration of the same programme.")]})
    if duplicate_of.status in (NeedRegistration.Status.REJECTED, NeedRegistration.Status.DUPLICATE):
        raise ValidationError({"duplicate_of": [_("%(code)s does not stand itself (%(status)s).") % {
            "code": duplicate_of.code, "status": duplicate_of.get_status_display()}]})
    return _decide(registration, status=NeedRegistration.Status.DUPLICATE, user=user, duplicate_of=duplicate_of,
                   reason=_("Duplicate of registration %(code)s.") % {"code": duplicate_of.code})
