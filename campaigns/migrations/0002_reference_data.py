"""Loads the reference data every database needs: both province maps, banks, item categories.

The CSV files live beside the app in campaigns/data/ so the migration never depends on
anything outside the project.
"""

import csv
import datetime
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def load(apps, schema_editor):
    Province = apps.get_model("campaigns", "Province")
    Bank = apps.get_model("campaigns", "Bank")
    ItemCategory = apps.get_model("campaigns", "ItemCategory")

    rows = list(_rows("provinces_vn.csv"))
    for row in rows:
        Province.objects.update_or_create(
            set=row["set"],
            code=row["code"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "valid_from": _date(row["valid_from"]),
                "valid_to": _date(row["valid_to"]),
            },
        )
    current = {p.code: p for p in Province.objects.filter(set="2025")}
    for row in rows:
        if row["set"] == "2008":
            Province.objects.filter(set="2008", code=row["code"]).update(
                successor=current[row["successor_code"]]
            )

    for row in _rows("banks.csv"):
        Bank.objects.update_or_create(bin=row["bin"], defaults={"short_name": row["short_name"], "name": row["name"]})

    for row in _rows("item_categories.csv"):
        ItemCategory.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "position": int(row["position"]),
                "unit": row["unit"],
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
