"""Loads the 3,321 communes, wards and special zones of the 2025 map from the pinned `vietnam-provinces`
package, each under its province of the 2025 set.

The package numbers provinces as integers (1 … 96) with the same statistical codes the portal keeps
as two-digit strings in campaigns/data/provinces_vn.csv; the map below says so explicitly, and the
load refuses to run if the package names a province the portal does not have. Ward codes are the
5-digit statistical codes, kept with their leading zeros (`00070` Phường Hoàn Kiếm).
"""

from django.db import migrations

from campaigns.text import search_key

# vietnam-provinces province code → the portal's 2025 province code.
PACKAGE_PROVINCES = {
    1: "01", 4: "04", 8: "08", 11: "11", 12: "12", 14: "14", 15: "15", 19: "19", 20: "20", 22: "22",
    24: "24", 25: "25", 31: "31", 33: "33", 37: "37", 38: "38", 40: "40", 42: "42", 44: "44", 46: "46",
    48: "48", 51: "51", 52: "52", 56: "56", 66: "66", 68: "68", 75: "75", 79: "79", 80: "80", 82: "82",
    86: "86", 91: "91", 92: "92", 96: "96",
}
KINDS = {"xã": "xa", "phường": "phuong", "đặc khu": "dac_khu"}
PREFIXES = {"xa": "Xã ", "phuong": "Phường ", "dac_khu": "Đặc khu "}


def ward_rows():
    """(code, name, kind, portal province code, sort key) of every ward the package ships."""
    from vietnam_provinces import Ward

    for ward in Ward.iter_all():
        kind = KINDS[ward.division_type.value]
        yield (
            f"{int(ward.code):05d}", ward.name, kind, PACKAGE_PROVINCES[int(ward.province_code)],
            search_key(ward.name.removeprefix(PREFIXES[kind])),
        )


def load(apps, schema_editor):
    Province = apps.get_model("campaigns", "Province")
    Ward = apps.get_model("assistance", "Ward")
    provinces = {p.code: p for p in Province.objects.filter(set="2025")}
    missing = set(PACKAGE_PROVINCES.values()) - set(provinces)
    if missing:
        raise RuntimeError(f"provinces of the 2025 map missing from the database: {sorted(missing)}")
    existing = set(Ward.objects.values_list("code", flat=True))
    Ward.objects.bulk_create(
        (
            Ward(code=code, name=name, kind=kind, province=provinces[province_code], sort_key=key)
            for code, name, kind, province_code, key in ward_rows()
            if code not in existing
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0001_initial"),
        ("campaigns", "0002_reference_data"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
