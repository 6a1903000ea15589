"""Background jobs (an ingestion, a policy simulation): each is a row that one run at a time
holds, proves alive at every write, and finishes; a second delivery of its task waits out the
holder's lease or takes a silent job over; a job whose runs keep dying is failed, not retried
for ever. The apps' jobs subclass BackgroundJob and drive it through `claim` and `JobRun`.

Why a lease and not the broker alone: Redis redelivers a task whose worker died only after
CELERY_VISIBILITY_TIMEOUT, and may deliver it twice; the lease (JOB_LEASE_SECONDS) is how a run
knows whether another is alive, so two runs never write at once and a dead one is replaced
within the lease once a delivery (or the re-queueing sweep, core.tasks) comes.
"""

import contextvars
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from celery import Task as CeleryTask
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


# A job in one of these may still be run: its files and rows are still needed.
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class BackgroundJob(models.Model):
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    phase = models.CharField(max_length=32, blank=True, default="")
    # Who runs the job now, and when it last proved alive: a second delivery waits or takes over.
    run_token = models.UUIDField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Runs that claimed the job; one more than JOB_MAX_ATTEMPTS means they keep dying.
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def note_failure(self, message: str) -> None:
        """Keep why the job failed where the job's readers look for it."""
        raise NotImplementedError


Job = TypeVar("Job", bound=BackgroundJob)


class JobBusy(Exception):
    """Another run holds the job and proved alive recently; try again after the lease."""


class LeaseLost(Exception):
    """A newer run took the job over (this one looked dead); this run stops quietly."""


class TooManyAttempts(Exception):
    """Earlier runs of the job all died (killed, out of memory): it is failed, not run again."""


def lease() -> timedelta:
    return timedelta(seconds=settings.JOB_LEASE_SECONDS)


def claim(model: type[Job], job_id: int) -> uuid.UUID | None:
    """A new run's token for the job, or None for a finished or unknown job. JobBusy while another
    run holds it and proved alive within the lease; TooManyAttempts (the job then failed) when
    JOB_MAX_ATTEMPTS runs have claimed it and none finished."""
    with transaction.atomic():
        job = model._default_manager.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("%s %s does not exist", model.__name__, job_id)
            return None
        if job.finished:
            return None
        now = timezone.now()
        if (
            job.status == JobStatus.RUNNING
            and job.heartbeat_at
            and job.heartbeat_at > now - lease()
        ):
            raise JobBusy(f"{model.__name__} {job_id} is running elsewhere.")
        _take(job, now)
    _check_attempts(job)
    return job.run_token


def claim_next(pool: QuerySet[Job]) -> Job | None:
    """The first job of `pool` (in its order) that no run holds, claimed for a new run: queued,
    or running with a lease run out. Rows another claim has locked are skipped (on PostgreSQL),
    so workers pulling from one pool take different jobs. None once nothing is left to take;
    TooManyAttempts (the job left running for the caller to fail) as for `claim`."""
    now = timezone.now()
    with transaction.atomic():
        job = (
            pool.select_for_update(skip_locked=True)
            .filter(
                Q(status=JobStatus.QUEUED)
                | Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - lease())
            )
            .first()
        )
        if job is None:
            return None
        _take(job, now)
    _check_attempts(job)
    return job


def _take(job: BackgroundJob, now: datetime) -> None:
    job.status = JobStatus.RUNNING
    job.run_token = uuid.uuid4()
    job.started_at = job.started_at or now
    job.heartbeat_at = now
    job.attempts += 1
    job.save()


def _check_attempts(job: BackgroundJob) -> None:
    if job.attempts > settings.JOB_MAX_ATTEMPTS:
        raise TooManyAttempts(
            f"The job was started {job.attempts - 1} times and its worker died each time"
            f" (last in phase {job.phase!r}); it is not run again."
        )


# A run that computes without writing renews its lease once this share of it has passed since
# it last proved alive: well before another run could take the job over, and rarely enough
# that the renewals cost nothing beside the work.
RENEW_AFTER = 1 / 3


