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

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
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
            # The lock an UPDATE takes anyway (no key change): writers of this row queue behind it, but
            # rows of other tables that point at it can still be written (their foreign-key check would
            # wait on a full FOR UPDATE lock and deadlock with a writer of those rows).
            type(obj)._base_manager.select_for_update(no_key=True).filter(pk=obj.pk).values_list(
                "pk", flat=True).first()
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
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            response = _as_json(response)
        if 200 <= response.status_code < 300 and response.status_code != 204:
            version = state.records[0].version if state.records else _version_in(response)
            if version is not None:
                response["ETag"] = f'"{version}"'
        return response


def _as_json(response):
    """An error Django answered itself under /api/ (405 for a method the address does not take, say):
    in the API's shape, so that clients never have to parse an HTML page."""
    messages = {
        404: _("There is no such address in the API."),
    }
    from django.http import JsonResponse

    detail = messages.get(response.status_code) or str(getattr(response, "reason_phrase", "") or _("Error"))
    if response.status_code == 405 and response.has_header("Allow"):
        detail = _("This address takes only: %(methods)s.") % {"methods": response["Allow"]}
    answer = JsonResponse({"detail": detail}, status=response.status_code)
    for name in ("Allow", "WWW-Authenticate", "Retry-After"):
        if response.has_header(name):
            answer[name] = response[name]
    return answer


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


# --- race-safe writes ---------------------------------------------------------------------------------


def lock_row(obj) -> None:
    """Lock `obj`'s row until the end of the surrounding transaction and take over its stored version.

    For writers that replace what they own wholesale (a scenario's computed result): the last one wins,
    one after the other, instead of the second failing half-way on a unique key or a stale version."""
    version = (type(obj)._base_manager.select_for_update(no_key=True).filter(pk=obj.pk)
               .values_list("version", flat=True).first())
    if version is not None:
        obj.version = version


def _is_unique_refusal(exc: ValidationError) -> bool:
    codes = {error.code for errors in getattr(exc, "error_dict", {}).values() for error in errors}
    codes |= {error.code for error in getattr(exc, "error_list", [])}
    return bool(codes & {"unique", "unique_together"})


def upsert(model, lookup: dict, change, *, attempts: int = 3):
    """The record `lookup` names (created when missing), changed by ``change(record)``, which saves it.

    When two requests create the same record at the same moment, the unique key lets one insert; the
    other's insert fails (IntegrityError, or the model's own uniqueness check) and it tries again, now
    finding and changing the record the first one stored. Returns what ``change`` returns."""
    for attempt in range(attempts):
        record = model._base_manager.filter(**lookup).first() or model(**lookup)
        try:
            with transaction.atomic():
                return change(record)
        except IntegrityError:
            if attempt == attempts - 1:
                raise
        except ValidationError as exc:
            if attempt == attempts - 1 or record.pk is not None or not _is_unique_refusal(exc):
                raise
    raise AssertionError("unreachable")
