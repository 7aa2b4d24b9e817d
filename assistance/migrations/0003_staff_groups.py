"""Ward staff and hotline staff groups, and the assistance permissions of every staff group
(allocations.roles): the first loader of groups is idempotent and sets each group from the roles."""

import importlib

from django.db import migrations


def regrant(apps, schema_editor):
    importlib.import_module("allocations.migrations.0002_committees_and_groups").load(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0002_wards"),
        ("allocations", "0010_provincial_staff_record_receipts"),
    ]
    operations = [migrations.RunPython(regrant, migrations.RunPython.noop)]