class JobRun(Generic[Job]):
    """One run of one job: every write goes through `step`, which proves it still owns it."""

    def __init__(self, model: type[Job], job_id: int, token: uuid.UUID) -> None:
        self.model = model
        self.job_id = job_id
        self.token = token
        # When the run last proved alive: a run is made as its job is claimed, then each step.
        self.alive_at = timezone.now()

    def keep_alive(self, phase: str) -> None:
        """Called between the pieces of a long computation that writes nothing until its end:
        a step that renews the lease once RENEW_AFTER of it has passed, so no other run takes
        the job over while this one works; LeaseLost if one already has."""
        if timezone.now() - self.alive_at >= lease() * RENEW_AFTER:
            with self.step(phase):
                pass

    @contextmanager
    def step(self, phase: str, durable: bool = True) -> Iterator[Job]:
        """The job, locked, for this step's writes; LeaseLost if a newer run took it over.

        `durable=False` (bulk writes) commits without waiting for the WAL flush. A database
        crash can then lose the last such commits, but whole and in order, each with the
        progress the job noted in it, so the re-run redoes exactly them; the steps that end a
        phase or the job are durable and flush all before them."""
        with transaction.atomic():
            if not durable and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            job = self.model._default_manager.select_for_update().get(pk=self.job_id)
            if job.run_token != self.token:
                raise LeaseLost
            job.phase = phase
            yield job
            job.heartbeat_at = self.alive_at = timezone.now()
            job.save()

    @contextmanager
    def finishing(self, status: JobStatus) -> Iterator[Job]:
        """The last step: the job ends with `status` and the run lets go of it."""
        with self.step("") as job:
            yield job
            job.status = status
            job.finished_at = timezone.now()
            job.run_token = None


def fail_unclaimable(model: type[Job], job_id: int, message: str) -> None:
    """Fail a job no run could finish (TooManyAttempts), outside any run's lease."""
    with transaction.atomic():
        job = model._default_manager.select_for_update().get(pk=job_id)
        if job.finished:
            return
        job.status = JobStatus.FAILED
        job.finished_at = timezone.now()
        job.run_token = None
        job.note_failure(message)
        job.save()


# --- Starting jobs, and starting them again -------------------------------------------------


# A Celery task that runs one job by id.
Task = CeleryTask[[int], Any]


_KINDS: dict[type[BackgroundJob], Task] = {}


def register_job_kind(model: type[BackgroundJob], task: Task) -> None:
    """The task that runs jobs of `model`, for the sweep that starts forgotten ones; called
    from AppConfig.ready."""
    _KINDS[model] = task


def start_after_commit(task: Task, job_id: int) -> None:
    """Once the request's transaction commits: a Celery task on Redis, else a thread here."""
    transaction.on_commit(lambda: start(task, job_id))


def start(task: Task, job_id: int) -> bool:
    """Hand the job to the broker (or to a thread, in the embedded mode). A broker that cannot
    take it leaves the job queued, in the database: the sweep (`requeue_forgotten`) hands it
    over again once the broker is back. Returns whether the hand-over happened now."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # A copy of the context: the thread's log records carry the request's id.
        threading.Thread(
            target=contextvars.copy_context().run,
            args=(_run_in_thread, task, job_id),
            name=f"job-{job_id}",
            daemon=True,
        ).start()
        return True
    try:
        task.delay(job_id)
    except (KombuError, RedisError, OSError):
        logger.warning(
            "Job %s of %s left queued: the broker is unreachable",
            job_id,
            task.name,
            exc_info=True,
        )
        return False
    return True


def _run_in_thread(task: Task, job_id: int) -> None:
    try:
        task.run(job_id)
    except Exception:
        logger.exception("Job %s of %s failed", job_id, task.name)
    finally:
        connection.close()


def requeue_forgotten() -> int:
    """Hand over again every job that no run holds: queued for longer than the lease (its
    hand-over failed, or the broker lost it), or running with a heartbeat older than the lease
    (its worker died). Harmless twice over: a delivery for a held job waits out the lease, one
    for a finished job does nothing. Returns how many were handed over."""
    stale = timezone.now() - lease()
    handed = 0
    for model, task in _KINDS.items():
        forgotten = model._default_manager.filter(
            Q(status=JobStatus.QUEUED, created_at__lt=stale)
            | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale)
        ).values_list("pk", flat=True)
        for job_id in forgotten:
            handed += start(task, job_id)
    return handed
