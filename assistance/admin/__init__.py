"""Staff admin of the assistance work: programmes and points, registrations and the ward's decisions,
the registry, commune lists, handovers with the distribution page, the daily report and signature lists.

Every write goes through `assistance.services`; ward staff reach only their ward, provincial staff
their province (`assistance.scope`).
"""

from . import handovers, imports, programmes, registrations, registry  # noqa: F401  (registers the model admins)
