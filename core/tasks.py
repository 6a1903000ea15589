"""Housekeeping every app shares, as Celery tasks (scheduled by beat: config/celery.py)."""

from celery import shared_task

from core.idempotency import purge_expired
from core.jobs import requeue_forgotten


@shared_task
def requeue_forgotten_jobs() -> int:
    """Hand jobs nobody holds to the broker again (core.jobs.requeue_forgotten)."""
    return requeue_forgotten()


@shared_task
def purge_expired_idempotency_keys() -> int:
    """Delete Idempotency-Key records past their expiry (core.idempotency.purge_expired)."""
    return purge_expired()
