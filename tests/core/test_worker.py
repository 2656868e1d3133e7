"""The task queue: the worker runs queued tasks, re-queues those of silent workers, and enqueues the
daily schedule once per day however many workers look."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class _worker:
    """A worker that runs the queue once (see tests/helpers/task_worker.py)."""

    def __init__(self, worker_id="test-worker"):
        self.worker_id = worker_id

    def run(self):
        from task_worker import run_queued_tasks

        run_queued_tasks(self.worker_id)


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_queued_task_waits_for_a_worker_and_runs_once(cast):
    from django_tasks_db.models import DBTaskResult

    from kundennetz.core import jobs
    from kundennetz.interactions.tasks import send_daily_reminders

    task_id = jobs.enqueue(send_daily_reminders)
    assert DBTaskResult.objects.get(pk=task_id).status == "READY"
    _worker().run()
    result = DBTaskResult.objects.get(pk=task_id)
    assert result.status == "SUCCESSFUL"
    assert result.worker_ids == ["test-worker"]
    _worker(worker_id="second").run()  # nothing left to run
    assert DBTaskResult.objects.get(pk=task_id).worker_ids == ["test-worker"]


def _running(worker_ids, started_minutes_ago=10):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}}, task_path="kundennetz.interactions.tasks.send_daily_reminders",
        backend_name="default", status="RUNNING", worker_ids=worker_ids,
        started_at=timezone.now() - timedelta(minutes=started_minutes_ago))


@pytest.mark.django_db
def test_tasks_of_silent_workers_are_requeued_and_lost_three_times_fail():
    from django_tasks_db.models import DBTaskResult

    from kundennetz.core import jobs
    from kundennetz.core.models import WorkerBeat

    WorkerBeat.objects.create(worker_id="alive", beat_at=timezone.now())
    WorkerBeat.objects.create(worker_id="dead", beat_at=timezone.now() - timedelta(minutes=5))
    of_alive = _running(["alive"])
    of_dead = _running(["dead"])
    never_beat = _running(["killed-at-once"])
    just_claimed = _running(["starting"], started_minutes_ago=0)
    lost_often = _running(["dead", "dead", "dead"])

    requeued = jobs.requeue_stale()

    assert set(requeued) == {str(of_dead.pk), str(never_beat.pk)}
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert status[of_alive.pk] == "RUNNING"
    assert status[just_claimed.pk] == "RUNNING"
    assert status[of_dead.pk] == "READY"
    assert status[lost_often.pk] == "FAILED"
    assert jobs.requeue_stale() == []


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_requeued_task_is_run_by_the_next_worker(cast):
    from django_tasks_db.models import DBTaskResult

    from kundennetz.core import jobs

    task = _running(["killed"])
    jobs.requeue_stale()
    _worker(worker_id="next").run()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.worker_ids == ["killed", "next"]
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_daily_schedule_enqueued_once_per_day(cast, settings):
    from kundennetz.core import jobs
    from kundennetz.core.models import ScheduledRun

    settings.KUNDENNETZ_SCHEDULE = [{"name": "reminders", "at": "06:00",
                                     "task": "kundennetz.interactions.tasks.send_daily_reminders"}]
    early = timezone.make_aware(timezone.datetime(2026, 3, 2, 5, 0))
    assert jobs.enqueue_due(early) == []
    morning = timezone.make_aware(timezone.datetime(2026, 3, 2, 7, 0))
    assert jobs.enqueue_due(morning) == ["reminders"]
    assert jobs.enqueue_due(morning + timedelta(hours=3)) == []  # a second worker, later that day
    assert list(ScheduledRun.objects.values_list("name", "period")) == [("reminders", "2026-03-02")]
    assert jobs.enqueue_due(morning + timedelta(days=1)) == ["reminders"]


@pytest.mark.django_db
def test_weekly_hook_and_bad_schedule(settings):
    from kundennetz.core import jobs

    settings.KUNDENNETZ_SCHEDULE = [{"name": "fit", "every": "weekly", "weekday": 0, "at": "03:00",
                                     "task": "kundennetz.interactions.tasks.send_daily_reminders"}]
    assert [s.every for s in jobs.schedules()] == ["weekly"]
    settings.KUNDENNETZ_SCHEDULE = [{"name": "x", "every": "hourly", "task": "a.b"}]
    with pytest.raises(ValueError):
        jobs.schedules()


@pytest.mark.django_db
def test_heartbeat_written_and_refreshed():
    from kundennetz.core import jobs
    from kundennetz.core.models import WorkerBeat

    jobs.beat("w1")
    first = WorkerBeat.objects.get(worker_id="w1").beat_at
    jobs.beat("w1")
    assert WorkerBeat.objects.count() == 1
    assert WorkerBeat.objects.get(worker_id="w1").beat_at >= first


@override_settings(TASKS=DB_TASKS)
def test_worker_and_serve_commands_offer_their_options():
    from kundennetz.core.management.commands.serve import Command as Serve
    from kundennetz.core.management.commands.worker import Command as Worker

    parser = Serve().create_parser("kundennetz", "serve")
    assert parser.parse_args(["--no-worker"]).task_worker is False
    assert parser.parse_args([]).task_worker is True
    options = Worker().create_parser("kundennetz", "worker").parse_args([])
    assert options.queue_name == "*" and options.reload is False and options.schedule is True


@pytest.mark.django_db
def test_recomputes_from_the_web_are_jobs_that_lead_to_their_result(cast, network, client_for, settings):
    """A portfolio snapshot and the consistency recompute: the request only queues a job; with a worker
    the job page shows its progress, then leads to the result."""
    from kundennetz.core.models import Job
    from kundennetz.portfolio.models import PortfolioSnapshot

    settings.TASKS = DB_TASKS
    client = client_for(cast.sales_head)
    response = client.post("/portfolio/snapshots/", {"period": "2026-Q3"})
    job = Job.objects.get()
    assert response.url == f"/jobs/{job.pk}/" and job.status == "queued" and job.kind == "portfolio_snapshot"
    assert not PortfolioSnapshot.objects.exists()  # nothing done inside the request
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="job-progress"' in page and "every 1s" in page
    assert client.get("/jobs/").status_code == 200
    _worker().run()
    job.refresh_from_db()
    assert job.status == "done" and PortfolioSnapshot.objects.filter(period="2026-Q3").exists()
    assert client.get(f"/jobs/{job.pk}/progress/")["HX-Refresh"] == "true"
    result = client.get(f"/jobs/{job.pk}/")
    assert result.status_code == 302 and result.url == "/portfolio/"
    assert client_for(cast.owner).get(f"/jobs/{job.pk}/").status_code == 404  # another person's job


@pytest.mark.django_db
def test_the_shipped_schedule_sends_reminders_daily_and_recomputes_consistency_nightly(cast, network, settings):
    """The settings as shipped: reminders once a day, consistency and the stored per-account figures every
    night, enqueued by a worker (no cron), each once per day however many workers look."""
    from django_tasks_db.models import DBTaskResult

    from kundennetz.core import jobs
    from kundennetz.interactions.models import ConsistencySnapshot
    from kundennetz.settings import base

    settings.KUNDENNETZ_SCHEDULE = base.KUNDENNETZ_SCHEDULE
    settings.TASKS = DB_TASKS
    daily = {s.name: s for s in jobs.schedules() if s.every == "daily"}
    assert set(daily) == {"reminders", "consistency", "stored_figures", "sort_keys"}
    day = timezone.make_aware(timezone.datetime(2026, 3, 3, 7, 0))
    # (and this week's refit of the win model, due since Monday)
    assert sorted(jobs.enqueue_due(day)) == ["consistency", "reminders", "sort_keys", "stored_figures", "win_model"]
    assert jobs.enqueue_due(day + timedelta(hours=2)) == []
    assert sorted(jobs.enqueue_due(day + timedelta(days=1))) == ["consistency", "reminders", "sort_keys",
                                                                  "stored_figures"]
    assert DBTaskResult.objects.count() == 9
    _worker().run()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert ConsistencySnapshot.objects.count() == 2  # every account of the test network
