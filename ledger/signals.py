"""The write side announces ledger changes; the read side (transparency) listens.

`ledger_changed` is sent after the transaction that wrote ledger entries commits, by the model
class of the entries written, with the id of the campaign whose figures changed: once per
transaction, however many entries it wrote. No ledger app imports the read side.

A long run of transactions (a statement import commits one a chunk) may coalesce its announcements
(`ledger_changes_coalesced`): each change is then sent at most once every so many seconds, and what
was held back is sent when the run ends, so the figures follow the run closely without being
recomputed after every chunk.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction
from django.dispatch import Signal

ledger_changed = Signal()


@dataclass
class _Coalescing:
    every: float
    sent_at: dict[tuple, float] = field(default_factory=dict)
    held: set[tuple] = field(default_factory=set)


_coalescing: ContextVar[_Coalescing | None] = ContextVar("ledger_changes_coalesced", default=None)


def _send(key: tuple) -> None:
    sender, campaign_id = key
    ledger_changed.send(sender=sender, campaign_id=campaign_id)


def ledger_change_announce(*, sender: type, campaign_id: int) -> None:
    """Send `ledger_changed` once the current transaction commits (at once outside a transaction)."""
    key = (sender, campaign_id)
    connection = transaction.get_connection()
    for _sids, callback, _robust in connection.run_on_commit:
        if getattr(callback, "ledger_change", None) == key and not callback.sent:
            return  # already announced in this transaction; a rollback drops the pending callback too

    def send() -> None:
        send.sent = True
        coalescing = _coalescing.get()
        if coalescing is not None:
            now = time.monotonic()
            if now - coalescing.sent_at.get(key, -coalescing.every) < coalescing.every:
                coalescing.held.add(key)
                return
            coalescing.sent_at[key] = now
            coalescing.held.discard(key)
        _send(key)

    send.ledger_change, send.sent = key, False
    transaction.on_commit(send)


@contextmanager
def ledger_changes_coalesced(*, every: float) -> Iterator[None]:
    """Inside the block, `ledger_changed` is sent for a sender and campaign at most once every
    `every` seconds (the first change at once); a change held back is sent when the block ends,
    however it ends (what was committed stays committed)."""
    if _coalescing.get() is not None:  # already inside one: its end sends what is held
        yield
        return
    coalescing = _Coalescing(every=every)
    token = _coalescing.set(coalescing)
    try:
        yield
    finally:
        _coalescing.reset(token)
        for key in sorted(coalescing.held, key=lambda key: (key[0].__name__, key[1])):
            _send(key)
