"""Who may upload the history files and follow their jobs."""

from core.auth import Role

INGESTION = (Role.OPERATIONS,)
