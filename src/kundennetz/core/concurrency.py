"""Concurrent edits in the JSON API: ETag on reads, If-Match on writes, each change against a fresh row.

Every versioned record (`core.models.VersionedModel`) carries a number raised by each save. The API
answers it as ``ETag: "<version>"``. A PATCH, PUT or DELETE runs in one transaction (`ApiWriteMiddleware`)
and, through `record()`, locks the row it changes and reads it afresh before applying the request:

- ``If-Match`` naming another version (or anything that is not a version of this record) answers 412
  and changes nothing; ``If-Match: *`` only requires that the record exists;
- a PATCH changes only the fields it sends, on top of whatever the row holds now, so that two PATCHes
  of different fields of one record both persist instead of the second writing back the first's old values.

`record()` finds the request through a context variable that the middleware sets, so that the door every
endpoint already goes through (``get_for``) can call it without each endpoint passing the request along.
"""

import json
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from ninja.errors import HttpError

WRITE_METHODS = frozenset({"PATCH", "PUT", "DELETE"})
API_PREFIX = "/api/"


@dataclass
class _State:
    request: object
    records: list = field(default_factory=list)


_current: ContextVar[_State | None] = ContextVar("kundennetz_api_request", default=None)


def etag(record) -> str:
    """The strong entity tag of a record's current version."""
    return f'"{record.version}"'


def _tags(header: str) -> list[str]:
    return [part.strip() for part in header.split(",") if part.strip()]


def if_match_holds(header: str | None, record) -> bool:
    """RFC 9110: `*` matches any existing record; otherwise one listed strong tag must equal the record's."""
    if header is None:
        return True
    tags = _tags(header)
    if "*" in tags:
        return True
    return etag(record) in tags


def precondition_failed() -> HttpError:
    return HttpError(412, _("This record was changed in the meantime (If-Match does not name its current "
                            "version). Read it again and repeat your change."))


def record(obj):
    """Declare `obj` the record this API request reads or changes.

    On a write (PATCH, PUT, DELETE) the row is locked for the rest of the request's transaction, `obj` is
    read afresh, and ``If-Match`` is checked (412 when stale). On any method the answer carries the
    record's ETag. Outside an API request this does nothing.
    """
    state = _current.get()
    if state is None or obj is None or not hasattr(obj, "version"):
        return obj
    request = state.request
    if request.method in WRITE_METHODS and obj.pk is not None and not state.records:
        if transaction.get_connection().in_atomic_block:
            type(obj)._base_manager.select_for_update().filter(pk=obj.pk).values_list("pk", flat=True).first()
        obj.refresh_from_db()
        if not if_match_holds(request.headers.get("If-Match"), obj):
            raise precondition_failed()
    state.records.append(obj)
    return obj


def require_absent_if_match(exists: bool) -> None:
    """For a PUT that creates: ``If-Match`` promises an existing record, so none there answers 412."""
    state = _current.get()
    if state is not None and not exists and state.request.headers.get("If-Match") is not None:
        raise precondition_failed()


class ApiWriteMiddleware:
    """Runs each API write in one transaction (rolled back when it is refused) and adds the ETag."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        state = _State(request)
        token = _current.set(state)
        try:
            if request.method in WRITE_METHODS:
                with transaction.atomic():
                    response = self.get_response(request)
                    if response.status_code >= 400:
                        transaction.set_rollback(True)
            else:
                response = self.get_response(request)
        finally:
            _current.reset(token)
        if 200 <= response.status_code < 300 and response.status_code != 204:
            version = state.records[0].version if state.records else _version_in(response)
            if version is not None:
                response["ETag"] = f'"{version}"'
        return response


def _version_in(response) -> int | None:
    """The version of a single record answered (a created one, say), read from the answer itself."""
    if not response.get("Content-Type", "").startswith("application/json") or getattr(response, "streaming", False):
        return None
    content = response.content
    if not content.startswith(b"{") or len(content) > 200_000 or b'"version"' not in content:
        return None
    try:
        data = json.loads(content)
    except ValueError:
        return None
    version = data.get("version") if "id" in data else None
    return version if isinstance(version, int) else None
