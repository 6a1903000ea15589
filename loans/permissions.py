"""Who may read loans and service them: schedules, payments, payoff quotes."""

from core.auth import Role

SERVICING = (Role.OFFICER,)
