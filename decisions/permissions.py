"""Who may decide applications, read the audit trail, replay a decision and simulate a
policy over past decisions (API and console alike)."""

from core.auth import Role

APPLICATIONS = (Role.OFFICER,)
AUDIT = (Role.OFFICER, Role.RISK)
REPLAY = (Role.RISK,)
SIMULATIONS = (Role.RISK,)
