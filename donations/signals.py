"""The write side announces ledger changes; the read side (transparency) listens.

`ledger_changed` is sent after the transaction that wrote receipts commits, with the id of the
campaign whose figures changed. Donations never imports the read side.
"""

from django.db import transaction
from django.dispatch import Signal

ledger_changed = Signal()


def announce_ledger_change(*, campaign_id: int) -> None:
    transaction.on_commit(lambda: ledger_changed.send(sender="donations", campaign_id=campaign_id))
