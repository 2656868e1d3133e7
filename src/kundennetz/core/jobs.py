"""Long work in the background: tasks on django-tasks with its database backend (django-tasks-db).

- **Enqueue** with `enqueue(task, *args)`; the task row is written in the caller's transaction, so a
  worker sees it only once the record it works on is committed. Tests run tasks at once (the
  immediate backend, settings.test).
- **Workers** (`kundennetz worker`, one started by `kundennetz serve`, as many more as wanted on any
  machine) claim tasks with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL and an exclusive
  transaction on SQLite (the backend's own claiming), so that no task runs twice.
- **Heartbeat**: each worker writes `WorkerBeat` every few seconds from a thread of its own. A task
  whose worker has been silent for `STALE_AFTER` (killed, machine gone) is put back in the queue by
  any other worker; the task functions are written so that a second run first clears what the first
  left half-done (see imports.tasks). After `MAX_ATTEMPTS` such losses a task is marked failed.
- **Schedule**: `settings.KUNDENNETZ_SCHEDULE` (daily reminders; a weekly slot for the win model)
  is enqueued by whichever worker first sees it due, once per period (`ScheduledRun`).
- **Progress**: `Progress` writes "done of total" to the record the user is looking at, at most a
  few times a second.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from kundennetz.domain.errors import DomainError
from kundennetz.domain.schedule import Schedule, due_period

from . import refusals

logger = logging.getLogger("kundennetz.jobs")

HEARTBEAT_SECONDS = getattr(settings, "KUNDENNETZ_HEARTBEAT_SECONDS", 5)
STALE_AFTER = timedelta(seconds=getattr(settings, "KUNDENNETZ_STALE_AFTER_SECONDS", 60))
HOUSEKEEPING_SECONDS = 15
MAX_ATTEMPTS = 3


def enqueue(task, *args, **kwargs) -> str:
    """Queue `task` with JSON-able arguments; returns the task's id."""
    return str(task.enqueue(*args, **kwargs).id)


def schedules() -> list[Schedule]:
    result = []
    for entry in getattr(settings, "KUNDENNETZ_SCHEDULE", []):
        entry = dict(entry)
        if isinstance(entry.get("at"), str):
            hours, minutes = entry["at"].split(":")
            entry["at"] = timezone.datetime.strptime(f"{hours}:{minutes}", "%H:%M").time()
        result.append(Schedule(**entry))
    return result


# -- worker side ----------------------------------------------------------------------------------


def beat(worker_id: str) -> None:
    from .models import WorkerBeat

    now = timezone.now()
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerBeat.objects.create(worker_id=worker_id, host=socket.gethostname()[:255], pid=os.getpid(),
                                  beat_at=now)


def requeue_stale(now=None) -> list[str]:
    """Put back in the queue the running tasks whose worker has gone silent; fail those lost too often."""
    from django_tasks_db.models import DBTaskResult

    from .models import WorkerBeat

    now = now or timezone.now()
    alive = set(WorkerBeat.objects.filter(beat_at__gte=now - STALE_AFTER).values_list("worker_id", flat=True))
    requeued = []
    for task in DBTaskResult.objects.running().only("id", "worker_ids", "started_at"):
        worker = task.worker_ids[-1] if task.worker_ids else None
        if worker in alive or (task.started_at and task.started_at > now - STALE_AFTER):
            continue
        with transaction.atomic():
            if len(task.worker_ids) >= MAX_ATTEMPTS:
                DBTaskResult.objects.filter(pk=task.pk, status="RUNNING").update(
                    status="FAILED", finished_at=now, exception_class_path="kundennetz.core.jobs.WorkerLost",
                    traceback=f"The task's worker stopped {len(task.worker_ids)} times while running it.")
                logger.warning("Task %s failed: its worker was lost %d times", task.pk, len(task.worker_ids))
                continue
            if DBTaskResult.objects.filter(pk=task.pk, status="RUNNING").update(status="READY", started_at=None):
                requeued.append(str(task.pk))
                logger.warning("Task %s re-queued: worker %s went silent", task.pk, worker)
    WorkerBeat.objects.filter(beat_at__lt=now - timedelta(days=1)).delete()
    return requeued


def enqueue_due(now=None) -> list[str]:
    """Enqueue each scheduled job that is due and not yet enqueued for its period (by any worker)."""
    from .models import ScheduledRun

    local = timezone.localtime(now or timezone.now())
    enqueued = []
    for schedule in schedules():
        period = due_period(schedule, local.replace(tzinfo=None))
        if period is None or ScheduledRun.objects.filter(name=schedule.name, period=period).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=schedule.name, period=period)
                run.task_id = enqueue(import_string(schedule.task))
                run.save(update_fields=["task_id"])
        except IntegrityError:  # another worker was quicker
            continue
        enqueued.append(schedule.name)
    return enqueued


def housekeeping(worker_id: str) -> None:
    beat(worker_id)
    requeue_stale()
    enqueue_due()
    purge_expired()


