"""Writes of the donations app, one module per entity; import from here."""

from .pledges import (
    DonorData,
    PledgeData,
    donor_clean,
    donor_update,
    pledge_cancel,
    pledge_create,
    pledge_reference_generate,
    transfer_content_for,
)
from .receipts import pledge_status_refresh, receipt_record, receipt_reverse

__all__ = [
    "DonorData",
    "PledgeData",
    "donor_clean",
    "donor_update",
    "pledge_cancel",
    "pledge_create",
    "pledge_reference_generate",
    "pledge_status_refresh",
    "receipt_record",
    "receipt_reverse",
    "transfer_content_for",
]
from .queue import (  # noqa: E402
    MAX_SHARES,
    PledgeShare,
    bank_transaction_assign,
    bank_transaction_assign_shares,
    bank_transaction_confirm_direct,
    bank_transaction_mark_not_donation,
)
from .statements import (  # noqa: E402
    statement_import_create,
    statement_import_repeat,
    statement_import_retry,
    statement_import_run,
)

__all__ += [
    "MAX_SHARES",
    "PledgeShare",
    "bank_transaction_assign",
    "bank_transaction_assign_shares",
    "bank_transaction_confirm_direct",
    "bank_transaction_mark_not_donation",
    "statement_import_create",
    "statement_import_repeat",
    "statement_import_retry",
    "statement_import_run",
]
