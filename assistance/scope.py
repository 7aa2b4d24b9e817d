"""Whose cases a staff member may see and decide: ward staff their ward, provincial staff every ward
of their province, central staff and auditors everything (auditors only read)."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from allocations.models import StaffRole
from allocations.selectors import user_province_scope

from .models import Ward


def user_ward_scope(*, user) -> Ward | None:
    """The one ward a ward staff member works for; None for everyone else."""
    if not user.is_authenticated:
        return None
    assignment = getattr(user, "ward_assignment", None)
    return assignment.ward if assignment is not None else None


def ward_q(*, user, prefix: str = "ward") -> Q:
    """Rows whose ward (at `prefix`) the user may see: everything, their province, or their ward."""
    ward = user_ward_scope(user=user)
    if ward is not None:
        return Q(**{prefix: ward})
    province = user_province_scope(user=user)
    if province is not None:
        return Q(**{f"{prefix}__province": province})
    return Q()


def in_ward_scope(user, ward: Ward) -> bool:
    scope = user_ward_scope(user=user)
    if scope is not None:
        return scope.pk == ward.pk
    province = user_province_scope(user=user)
    return province is None or province.pk == ward.province_id


def ward_scope_check(*, user, ward: Ward, permission: str) -> None:
    """Refuse (ValidationError) a write by an auditor, by someone without `permission`, or outside
    the user's ward or province."""
    membership = getattr(user, "membership", None)
    if membership is not None and membership.role == StaffRole.AUDITOR:
        raise ValidationError(_("Auditors can only read."))
    if not user.has_perm(permission):
        raise ValidationError(_("Your role does not allow this."))
    if not in_ward_scope(user, ward):
        if user_ward_scope(user=user) is not None:
            raise ValidationError({"ward": [_("You can only act for your own commune or ward.")]})
        raise ValidationError({"ward": [_("You can only act for the communes and wards of your province.")]})
