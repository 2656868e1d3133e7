"""Use cases of the customer network that write. Pages, forms and the API call these; each record is
saved through `core.services.save_record` (validated, stamped with who did it, history attributed).

`save_with` saves a record, its many-to-many values and what hangs on it all or nothing;
`remove_involvement` takes a person off a deal; `restore` and `restore_many` bring records back from
the trash, an account before what hangs off it; `refresh_revenue_base` converts every account's
revenue again when new exchange rates are saved.
"""

from django.db import models, transaction
from django.db.models.functions import Round

from kundennetz.core.services import save_record
from kundennetz.domain.money import rate

from .models import Account, exchange_rates


def save_with(obj, user, *, m2m: dict | None = None, after=None):
    """Save `obj` as `user` with its many-to-many values, then `after(obj)` (the rows that hang on it),
    all or nothing. Raises ValidationError."""
    with transaction.atomic():
        save_record(obj, user, m2m=m2m)
        if after is not None:
            after(obj)
    return obj


def remove_involvement(involvement, user) -> None:
    """Take a person off a deal; the history says who did it."""
    involvement._history_user = user
    involvement.delete()


def restore(record, user) -> bool:
    """Bring `record` back from the trash. A person or deal whose account is in the trash stays there
    (False): without its account it would be reachable by nobody, so the account comes back first."""
    account = getattr(record, "account", None)
    if account is not None and account.is_deleted:
        return False
    record.restore(user)
    return True


def restore_many(records, user) -> tuple[list, list]:
    """Restore `records` in one transaction: those restored, and those left waiting for their account."""
    restored, waiting = [], []
    with transaction.atomic():
        for record in records:
            (restored if restore(record, user) else waiting).append(record)
    return restored, waiting


def refresh_revenue_base(**_signal) -> None:
    """Convert every account's revenue again (after new exchange rates): one UPDATE per currency."""
    rates = exchange_rates()
    for code in Account.Currency.values:
        factor = rate(code, rates)
        Account.all_objects.filter(currency=code).update(
            revenue_base=models.ExpressionWrapper(
                Round(models.F("annual_revenue") * models.Value(factor), 2),
                output_field=models.DecimalField(max_digits=16, decimal_places=2)))
