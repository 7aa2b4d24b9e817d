"""Writes every ledger shares: the campaign lock, the input check of an entry, numbering, appending
(with its goods lines, history and journal), reversal, and the journal's daily heads and check.

Everything here runs inside the caller's transaction, after `campaign_lock` (DESIGN rule 7).
"""

import datetime
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Subquery
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from campaigns.models import Campaign, ItemCategory

from .bulk import (
    NewObjects,
    NewRows,
    bulk_insert,
    objects_insert,
    objects_prepare,
    objects_write,
    rows_prepare,
    rows_write,
)
from .journal import GENESIS, JournalEvent, canonical_text, chain_hash
from .models import (
    AMOUNT_OUT_OF_RANGE,
    CASH_OR_GOODS,
    MAX_CASH_AMOUNT,
    MAX_QUANTITY,
    QUANTITY_NOT_POSITIVE,
    VALUE_TOO_LARGE,
    JournalEntry,
    JournalHead,
    Kind,
    LedgerEntry,
)
from .signals import ledger_change_announce


@dataclass(frozen=True)
class ItemLine:
    """A goods line as services take it: category, quantity and optional estimated value in đồng."""

    category: ItemCategory
    quantity: Decimal
    estimated_value: int | None = None


def campaign_lock(*, campaign_id: int) -> Campaign:
    """Lock the campaign row: the first lock of every ledger write (DESIGN rule 7)."""
    return Campaign.objects.select_for_update().get(pk=campaign_id)


AMOUNT_TOO_LARGE = _lazy(
    "The amount is above 100,000,000,000 đồng, the most one entry may be: check it for a typing mistake."
)
# How far ahead of the server's clock a time may run (a desk PC's clock, a bank's, a slow typist).
FUTURE_TOLERANCE = datetime.timedelta(minutes=10)


def ledger_input_check(
    *,
    amount: int | None,
    items: Sequence[ItemLine],
    campaign: Campaign | None = None,
    at: datetime.datetime | None = None,
    at_field: str = "received_at",
) -> dict[str, list[str]]:
    """The errors of an entry's what: cash or goods (not both, not neither), in plausible ranges; and,
    given the campaign and when it happened (`at`, keyed `at_field`), not before the campaign started
    nor in the future."""
    errors: dict[str, list[str]] = {}
    if campaign is not None and at is not None:
        errors.update(ledger_date_check(campaign=campaign, at=at, field=at_field))
    if (amount is None) == (not items):
        errors["amount"] = [str(CASH_OR_GOODS)]
    elif amount is not None and amount > MAX_CASH_AMOUNT:
        errors["amount"] = [str(AMOUNT_TOO_LARGE)]
    elif amount is not None and amount <= 0:
        errors["amount"] = [str(AMOUNT_OUT_OF_RANGE)]
    if any(not 0 < line.quantity <= MAX_QUANTITY for line in items):
        errors["items"] = [str(QUANTITY_NOT_POSITIVE)]
    if any(line.estimated_value is not None and not 0 <= line.estimated_value <= MAX_CASH_AMOUNT for line in items):
        errors["items"] = [str(VALUE_TOO_LARGE)]
    return errors


def ledger_date_check(*, campaign: Campaign, at: datetime.datetime, field: str) -> dict[str, list[str]]:
    """When an entry happened: not before the day its campaign started (Vietnam time), and not later
    than now give or take `FUTURE_TOLERANCE`. Safe for any datetime (year 1 or 9999 included)."""
    started = timezone.make_aware(datetime.datetime.combine(campaign.starts_on, datetime.time.min))
    if at < started:
        return {field: [_("This is before the campaign started on %(day)s.") % {
            "day": campaign.starts_on.strftime("%d/%m/%Y")}]}
    if at > timezone.now() + FUTURE_TOLERANCE:
        return {field: [_("This is in the future.")]}
    return {}


class LedgerHead(NamedTuple):
    """Where one ledger of a campaign and the campaign's journal end: the last entry's sequence, the
    last journal line's sequence and hash. New entries are numbered and chained after them."""

    sequence: int
    journal_sequence: int
    journal_hash: str


