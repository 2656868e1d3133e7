"""Background work of the accounts: the sort keys of customer groups and stages passed on to the rows
referring to them (``accounts.sortkeys``, deferred copies)."""

from django.db import connection, transaction
from django_tasks import task

from . import sortkeys


@task()
def pass_on_sort_keys(source: str, source_id: int) -> int:
    """A customer group renamed or a stage moved: its new key onto its accounts or opportunities."""
    return sortkeys.pass_on(connection, source, source_id)


@task()
def pass_on_all_sort_keys() -> int:
    """Every night: whatever changed a customer group or stage other than through the ORM (SQL by hand)."""
    return sortkeys.pass_on_all(connection)


def queue_pass_on(source: str, ids, using: str = "default") -> None:
    """Queue the pass-on of each of `ids` of `source` once the change is committed."""
    ids = list(ids)

    def queue():
        for pk in ids:
            pass_on_sort_keys.enqueue(source, pk)

    if ids:
        transaction.on_commit(queue, using=using)


def referenced_saved(sender, instance, created, raw=False, using="default", **kwargs) -> None:
    """A customer group or stage saved (a new one has nothing referring to it yet)."""
    if not (created or raw):
        queue_pass_on(sender._meta.db_table, [instance.pk], using)
