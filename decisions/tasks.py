"""The Celery side of policy simulations: thin, since the job itself is resumable."""

from celery import shared_task
from django.conf import settings

from core.jobs import JobBusy
from decisions.simulations import run_chunks, run_simulation_job


@shared_task(bind=True, acks_late=True, max_retries=None)
def run_simulation(self, simulation_id: int) -> None:  # type: ignore[no-untyped-def]
    """A second delivery waits out the first run's lease, then takes a silent job over."""
    try:
        run_simulation_job(simulation_id)
    except JobBusy as exc:
        raise self.retry(countdown=settings.JOB_LEASE_SECONDS, exc=exc) from exc


@shared_task(acks_late=True)
def run_simulation_chunks(simulation_id: int) -> None:
    """One runner: takes the simulation's chunks until none is left (simulations.run_chunks).
    Redelivered after its worker died, it takes that worker's chunk once the lease runs out."""
    run_chunks(simulation_id)
