"""`kundennetz serve`: the app on a production-grade WSGI server (gunicorn), on the loopback interface by default."""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Kundennetz with gunicorn (default 127.0.0.1:8000, 2 workers)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("KUNDENNETZ_BIND", "127.0.0.1:8000"),
                            help="Address and port, e.g. 0.0.0.0:8000 behind a reverse proxy.")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("KUNDENNETZ_WORKERS", "2")),
                            help="Number of worker processes (they keep no state: sessions live in the database).")

    def handle(self, *args, bind, workers, **options):
        if workers < 1:
            self.stderr.write("--workers must be at least 1.")
            sys.exit(2)
        self.stdout.write(f"Kundennetz is served on http://{bind}/ (settings {os.environ['DJANGO_SETTINGS_MODULE']}, "
                          f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}). Stop with Ctrl+C.")
        sys.stdout.flush()
        argv = [sys.executable, "-m", "gunicorn", "kundennetz.wsgi:application", "--bind", bind,
                "--workers", str(workers), "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1"]
        os.execv(sys.executable, argv)
