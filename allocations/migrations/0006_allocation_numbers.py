"""Number the allocations recorded before allocations had numbers: per campaign, in recorded order."""

from django.db import migrations


def number_allocations(apps, schema_editor):
    Allocation = apps.get_model("allocations", "Allocation")
    HistoricalAllocation = apps.get_model("allocations", "HistoricalAllocation")
    next_sequence: dict[int, int] = {}
    for allocation in Allocation.objects.select_related("campaign").order_by("created_at", "pk"):
        sequence = next_sequence.get(allocation.campaign_id, 0) + 1
        next_sequence[allocation.campaign_id] = sequence
        number = f"{allocation.campaign.code}-PB{sequence:06d}"
        Allocation.objects.filter(pk=allocation.pk).update(sequence=sequence, number=number)
        HistoricalAllocation.objects.filter(id=allocation.pk).update(sequence=sequence, number=number)


class Migration(migrations.Migration):
    dependencies = [("allocations", "0005_ledger_numbers")]

    operations = [migrations.RunPython(number_allocations, migrations.RunPython.noop)]
