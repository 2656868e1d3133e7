"""Running queued tasks in a test, as `kundennetz worker` does, on the test's own connection."""

from unittest import mock


def run_queued_tasks(worker_id: str = "test-worker") -> None:
    """Every task in the queue run once by a worker in this thread. The worker's habit of closing
    connections between tasks is left out: inside a test's transaction it would close the test's own."""
    from kundennetz.core.management.commands.worker import KundennetzWorker

    worker = KundennetzWorker(queue_names=["*"], interval=0, batch=True, backend_name="default",
                              startup_delay=False, max_tasks=None, worker_id=worker_id, excluded_queue_names=[],
                              heartbeat=False)
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        worker.run()
