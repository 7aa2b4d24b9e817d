"""Staff accounts of the assistance work: ward staff (of one ward) and hotline operators."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from allocations.models import Committee, StaffMembership, StaffRole
from allocations.roles import ROLE_GROUPS

from ..models import Ward, WardStaff


@transaction.atomic
def assistance_staff_create(
    *, username: str, password: str, role: str, ward_code: str = "", province_code: str = ""
) -> AbstractBaseUser:
    """A ward officer (`role="ward"`, with the ward's code: a provincial member of the ward's province,
    limited further to the ward) or a hotline operator (`role="hotline"`, optionally of one province)."""
    User = get_user_model()
    if role not in ("ward", "hotline"):
        raise ValidationError({"role": [_("Choose ward or hotline.")]})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("This username is taken.")]})
    ward = None
    if role == "ward":
        ward = Ward.objects.select_related("province").filter(code=ward_code).first()
        if ward is None:
            raise ValidationError({"ward": [_("Give the 5-digit code of a commune or ward of the 2025 map.")]})
        province_code = ward.province.code
    committee = None
    if province_code:
        committee = Committee.objects.filter(level="provincial", province__code=province_code).first()
        if committee is None:
            raise ValidationError({"province": [_("Give the code of a province of the 2025 map.")]})
    user = User(username=username, is_staff=True)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    if committee is not None:
        StaffMembership.objects.create(user=user, committee=committee, role=StaffRole.PROVINCIAL)
    if ward is not None:
        WardStaff.objects.create(user=user, ward=ward)
    return user
