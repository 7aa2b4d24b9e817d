"""Committee staff's admin of the allocations app: allocations (append-only), distribution reports,
committees and staff accounts.

The admin stays thin: every ledger write goes through `allocations.services`, and provincial staff
reach only their own province (`allocations.selectors.user_province_scope`).
"""

from . import allocations, committees, reports  # noqa: F401  (registers the model admins)
