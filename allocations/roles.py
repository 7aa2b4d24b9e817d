"""The three staff roles and the permissions each group gets (set by data migrations).

- Central staff: everything in the portal's apps — campaigns and reference data, pledges, the
  receipts ledger, bank statements, allocations to provinces (the central pool is theirs to
  allocate), committees and staff accounts.
- Provincial staff: read their campaigns and their province's allocations; record what their own
  drop-off points and cash desks received (receipts, limited to their province by
  `allocations.selectors.user_province_scope`); record and correct their province's distribution
  reports. They never allocate, disburse or reverse an allocation.
- Auditors: read everything, history included; change nothing.
- Ward staff (also provincial members of their province's committee, scoped further to one ward by
  `assistance.WardStaff`): verify, reject or mark duplicate their ward's need registrations, import
  their ward's lists, record handovers at their ward's distribution points. Provincial staff do the
  same for every ward of their province.
- Hotline staff: enter need registrations taken by phone and read them; nothing else.
"""

ROLE_GROUPS = {
    "central": "Central staff",
    "provincial": "Provincial staff",
    "auditor": "Auditors",
    "ward": "Ward staff",
    "hotline": "Hotline staff",
}

LEDGER_APPS = ("campaigns", "donations", "allocations", "assistance")

PROVINCIAL_PERMISSIONS = [
    ("campaigns", "view_campaign"),
    ("campaigns", "view_province"),
    ("campaigns", "view_itemcategory"),
    ("campaigns", "view_dropoffpoint"),
    ("donations", "view_receipt"),
    ("donations", "add_receipt"),
    ("donations", "view_receiptitem"),
    ("allocations", "view_allocation"),
    ("allocations", "view_allocationitem"),
    ("allocations", "view_distributionreport"),
    ("allocations", "add_distributionreport"),
    ("allocations", "change_distributionreport"),
]

# Who is helped: what ward and provincial staff do with registrations, the registry and handovers.
ASSISTANCE_LOCAL_PERMISSIONS = [
    ("campaigns", "view_campaign"),
    ("campaigns", "view_itemcategory"),
    ("assistance", "view_supportprogramme"),
    ("assistance", "view_programmegoods"),
    ("assistance", "view_distributionpoint"),
    ("assistance", "view_ward"),
    ("assistance", "view_needregistration"),
    ("assistance", "add_needregistration"),
    ("assistance", "change_needregistration"),
    ("assistance", "view_beneficiary"),
    ("assistance", "view_enrollment"),
    ("assistance", "add_enrollment"),
    ("assistance", "view_listimport"),
    ("assistance", "add_listimport"),
    ("assistance", "view_handover"),
    ("assistance", "add_handover"),
    ("assistance", "view_handoveritem"),
]
PROVINCIAL_PERMISSIONS += ASSISTANCE_LOCAL_PERMISSIONS

HOTLINE_PERMISSIONS = [
    ("assistance", "view_supportprogramme"),
    ("assistance", "view_ward"),
    ("assistance", "view_needregistration"),
    ("assistance", "add_needregistration"),
]


def role_permissions(role: str, all_permissions):
    """Permissions of a role, from a queryset of every Permission (with content_type loaded)."""
    in_apps = [p for p in all_permissions if p.content_type.app_label in LEDGER_APPS]
    if role == "central":
        return in_apps
    if role == "auditor":
        return [p for p in in_apps if p.codename.startswith("view_")]
    wanted = set({"ward": ASSISTANCE_LOCAL_PERMISSIONS, "hotline": HOTLINE_PERMISSIONS}.get(role, PROVINCIAL_PERMISSIONS))
    return [p for p in in_apps if (p.content_type.app_label, p.codename) in wanted]
