"""Who may read, draft and activate versions of the credit policy."""

from core.auth import Role

POLICIES = (Role.RISK,)