class Heartbeat(threading.Thread):
    """Beats for `worker_id` and keeps house while the worker's main thread runs tasks."""

    def __init__(self, worker_id: str, schedule: bool = True):
        super().__init__(name="kundennetz-heartbeat", daemon=True)
        self.worker_id, self.schedule = worker_id, schedule
        self.stopped = threading.Event()

    def run(self) -> None:
        last_housekeeping = 0.0
        while not self.stopped.is_set():
            try:
                close_old_connections()
                beat(self.worker_id)
                if time.monotonic() - last_housekeeping >= HOUSEKEEPING_SECONDS:
                    requeue_stale()
                    purge_expired()
                    if self.schedule:
                        enqueue_due()
                    last_housekeeping = time.monotonic()
            except OperationalError as exc:  # busy database: try again at the next beat
                logger.info("Heartbeat skipped: %s", exc)
            except Exception:  # never let housekeeping kill the worker
                logger.exception("Heartbeat failed")
            self.stopped.wait(HEARTBEAT_SECONDS)
        close_old_connections()

    def stop(self) -> None:
        self.stopped.set()


# -- task side ------------------------------------------------------------------------------------


class Progress:
    """Writes `done` (and `total`) to one record's fields, at most every `every` seconds, outside the
    caller's transaction only if the caller has none (it is a plain UPDATE either way)."""

    def __init__(self, model, pk, *, done_field: str = "done", total_field: str = "total", every: float = 0.5):
        self.model, self.pk, self.done_field, self.total_field, self.every = model, pk, done_field, total_field, every
        self.last = 0.0

    def total(self, total: int) -> None:
        self.model.objects.filter(pk=self.pk).update(**{self.total_field: total, self.done_field: 0})
        self.last = time.monotonic()

    def __call__(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.last >= self.every:
            self.model.objects.filter(pk=self.pk).update(**{self.done_field: done})
            self.last = now


def run_job(job_id: int, work) -> None:
    """Run `work(job, progress)` for the `Job` `job_id`: running, then done with its result or failed
    with the reason. Safe to run again after a lost worker (it starts over)."""
    from .models import Job

    from django.utils import translation

    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status in (Job.Status.DONE, Job.Status.FAILED):
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now(), done=0)
    progress = Progress(Job, job.pk)
    language = job.params.get("language") or getattr(job.created_by, "language", "") or "de-ch"
    try:
        with translation.override(language):
            result = work(job, progress) or {}
    except Exception as exc:
        logger.info("Job %s failed: %r", job.pk, exc)
        messages = getattr(exc, "messages", None)
        reason = " ".join(str(m) for m in messages) if isinstance(messages, list) else str(exc)
        if isinstance(exc, DomainError):  # its message is the developers'; its code reads in the job's language
            with translation.override(language):
                reason = refusals.describe(exc)
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, finished_at=timezone.now(),
                                             reason=reason[:2000] or exc.__class__.__name__)
        return
    job.refresh_from_db()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, finished_at=timezone.now(), result=result,
                                         done=max(job.done, job.total))


# -- files jobs produce ---------------------------------------------------------------------------

FILE_KEPT = timedelta(days=1)
PART_BYTES = 1024 * 1024


def store_file(job, handle, file_name: str) -> None:
    """Keep the finished file `handle` (read from its start) with `job`, for a day. Called only once the
    file is complete, so that a file that was cut off is never offered as if it were whole."""
    from .models import Job, JobFilePart

    handle.seek(0)
    size = number = 0
    with transaction.atomic():
        JobFilePart.objects.filter(job=job).delete()
        while True:
            data = handle.read(PART_BYTES)
            if not data and number:
                break
            JobFilePart.objects.create(job=job, number=number, data=data)
            size += len(data)
            number += 1
            if not data:
                break
        Job.objects.filter(pk=job.pk).update(file_name=file_name[:255], file_size=size,
                                             expires_at=timezone.now() + FILE_KEPT)


def file_chunks(job):
    """The job's file, part by part (a streaming download)."""
    from .models import JobFilePart

    for data in JobFilePart.objects.filter(job=job).order_by("number").values_list("data", flat=True).iterator(
            chunk_size=2):
        yield bytes(data)


def purge_expired(now=None) -> int:
    """Remove the files of jobs kept longer than a day (the jobs stay, saying the file has expired)."""
    from .models import Job, JobFilePart

    now = now or timezone.now()
    expired = Job.objects.filter(expires_at__lte=now).exclude(file_name="")
    removed = JobFilePart.objects.filter(job__in=expired).delete()[0]
    expired.update(file_name="", file_size=0)
    return removed


def start_job(user, kind: str, title: str, task, params: dict | None = None):
    """A `Job` for `user`, queued for `task(job_id)`, run in the language active now."""
    from django.utils.translation import get_language

    from .models import Job

    params = {"language": get_language(), **(params or {})}
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=str(title)[:200], created_by=user, params=params)
        job.task_id = enqueue(task, job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=job.task_id)
    job.refresh_from_db()
    return job
