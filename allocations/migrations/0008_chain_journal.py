"""Chain every receipt, allocation, reversal and disbursement recorded so far into its campaign's
journal, in recorded order, and record the daily heads of the days already over.

The canonical form is `ledger.journal` (format 1); the values are read from the rows as
`LedgerEntry.journal_values` reads them at record time.
"""


from django.db import migrations
from django.utils import timezone

from ledger.journal import (
    GENESIS,
    JournalEvent,
    canonical_text,
    chain_hash,
    goods_text,
    utc_time,
)


def _goods(entry) -> str:
    return goods_text((item.category.slug, item.quantity, item.estimated_value) for item in entry.items.all())


def _common(entry) -> dict:
    values = {
        "kind": entry.kind,
        "amount": "" if entry.amount is None else str(entry.amount),
        "reverses": entry.reverses.number if entry.reverses_id else "",
    }
    if entry.kind == "goods":
        values["goods"] = _goods(entry)
    return values


def _events(apps):
    """(campaign id, when, order, JournalEvent) of every event recorded so far."""
    Receipt = apps.get_model("donations", "Receipt")
    Allocation = apps.get_model("allocations", "Allocation")
    HistoricalAllocation = apps.get_model("allocations", "HistoricalAllocation")
    for receipt in Receipt.objects.select_related("reverses").prefetch_related("items__category"):
        values = {**_common(receipt), "time": utc_time(receipt.received_at), "channel": receipt.channel,
                  "name": receipt.public_name}
        event = "receipt_reversal" if receipt.reverses_id else "receipt"
        yield receipt.campaign_id, receipt.created_at, (0, receipt.pk), JournalEvent(event, receipt.number, values)
    for allocation in Allocation.objects.select_related("reverses", "province").prefetch_related("items__category"):
        province = f"{allocation.province.set}:{allocation.province.code}"
        values = {**_common(allocation), "time": allocation.decision_date.isoformat(), "province": province}
        event = "allocation_reversal" if allocation.reverses_id else "allocation"
        yield allocation.campaign_id, allocation.created_at, (1, allocation.pk), JournalEvent(event, allocation.number, values)
        if allocation.status == "disbursed" and not allocation.reverses_id:
            changed = (
                HistoricalAllocation.objects.filter(id=allocation.pk, history_type="~", status="disbursed")
                .order_by("history_date").values_list("history_date", flat=True).first()
            )
            values = {"kind": allocation.kind, "province": province, "date": allocation.disbursed_on.isoformat()}
            yield (allocation.campaign_id, changed or allocation.created_at, (2, allocation.pk),
                   JournalEvent("disbursement", allocation.number, values))


def chain(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    JournalEntry = apps.get_model("ledger", "JournalEntry")
    JournalHead = apps.get_model("ledger", "JournalHead")
    codes = dict(Campaign.objects.values_list("pk", "code"))
    per_campaign: dict[int, list] = {}
    for campaign_id, when, order, event in _events(apps):
        per_campaign.setdefault(campaign_id, []).append((when, order, event))
    today = timezone.localdate()
    for campaign_id, events in per_campaign.items():
        previous, rows, last_of_day = GENESIS, [], {}
        for sequence, (when, _order, event) in enumerate(sorted(events, key=lambda e: (e[0], e[1])), start=1):
            text = canonical_text(campaign_code=codes[campaign_id], sequence=sequence, event=event)
            previous = chain_hash(previous, text)
            rows.append(JournalEntry(campaign_id=campaign_id, sequence=sequence, event=event.event,
                                     entry_number=event.number, canonical=text, hash=previous, recorded_at=when))
            last_of_day[timezone.localdate(when)] = (sequence, previous)
        JournalEntry.objects.bulk_create(rows, batch_size=2000)
        JournalHead.objects.bulk_create(
            JournalHead(campaign_id=campaign_id, day=day, count=count, hash=digest)
            for day, (count, digest) in sorted(last_of_day.items()) if day < today
        )


def unchain(apps, schema_editor):
    apps.get_model("ledger", "JournalHead").objects.all().delete()
    apps.get_model("ledger", "JournalEntry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("allocations", "0007_ledger_numbers_required"),
        ("donations", "0007_ledger_base"),
        ("ledger", "0001_journal"),
    ]

    operations = [migrations.RunPython(chain, unchain)]
