"""Housekeeping every app shares, as Celery tasks (scheduled by beat: config/celery.py)."""

from celery import shared_task

from core.jobs import requeue_forgotten


@shared_task
def requeue_forgotten_jobs() -> int:
    """Hand jobs nobody holds to the broker again (core.jobs.requeue_forgotten)."""
    return requeue_forgotten()
