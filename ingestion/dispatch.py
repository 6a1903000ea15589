"""Where a job runs once the request that created it commits: a Celery task when there is a
broker (REDIS_URL), else a thread of this process (the embedded mode). Either way its log
records carry the request's id (core.task_context; the thread gets a copy of the context)."""

import contextvars
import logging
import threading

from django.conf import settings
from django.db import connection, transaction

from ingestion.models import IngestionJob
from ingestion.services import run_job
from ingestion.tasks import run_ingestion

logger = logging.getLogger(__name__)


def start_after_commit(job: IngestionJob) -> None:
    job_id = job.pk
    transaction.on_commit(lambda: start(job_id))


def start(job_id: int) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        threading.Thread(
            target=contextvars.copy_context().run,
            args=(_run_in_thread, job_id),
            name=f"ingest-{job_id}",
            daemon=True,
        ).start()
        return
    run_ingestion.delay(job_id)


def _run_in_thread(job_id: int) -> None:
    try:
        run_job(job_id)
    except Exception:
        logger.exception("Ingestion job %s failed", job_id)
    finally:
        connection.close()
