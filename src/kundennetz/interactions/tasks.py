"""Background work of interactions: the daily reminders (scheduled by the task workers, see core.jobs)."""

from django.utils import timezone
from django_tasks import task

from . import reminders


@task()
def send_daily_reminders() -> dict:
    """Today's reminders for every account manager (each person at most once a day)."""
    report = reminders.send_reminders(timezone.localdate())
    counts: dict[str, int] = {}
    for line in report:
        counts[line.status] = counts.get(line.status, 0) + 1
    return counts
