"""The write side announces ledger changes; the read side (transparency) listens.

`ledger_changed` is sent after the transaction that wrote ledger entries commits, by the model
class of the entries written, with the id of the campaign whose figures changed: once per
transaction, however many entries it wrote. No ledger app imports the read side.
"""

from django.db import transaction
from django.dispatch import Signal

ledger_changed = Signal()


def ledger_change_announce(*, sender: type, campaign_id: int) -> None:
    """Send `ledger_changed` once the current transaction commits (at once outside a transaction)."""
    key = (sender, campaign_id)
    connection = transaction.get_connection()
    for _sids, callback, _robust in connection.run_on_commit:
        if getattr(callback, "ledger_change", None) == key and not callback.sent:
            return  # already announced in this transaction; a rollback drops the pending callback too

    def send() -> None:
        send.sent = True
        ledger_changed.send(sender=sender, campaign_id=campaign_id)

    send.ledger_change, send.sent = key, False
    transaction.on_commit(send)
