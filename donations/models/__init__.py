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
    "mask_name",
]
