"""Planning's API router and what its endpoints share: periods, the permission to plan, validation errors."""

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Router

from kundennetz.core.api_errors import FieldErrors
from kundennetz.domain import capacity as domain_capacity

from ..models import Period
from ..permissions import can_plan


router = Router(tags=["planning"])


# --- helpers ---------------------------------------------------------------------------------------


def period_to_write(code: str, loc: tuple = ("query", "period")) -> Period:
    """The period `code` names, made when nobody planned it yet; a 422 naming `loc` when it names none."""
    errors = FieldErrors(prefix=())
    period = period_into(errors, code, loc)
    errors.raise_if_any()
    return period


def period_into(errors: FieldErrors, code: str, loc="period") -> Period | None:
    """The period `code` names (made when nobody planned it yet), or None with the error added to `errors`
    (so that a request's other mistakes are reported in the same answer)."""
    try:
        return Period.get(code)
    except DjangoValidationError:
        errors.add(loc, _("Enter a year (2026) or a quarter (2026-Q3)."))
        return None


def period_to_read(code: str, loc: tuple = ("query", "period")) -> Period:
    """The period a read names: the stored one, or an unsaved one when nobody planned it yet (reading never
    writes). Filter by ``period__code``."""
    try:
        return Period.peek(code)
    except DjangoValidationError:
        errors = FieldErrors(prefix=())
        errors.add(loc, _("Enter a year (2026) or a quarter (2026-Q3)."))
        errors.raise_if_any()
        raise


def checked_period_code(code: str, loc: tuple = ("query", "period")) -> str:
    """The code of a period named in a read: checked, but no period row is made for it (reading never
    writes; a period nobody planned holds nothing)."""
    try:
        return domain_capacity.parse_period(code).code
    except ValueError:
        errors = FieldErrors(prefix=())
        errors.add(loc, _("Enter a year (2026) or a quarter (2026-Q3)."))
        errors.raise_if_any()
        raise


def require_plan(user) -> None:
    """403 unless `user` may change planning."""
    if not can_plan(user):
        raise PermissionDenied(_("Only a sales head or an admin may change planning."))


def raise_django(exc: DjangoValidationError, prefix=("body",)) -> None:
    """A model's validation error as the API's 422, each message at its field under `prefix`."""
    errors = FieldErrors(prefix=prefix)
    errors.add_django(exc)
    errors.raise_if_any()


