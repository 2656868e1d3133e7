"""Tunables: the figures that steer rules, stored as versioned data and read through one function.

API (keep it this small):

``get(Model) -> Model``
    The settings document in force, as a frozen pydantic object (``Model`` is a class from
    ``kundennetz.core.tunables.schemas``, e.g. ``get(PlanningFigures).hours_per_day``). Read at most once
    per request (cached until the request ends; outside requests for ``CACHE_SECONDS``). Without a
    stored version — or when a stored one no longer validates — the model's defaults apply.
``version(Model) -> int``
    The version number in force (0 = defaults, nothing stored); part of a snapshot's inputs.
``save(Model, data, user, reason="") -> TunableVersion``
    Validate ``data`` (a dict) with the model and store it as the next version; raises
    ``pydantic.ValidationError`` (see ``messages(error)`` for translated lines) and stores nothing then.
``history(Model)``
    The stored versions, newest first (who, when, why, values).
``messages(error) -> list[str]``
    A ``ValidationError`` as translated lines "where: what" for forms and the API.

Defaults are the model defaults; a data migration stores them as version 1 so that the history starts
with them. Admins edit them on /settings/ (``core.tunables.views``); nobody else changes them.
"""

from __future__ import annotations

import contextvars
import logging
import time
from typing import TypeVar

from django.core.signals import request_finished, request_started
from django.db import transaction
from django.dispatch import Signal
from pydantic import ValidationError

from .schemas import ALL, BY_NAME, Tunable

# Sent inside the saving transaction with the new value (sender: the tunable's model).
tunable_saved = Signal()

__all__ = ["ALL", "BY_NAME", "CACHE_SECONDS", "Tunable", "clear_cache", "get", "history", "messages", "save",
           "tunable_saved", "version"]

log = logging.getLogger(__name__)
T = TypeVar("T", bound=Tunable)
CACHE_SECONDS = 5.0

# name -> (object, version, fetched at); inside a request it lives until the request ends.
_cache: contextvars.ContextVar[dict | None] = contextvars.ContextVar("kundennetz_tunables", default=None)
_in_request: contextvars.ContextVar[bool] = contextvars.ContextVar("kundennetz_tunables_request", default=False)
_process_cache: dict = {}


def _store() -> dict:
    return _cache.get() if _in_request.get() and _cache.get() is not None else _process_cache


def clear_cache(**_kwargs) -> None:
    """Forget what was read (after a save, and at the start and end of each request)."""
    _process_cache.clear()
    if _cache.get() is not None:
        _cache.set({})


def _request_started(**_kwargs) -> None:
    _in_request.set(True)
    _cache.set({})


def _request_finished(**_kwargs) -> None:
    _in_request.set(False)
    _cache.set(None)


request_started.connect(_request_started, dispatch_uid="kundennetz_tunables_started")
request_finished.connect(_request_finished, dispatch_uid="kundennetz_tunables_finished")


def _latest(name: str):
    from .models import TunableVersion

    return TunableVersion.objects.filter(name=name).order_by("-version").first()


def _load(model: type[T]) -> tuple[T, int]:
    row = _latest(model.NAME)
    if row is None:
        return model(), 0
    try:
        known = {k: v for k, v in (row.data or {}).items() if k in model.model_fields}
        return model.model_validate(known), row.version
    except ValidationError as exc:
        log.warning("settings %s v%s no longer valid, defaults apply: %s", model.NAME, row.version, exc)
        return model(), row.version


def _entry(model: type[T]) -> tuple[T, int]:
    store = _store()
    hit = store.get(model.NAME)
    in_request = store is not _process_cache
    if hit is not None and (in_request or time.monotonic() - hit[2] < CACHE_SECONDS):
        return hit[0], hit[1]
    obj, number = _load(model)
    store[model.NAME] = (obj, number, time.monotonic())
    return obj, number


def get(model: type[T]) -> T:
    """The settings document ``model`` in force (see the module docstring)."""
    return _entry(model)[0]


def version(model: type[Tunable]) -> int:
    """The stored version in force; 0 while only the defaults apply."""
    return _entry(model)[1]


class StaleSettings(Exception):
    """The settings were saved by someone else since the version the change is based on."""

    def __init__(self, current: int):
        super().__init__(current)
        self.current = current


def save(model: type[T], data: dict, user=None, reason: str = "", based_on: int | None = None):
    """Validate ``data`` and store it as the next version of ``model``; returns the new row.

    ``based_on``: the version the user edited; if another one was saved since, `StaleSettings` is raised
    and nothing is stored (checked under the same lock that numbers the versions, so no race slips past)."""
    from .models import TunableVersion

    obj = model.model_validate(data)
    with transaction.atomic():
        last = (TunableVersion.objects.select_for_update().filter(name=model.NAME)
                .order_by("-version").values_list("version", flat=True).first()) or 0
        if based_on is not None and based_on != last:
            raise StaleSettings(last)
        row = TunableVersion.objects.create(name=model.NAME, version=last + 1, data=obj.model_dump(mode="json"),
                                            reason=reason[:300], created_by=user if getattr(user, "pk", None) else None)
        transaction.on_commit(clear_cache)
        clear_cache()
        # Apps that store values derived from a tunable bring them up to date in the same transaction.
        tunable_saved.send(sender=model, value=obj)
    clear_cache()
    return row


def three_way(model: type[Tunable], based_on: int, yours: dict) -> tuple[dict, list[str], object]:
    """A change based on an older version, merged key by key with what was saved since.

    A key only the other person changed takes their value, a key only the user changed keeps the user's;
    keys both changed differently are returned as conflicts. Returns (merged values, conflicting keys,
    the version row in force)."""
    from .models import TunableVersion

    current = TunableVersion.objects.filter(name=model.NAME).select_related("created_by").order_by("-version").first()
    base_row = TunableVersion.objects.filter(name=model.NAME, version=based_on).first()
    defaults = model().model_dump(mode="json")
    base = {**defaults, **(base_row.data if base_row else {})}
    theirs = {**defaults, **(current.data if current else {})}
    merged, conflicts = dict(yours), []
    for key in sorted(set(theirs) | set(yours)):
        if key not in model.model_fields or theirs.get(key) == yours.get(key):
            continue
        if theirs.get(key) == base.get(key):
            continue  # only the user changed it
        if key not in yours or yours.get(key) == base.get(key):
            merged[key] = theirs.get(key)  # only they changed it: keep theirs
            continue
        conflicts.append(key)
    return merged, conflicts, current


def history(model: type[Tunable]):
    from .models import TunableVersion

    return TunableVersion.objects.filter(name=model.NAME).select_related("created_by").order_by("-version")


def seed_defaults(TunableVersionModel, names=None) -> None:
    """For data migrations: store the defaults as version 1 of each tunable not stored yet."""
    for model in ALL:
        if names is not None and model.NAME not in names:
            continue
        if not TunableVersionModel.objects.filter(name=model.NAME).exists():
            TunableVersionModel.objects.create(name=model.NAME, version=1, data=model().model_dump(mode="json"),
                                               reason="defaults")


def messages(error: ValidationError) -> list[str]:
    """Translated lines for a validation error, each "where: what"."""
    from .errors import describe

    return [describe(e) for e in error.errors(include_url=False)]
