from .bank import BankTransaction, BankTransactionDecision, StatementColumnMapping, StatementImport
from .pledges import (
    ANONYMOUS_NAME,
    Donor,
    Pledge,
    PledgeItem,
    PledgeKind,
    PublicDisplay,
    mask_name,
)
from .receipts import Receipt, ReceiptItem

__all__ = [
    "ANONYMOUS_NAME",
    "BankTransaction",
    "BankTransactionDecision",
    "Donor",
    "Pledge",
    "PledgeItem",
    "PledgeKind",
    "PublicDisplay",
    "Receipt",
    "ReceiptItem",
    "StatementColumnMapping",
    "StatementImport",
    "mask_name",
]
