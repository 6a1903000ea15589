"""Who may manage people: admins only (the console's People page)."""

from core.auth import Role

PEOPLE = (Role.ADMIN,)
