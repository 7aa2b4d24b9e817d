"""Creates the central committee, one committee per current province, and the staff groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from allocations.roles import ROLE_GROUPS, role_permissions


def load(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = original

    Province = apps.get_model("campaigns", "Province")
    Committee = apps.get_model("allocations", "Committee")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    Committee.objects.get_or_create(level="central", defaults={"name": "Ủy ban Trung ương MTTQ Việt Nam"})
    for province in Province.objects.filter(set="2025"):
        prefix = "thành phố" if province.kind == "city" else "tỉnh"
        Committee.objects.get_or_create(
            level="provincial", province=province, defaults={"name": f"Ủy ban MTTQ Việt Nam {prefix} {province.name}"}
        )

    permissions = list(Permission.objects.select_related("content_type"))
    for role, name in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(role_permissions(role, permissions))


class Migration(migrations.Migration):
    dependencies = [
        ("allocations", "0001_initial"),
        ("campaigns", "0003_history"),
        ("donations", "0003_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
