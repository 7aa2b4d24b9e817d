"""Staff groups as the committees work: provincial staff record their points' receipts and no longer
allocate, disburse or reverse allocations; every group gets the permissions of the models added since
(their history included)."""

import importlib

from django.db import migrations


def regrant(apps, schema_editor):
    # The first loader is idempotent: it creates missing permissions (and committees) and sets each
    # group's permissions from allocations.roles as it is now.
    importlib.import_module("allocations.migrations.0002_committees_and_groups").load(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("allocations", "0009_committee_and_staff_history"),
        ("campaigns", "0004_reference_data_history"),
        ("donations", "0012_receipt_point"),
    ]
    operations = [migrations.RunPython(regrant, migrations.RunPython.noop)]
