"""Who may register and look customers up (API and console alike)."""

from core.auth import Role

CUSTOMERS = (Role.OFFICER,)
