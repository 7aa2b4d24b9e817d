"""Committee staff's admin of the donations app: donors and pledges, the receipts ledger (append-only),
bank statement imports and the queue of bank transactions waiting for a decision.

The admin stays thin: every write goes through `donations.services`.
"""

from . import bank, pledges, receipts, statements  # noqa: F401  (registers the model admins)
