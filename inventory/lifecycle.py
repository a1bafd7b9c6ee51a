"""The lifecycle of a device: every allowed change of status, in this one table.

    ordered → in stock → deployed → under maintenance → faulty → decommissioned (final)

A device enters "deployed" only with a deployment (inventory.services.deployment.device_deploy),
and leaving "deployed" closes the open deployment in the same transaction.
"""

from inventory.choices import DeviceStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.ORDERED: frozenset({S.IN_STOCK, S.DECOMMISSIONED}),
    S.IN_STOCK: frozenset({S.DEPLOYED, S.MAINTENANCE, S.FAULTY, S.DECOMMISSIONED}),
    S.DEPLOYED: frozenset({S.IN_STOCK, S.MAINTENANCE, S.FAULTY, S.DECOMMISSIONED}),
    S.MAINTENANCE: frozenset({S.IN_STOCK, S.DEPLOYED, S.FAULTY, S.DECOMMISSIONED}),
    S.FAULTY: frozenset({S.MAINTENANCE, S.IN_STOCK, S.DECOMMISSIONED}),
    S.DECOMMISSIONED: frozenset(),
}
# Statuses a device may be registered in: bought and on order, or already delivered.
INITIAL_STATUSES = frozenset({S.ORDERED, S.IN_STOCK})
FINAL_STATUSES = frozenset(s for s, targets in TRANSITIONS.items() if not targets)


def allowed_targets(status: str) -> frozenset[str]:
    return TRANSITIONS[status]


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS[from_status]
