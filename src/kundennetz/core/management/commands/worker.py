"""`kundennetz worker`: run background tasks (imports, undo, recomputes, exports, reminders).

The database backend's worker (django-tasks-db) with a heartbeat: tasks whose worker went silent are
put back in the queue, and the daily schedule is enqueued (see kundennetz.core.jobs). Run as many as
you like, on one machine or several, against the same database.
"""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from kundennetz.core import jobs


class KundennetzWorker(Worker):
    def __init__(self, *, heartbeat: bool = True, schedule: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.heartbeat, self.schedule = heartbeat, schedule

    def run(self) -> None:
        thread = None
        if self.heartbeat:
            jobs.beat(self.worker_id)
            thread = jobs.Heartbeat(self.worker_id, schedule=self.schedule)
            thread.start()
        try:
            super().run()
        finally:
            if thread is not None:
                thread.stop()


class Command(DbWorkerCommand):
    help = ("Run a background worker: imports, undo, recomputes, scenarios, exports and the daily reminders. "
            "Several may run at once, on any machine using the same database.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)
        parser.add_argument("--no-schedule", action="store_false", dest="schedule",
                            help="Do not enqueue the scheduled jobs (daily reminders) from this worker.")

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload, max_tasks,
               worker_id, exclude_queues, schedule=True, **options):
        self.configure_logging(verbosity)
        worker = KundennetzWorker(
            queue_names=queue_name.split(","), interval=interval, batch=batch, backend_name=backend_name,
            startup_delay=startup_delay, max_tasks=max_tasks, worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
            heartbeat=not batch, schedule=schedule)
        if verbosity >= 1:
            self.stdout.write(f"Kundennetz worker {worker_id[:8]} started (stop with Ctrl+C).")
        worker.configure_signals()
        worker.run()
