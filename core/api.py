import logging

from django.db import DatabaseError, connection
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database is unreachable", exc_info=True)
        return False
    return True


class HealthApi(APIView):
    def get(self, request: Request) -> Response:
        if database_ok():
            return Response({"status": "ok", "database": "ok"})
        return Response(
            {"status": "unavailable", "database": "unreachable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
