"""`kundennetz serve`: the app on a production-grade WSGI server (gunicorn), on the loopback interface by
default, with one background worker beside it (unless `--no-worker`), so that one command runs everything."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Kundennetz with gunicorn (default 127.0.0.1:8000, 2 workers) and one background task worker."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("KUNDENNETZ_BIND", "127.0.0.1:8000"),
                            help="Address and port, e.g. 0.0.0.0:8000 behind a reverse proxy.")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("KUNDENNETZ_WORKERS", "2")),
                            help="Number of web worker processes (they keep no state: sessions live in the database).")
        parser.add_argument("--no-worker", action="store_false", dest="task_worker",
                            help="Do not start a background task worker (run `kundennetz worker` elsewhere).")

    def handle(self, *args, bind, workers, task_worker=True, **options):
        if workers < 1:
            self.stderr.write("--workers must be at least 1.")
            sys.exit(2)
        self.stdout.write(f"Kundennetz is served on http://{bind}/ (settings {os.environ['DJANGO_SETTINGS_MODULE']}, "
                          f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
                          f"{', with a background worker' if task_worker else ', no background worker'}). "
                          "Stop with Ctrl+C.")
        sys.stdout.flush()
        web = [sys.executable, "-m", "gunicorn", "kundennetz.wsgi:application", "--bind", bind,
               "--workers", str(workers), "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1"]
        if not task_worker:
            os.execv(sys.executable, web)
        self.supervise(web, [sys.executable, "-m", "kundennetz", "worker", "-v", "1"])

    def supervise(self, web_argv, worker_argv) -> None:
        """Run gunicorn and the worker; restart the worker if it dies; stop both when asked or when gunicorn ends."""
        web = subprocess.Popen(web_argv)
        worker = subprocess.Popen(worker_argv)
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True
            for process in (web, worker):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while True:
            if web.poll() is not None:
                stop(None, None)
                break
            if worker.poll() is not None and not stopping:
                self.stderr.write(f"The background worker stopped (exit {worker.returncode}); starting it again.")
                time.sleep(1)
                worker = subprocess.Popen(worker_argv)
            time.sleep(0.5)
        for process in (web, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        sys.exit(web.returncode or 0)
