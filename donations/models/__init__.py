from .bank import (
    BankTransaction,
    BankTransactionDecision,
    StatementColumnMapping,
    StatementImport,
)
from .pledges import (
    ANONYMOUS_NAME,
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    Donor,
    Pledge,
    PledgeItem,
    PublicDisplay,
    donor_public_name,
    mask_name,
)
from .receipts import Receipt, ReceiptItem

__all__ = [
    "ANONYMOUS_NAME",
    "REFERENCE_ALPHABET",
    "REFERENCE_LENGTH",
    "BankTransaction",
    "BankTransactionDecision",
    "Donor",
    "Pledge",
    "PledgeItem",
    "PublicDisplay",
    "Receipt",
    "ReceiptItem",
    "StatementColumnMapping",
    "StatementImport",
    "donor_public_name",
    "mask_name",
]
