"""Django's `migrate`; with MIGRATE_REPORT_TO_LOG (production) its report goes to the log, one
record per line, so what `make serve` and the container print at start-up is JSON lines only."""

import logging
from typing import Any

from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate

from core.logging import LogLines

logger = logging.getLogger(__name__)


class Command(DjangoMigrate):
    def execute(self, *args: Any, **options: Any) -> str | None:
        if not settings.MIGRATE_REPORT_TO_LOG:
            return super().execute(*args, **options)
        report, errors = LogLines(logger.info), LogLines(logger.error)
        try:
            return super().execute(*args, **{**options, "stdout": report, "stderr": errors})
        finally:
            report.close()
            errors.close()