def ledger_head(*, model: type[LedgerEntry], campaign: Campaign) -> LedgerHead:
    """The head of `model`'s ledger of the campaign and of its journal. Under the campaign lock it is
    where the next entries go; without it, a guess that `ledger_entries_prepare` may build on and
    the writer checks under the lock."""
    journal = _journal_newest(campaign)
    entries = model.objects.filter(campaign=campaign).order_by("-sequence")
    # One query: the three heads as subqueries of the campaign's own row, each one index probe.
    sequence, journal_sequence, journal_hash = Campaign.objects.filter(pk=campaign.pk).values_list(
        Subquery(entries.values("sequence")[:1]), Subquery(journal.values("sequence")[:1]),
        Subquery(journal.values("hash")[:1]),
    ).get()
    return LedgerHead(sequence or 0, journal_sequence or 0, journal_hash or GENESIS)


def _entries_number(
    *, campaign: Campaign, entries: Sequence[LedgerEntry], recorded_by: AbstractBaseUser, head: LedgerHead
) -> None:
    """Give new entries of one ledger their campaign, recorder, sequence and number after `head`."""
    model = type(entries[0])
    # Related objects set as `entry.campaign = campaign` does, without its checks per entry.
    campaign_field, recorded_by_field = model._meta.get_field("campaign"), model._meta.get_field("recorded_by")
    for sequence, entry in enumerate(entries, start=head.sequence + 1):
        entry.campaign_id, entry.recorded_by_id = campaign.pk, recorded_by.pk
        campaign_field.set_cached_value(entry, campaign)
        recorded_by_field.set_cached_value(entry, recorded_by)
        entry.sequence, entry.number = sequence, model.number_for(campaign_code=campaign.code, sequence=sequence)
        entry.prepare_append()


@dataclass
class PreparedEntries:
    """New entries of one ledger numbered after `head`, with their journal lines chained after it
    (`ledger_entries_prepare`), to be saved by `ledger_entries_write` if `head` is still the head."""

    campaign: Campaign
    head: LedgerHead
    end: LedgerHead
    entries: NewObjects
    journal: NewRows


def ledger_entries_prepare(
    *, campaign: Campaign, entries: Sequence[LedgerEntry], recorded_by: AbstractBaseUser, head: LedgerHead,
) -> PreparedEntries:
    """Number new cash entries of one ledger (no goods lines) after `head` and build their journal
    lines chained after it, everything but their primary keys ready to write. Runs no query: it may
    run in a thread of its own, ahead of the campaign lock."""
    _entries_number(campaign=campaign, entries=entries, recorded_by=recorded_by, head=head)
    events = [event for entry in entries for event in entry.journal_events()]
    journal = _journal_rows(campaign=campaign, events=events, after=(head.journal_sequence, head.journal_hash))
    end = LedgerHead(head.sequence + len(entries), head.journal_sequence + len(journal), journal[-1][5])
    return PreparedEntries(
        campaign=campaign, head=head, end=end,
        entries=objects_prepare(objs=entries, with_history=True, history_user=recorded_by),
        journal=rows_prepare(model=JournalEntry, fields=JOURNAL_COLUMNS, rows=journal),
    )


def ledger_entries_write(prepared: PreparedEntries) -> list[LedgerEntry]:
    """Save what `ledger_entries_prepare` made ready, with history and journal lines, and announce the
    change on commit. The caller holds the campaign lock, the transaction, and has checked that the
    ledger's head is still `prepared.head`."""
    entries = objects_write(prepared.entries)
    rows_write(prepared.journal)
    ledger_change_announce(sender=prepared.entries.model, campaign_id=prepared.campaign.pk)
    return entries


def ledger_entries_append(
    *,
    campaign: Campaign,
    entries: Sequence[LedgerEntry],
    recorded_by: AbstractBaseUser,
    lines: Sequence[Sequence[ItemLine]] | None = None,
    validate: bool = True,
) -> list[LedgerEntry]:
    """Number and save new entries of one ledger (with history), their goods lines (`lines[i]` for
    `entries[i]`), append them to the campaign's journal and announce the change on commit.

    The caller holds the campaign lock and the transaction.
    """
    if not entries:
        return []
    model = type(entries[0])
    head = ledger_head(model=model, campaign=campaign)
    _entries_number(campaign=campaign, entries=entries, recorded_by=recorded_by, head=head)
    if validate:
        for entry in entries:
            entry.full_clean()
    if len(entries) == 1:
        entry = entries[0]
        entry._history_user = recorded_by
        entry.save()
    else:
        # COPY on PostgreSQL, bulk_create elsewhere: the same rows, history included.
        objects_insert(objs=entries, with_history=True, history_user=recorded_by)
    if lines:
        item_relation = model.items.field  # the goods-line model's foreign key to the entry
        item_relation.model.objects.bulk_create(
            item_relation.model(
                **{item_relation.name: entry}, category=line.category, quantity=line.quantity,
                estimated_value=line.estimated_value,
            )
            for entry, entry_lines in zip(entries, lines, strict=True)
            for line in entry_lines
        )
    # After the goods lines: a goods entry's journal text lists them.
    journal_append(campaign=campaign, events=[event for entry in entries for event in entry.journal_events()],
                   after=(head.journal_sequence, head.journal_hash))
    ledger_change_announce(sender=model, campaign_id=campaign.pk)
    return list(entries)


