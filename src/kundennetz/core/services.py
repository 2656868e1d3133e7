"""Saving a record the one way: validated, stamped with who did it, history attributed, in one transaction."""

from django.db import transaction


def save_record(obj, user, *, m2m: dict | None = None, exclude_validation: list[str] | None = None):
    """Validate and save `obj` as `user`; `m2m` sets many-to-many fields after the save. Raises ValidationError."""
    with transaction.atomic():
        if hasattr(obj, "stamp"):
            obj.stamp(user)
        obj.full_clean(exclude=exclude_validation)
        # django-simple-history reads the author from here when no request carries one (API, commands).
        obj._history_user = user
        obj.save()
        for field, values in (m2m or {}).items():
            getattr(obj, field).set(values)
    return obj
