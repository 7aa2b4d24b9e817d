"""Writes of the assistance app, one module per concern; import from here."""

from .handovers import enrollment_served_refresh, handover_record, handover_reverse
from .imports import (
    ListImportResult,
    beneficiary_list_check,
    beneficiary_list_import,
    beneficiary_list_import_run,
    beneficiary_list_queue,
)
from .registrations import (
    NEEDS,
    NeedData,
    beneficiary_get_or_create,
    need_register,
    need_registration_mark_duplicate,
    need_registration_reject,
    need_registration_verify,
    programme_accepts,
)
from .staff import assistance_staff_create

__all__ = [
    "NEEDS",
    "ListImportResult",
    "NeedData",
    "assistance_staff_create",
    "beneficiary_get_or_create",
    "beneficiary_list_check",
    "beneficiary_list_import",
    "beneficiary_list_import_run",
    "beneficiary_list_queue",
    "enrollment_served_refresh",
    "handover_record",
    "handover_reverse",
    "need_register",
    "need_registration_mark_duplicate",
    "need_registration_reject",
    "need_registration_verify",
    "programme_accepts",
]