def ledger_entry_reversal_refusal(*, entry: LedgerEntry) -> str | None:
    """Why this entry cannot be reversed, or None: the one rule the services and the admin share."""
    if entry.is_reversal:
        return _("A reversal cannot itself be reversed.")
    reversed_already = getattr(entry, "is_reversed", None)
    if reversed_already is None:
        reversed_already = type(entry).objects.filter(reverses=entry).exists()
    if reversed_already:
        return _("%(entry)s %(number)s has already been reversed.") % {
            "entry": capfirst(entry._meta.verbose_name), "number": entry.number,
        }
    return None


def ledger_entry_reverse(
    *,
    entry: LedgerEntry,
    reason: str,
    recorded_by: AbstractBaseUser,
    check: Callable[[LedgerEntry], None] | None = None,
) -> LedgerEntry:
    """Correct an entry by a new one of opposite sign that points at it; the original stays.

    `check` (e.g. the staff member's province scope) runs on the locked original and may raise.
    The caller holds the transaction.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why %(number)s is reversed.") % {"number": entry.number}]})
    model = type(entry)
    campaign = campaign_lock(campaign_id=entry.campaign_id)
    original = model.objects.select_for_update(of=("self",)).get(pk=entry.pk)
    if check is not None:
        check(original)
    refusal = ledger_entry_reversal_refusal(entry=original)
    if refusal:
        raise ValidationError({"reverses": [refusal]})
    reversal = model(**original.reversal_values(), reason=reason[:255])
    lines = [
        ItemLine(category=item.category, quantity=-item.quantity,
                 estimated_value=-item.estimated_value if item.estimated_value else None)
        for item in original.items.select_related("category")
    ]
    ledger_entries_append(campaign=campaign, entries=[reversal], recorded_by=recorded_by, lines=[lines], validate=False)
    return reversal


# --- the journal ------------------------------------------------------------------------------


def journal_append(
    *, campaign: Campaign, events: Sequence[JournalEvent], after: tuple[int, str] | None = None
) -> int:
    """Chain events onto the campaign's journal, after its last line (sequence, hash) when the caller
    read it already; returns how many. The campaign must be locked (one writer at a time)."""
    if not events:
        return 0
    if after is None:
        after = _journal_newest(campaign).values_list("sequence", "hash").first() or (0, GENESIS)
    rows = _journal_rows(campaign=campaign, events=events, after=after)
    bulk_insert(model=JournalEntry, fields=JOURNAL_COLUMNS, rows=rows)
    return len(rows)


def _journal_newest(campaign: Campaign):
    """The campaign's journal, its last line first."""
    return JournalEntry.objects.filter(campaign=campaign).order_by("-sequence")


def _journal_rows(*, campaign: Campaign, events: Sequence[JournalEvent], after: tuple[int, str]) -> list[tuple]:
    """The journal lines (`JOURNAL_COLUMNS`) of `events`, chained after the line (sequence, hash)."""
    sequence, previous = after
    now = timezone.now()
    rows = []
    for event in events:
        sequence += 1
        text = canonical_text(campaign_code=campaign.code, sequence=sequence, event=event)
        previous = chain_hash(previous, text)
        rows.append((campaign.pk, sequence, event.event, event.number, text, previous, now))
    return rows


JOURNAL_COLUMNS = ("campaign_id", "sequence", "event", "entry_number", "canonical", "hash", "recorded_at")


def journal_heads_record(*, until: datetime.date | None = None) -> int:
    """Record each campaign's journal head at the end of every finished day (Vietnam time) that has
    entries and no head yet, up to `until` (default: yesterday). Idempotent; returns heads written."""
    until = until or timezone.localdate() - datetime.timedelta(days=1)
    written = 0
    for campaign_id in JournalEntry.objects.order_by().values_list("campaign_id", flat=True).distinct():
        recorded = set(JournalHead.objects.filter(campaign_id=campaign_id).values_list("day", flat=True))
        last_per_day: dict[datetime.date, tuple[int, str]] = {}
        for sequence, moment, digest in (
            JournalEntry.objects.filter(campaign_id=campaign_id).order_by("sequence")
            .values_list("sequence", "recorded_at", "hash").iterator(chunk_size=5000)
        ):
            last_per_day[timezone.localdate(moment)] = (sequence, digest)
        heads = [
            JournalHead(campaign_id=campaign_id, day=day, count=count, hash=digest)
            for day, (count, digest) in sorted(last_per_day.items())
            if day <= until and day not in recorded
        ]
        JournalHead.objects.bulk_create(heads)
        written += len(heads)
    return written


