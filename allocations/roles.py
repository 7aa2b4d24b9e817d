"""The three staff roles and the permissions each group gets (created by a data migration)."""

ROLE_GROUPS = {
    "central": "Central staff",
    "provincial": "Provincial staff",
    "auditor": "Auditors",
}

LEDGER_APPS = ("campaigns", "donations", "allocations")

PROVINCIAL_PERMISSIONS = [
    ("campaigns", "view_campaign"),
    ("campaigns", "view_province"),
    ("campaigns", "view_itemcategory"),
    ("campaigns", "view_dropoffpoint"),
    ("allocations", "view_allocation"),
    ("allocations", "add_allocation"),
    ("allocations", "change_allocation"),
    ("allocations", "view_allocationitem"),
    ("allocations", "view_distributionreport"),
    ("allocations", "add_distributionreport"),
    ("allocations", "change_distributionreport"),
]


def role_permissions(role: str, all_permissions):
    """Permissions of a role, from a queryset of every Permission (with content_type loaded)."""
    in_apps = [p for p in all_permissions if p.content_type.app_label in LEDGER_APPS]
    if role == "central":
        return in_apps
    if role == "auditor":
        return [p for p in in_apps if p.codename.startswith("view_")]
    wanted = set(PROVINCIAL_PERMISSIONS)
    return [p for p in in_apps if (p.content_type.app_label, p.codename) in wanted]
