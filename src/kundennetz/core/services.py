"""Saving a record the one way: validated, stamped with who did it, history attributed, in one transaction."""

from django.db import IntegrityError, transaction


def save_record(obj, user, *, m2m: dict | None = None, exclude_validation: list[str] | None = None):
    """Validate and save `obj` as `user`; `m2m` sets many-to-many fields after the save. Raises ValidationError."""
    with transaction.atomic():
        if hasattr(obj, "stamp"):
            obj.stamp(user)
        obj.full_clean(exclude=exclude_validation)
        # django-simple-history reads the author from here when no request carries one (API, commands).
        obj._history_user = user
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            # Someone stored the same unique value a moment ago (after our check above): the model's own
            # check now sees it and says so in words; anything else stays the error it is.
            adding = obj._state.adding
            obj.validate_unique()
            obj.validate_constraints()
            if adding:
                obj.pk = None
            raise
        for field, values in (m2m or {}).items():
            getattr(obj, field).set(values)
    return obj