@dataclass(frozen=True)
class JournalCheck:
    campaign_code: str
    entries: int
    broken_at: int | None = None  # sequence of the first broken journal entry
    entry_number: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def ledger_models() -> list[type[LedgerEntry]]:
    """Every concrete ledger of the portal (receipts, allocations, …), found without importing them."""
    return [m for m in apps.get_models() if issubclass(m, LedgerEntry)]


def journal_expected(*, campaign: Campaign) -> Iterator[JournalEvent]:
    """What the journal must say about each entry of the campaign's ledgers as they stand now, read
    entry by entry (a goods entry with its lines)."""
    for model in ledger_models():
        entries = model.objects.filter(campaign=campaign).select_related(*model.JOURNAL_RELATED).order_by("pk")
        # Only goods entries have lines: asking for the others' would cost a query set each.
        for some in (entries.exclude(kind=Kind.GOODS), entries.filter(kind=Kind.GOODS).prefetch_related("items__category")):
            for entry in some.iterator(chunk_size=2000):
                yield from entry.journal_events()


def _event_key(event: str, number: str) -> bytes:
    return hashlib.blake2b(f"{event}|{number}".encode(), digest_size=8).digest()


def _text_key(text: str) -> tuple[str, bytes] | None:
    """A journal line's canonical text split into its sequence and a digest of the rest (None when it
    is no such text). The version, campaign code and sequence that come first never hold a bar or a
    character to escape, so the text splits there as it was joined."""
    parts = text.split("|", 3)
    if len(parts) < 4:
        return None
    version, code, sequence, rest = parts
    return sequence, hashlib.blake2b(f"{version}|{code}|{rest}".encode(), digest_size=16).digest()


def journal_verify(*, campaign: Campaign) -> JournalCheck:
    """Recompute the campaign's chain and compare every link with the ledgers as they stand.

    Finds the first entry whose hash does not follow from the previous one, whose text differs from
    what its ledger row says now (a row altered behind the services' back), a gap in the sequence,
    a ledger entry missing from the journal, or a daily head that does not match the chain.

    Each expected event is kept as two short digests (which entry, and its text but the sequence),
    not as its text: a campaign of a million entries is checked by a process of under 300 MB.
    """
    expected = {
        _event_key(event.event, event.number):
            _text_key(canonical_text(campaign_code=campaign.code, sequence=0, event=event))[1]
        for event in journal_expected(campaign=campaign)
    }
    heads = list(JournalHead.objects.filter(campaign=campaign).order_by("day"))
    at_heads = {head.count for head in heads}
    previous, count, hashes = GENESIS, 0, {}
    rows = JournalEntry.objects.filter(campaign=campaign).order_by("sequence").values_list(
        "sequence", "event", "entry_number", "canonical", "hash")
    for sequence, event, number, text, digest in rows.iterator(chunk_size=5000):
        count += 1
        wanted = expected.pop(_event_key(event, number), None)
        if sequence != count:
            problem = _("sequence %(found)s where %(expected)s was expected") % {"found": sequence, "expected": count}
        elif chain_hash(previous, text) != digest:
            problem = _("the hash does not follow from the previous entry and this entry's text")
        elif wanted is None:
            problem = _("no such entry in the ledger")
        elif _text_key(text) != (str(sequence), wanted):
            problem = _("the ledger row differs from what was journalled")
        else:
            previous = digest
            if sequence in at_heads:
                hashes[sequence] = digest
            continue
        return JournalCheck(campaign.code, count, broken_at=sequence, entry_number=number, problem=problem)
    if expected:
        number = next(event.number for event in journal_expected(campaign=campaign)
                      if _event_key(event.event, event.number) in expected)
        return JournalCheck(campaign.code, count, entry_number=number, problem=_("entry missing from the journal"))
    for head in heads:
        if hashes.get(head.count) != head.hash:
            return JournalCheck(
                campaign.code, count, broken_at=head.count,
                problem=_("the head recorded for %(day)s does not match the chain") % {"day": head.day.strftime("%d/%m/%Y")},
            )
    return JournalCheck(campaign.code, count)
