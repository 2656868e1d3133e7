"""Creating requests that arrive twice create once: the ``Idempotency-Key`` header and per-form tokens.

API clients send ``Idempotency-Key: <any unique text>`` with a POST; every page form carries a hidden
``form_token`` made when the form was rendered (``{% form_token %}``). The first request with a key
claims it (a row unique per user and key, committed before the work starts) and its answer is stored.
A second request with the same key from the same user within 24 hours — later or at the same moment —
does not run again: it waits for the first to finish and gets the first answer (status, body, Location,
ETag) with ``Idempotent-Replayed: true``. An API key reused for a different request answers 422; a form
sent again with the same token but other values (a form HTMX leaves on the page) counts as a new request.
An answer that was an error (4xx, 5xx) is not kept, so that a corrected request may use the key again;
neither is one marked ``Cache-Control: no-store`` (a page showing a new API token keeps no copy here).
"""

import hashlib
import time
import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, IdempotencyKey, hash_token

HEADER = "Idempotency-Key"
FORM_FIELD = "form_token"
LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255
WAIT_SECONDS = 30.0
KEPT_HEADERS = ("Location", "ETag", "Content-Type", "HX-Redirect", "HX-Trigger")
API_PREFIX = "/api/"


def new_form_token() -> str:
    return uuid.uuid4().hex


def _caller(request):
    """The user a request acts for: the session's, or the owner of a bearer token (read-only lookup)."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            return None
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw.strip())).first()
        return token.user if token is not None and token.user.is_active else None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _key(request) -> tuple[str, str] | None:
    """(scope, key) of a POST, or None when it carries none."""
    if request.path.startswith(API_PREFIX):
        key = request.headers.get(HEADER)
        return ("api", key.strip()) if key is not None else None
    # Only plain form posts: reading a multipart body here would take uploads out of the view's hands.
    if request.content_type != "application/x-www-form-urlencoded":
        return None
    key = (request.POST.get(FORM_FIELD) or "").strip()
    return ("form", key) if 0 < len(key) <= 64 else None


def _fingerprint(request, scope: str) -> str:
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    if scope == "api":
        if request.content_type.startswith("multipart/"):
            digest.update(request.headers.get("Content-Length", "").encode())
        else:
            digest.update(request.body)
    else:
        for name in sorted(request.POST):
            if name != "csrfmiddlewaretoken":
                digest.update(repr((name, request.POST.getlist(name))).encode())
    return digest.hexdigest()


def _replay(entry: IdempotencyKey) -> HttpResponse:
    headers = dict(entry.headers or {})
    content_type = headers.pop("Content-Type", None)
    response = HttpResponse(bytes(entry.body), status=entry.status, content_type=content_type)
    for name, value in headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _api_error(request, status: int, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        found = _key(request)
        if found is None:
            return self.get_response(request)
        scope, key = found
        if not key or len(key) > MAX_KEY_LENGTH - 5:
            return _api_error(request, 400, _("The Idempotency-Key must have 1 to 250 characters."))
        user = _caller(request)
        if user is None:  # the view answers 401 or sends to the login page
            return self.get_response(request)
        fingerprint = _fingerprint(request, scope)
        # A form that stays on the page (HTMX) may be sent again with other values: that is a new entry,
        # not a double click, so a form's key includes what it sends.
        stored_key = f"api:{key}" if scope == "api" else f"form:{key}:{fingerprint}"
        entry = self._claim(user, stored_key, request, fingerprint)
        if entry is not None:
            return self._answer_from(request, entry, scope, fingerprint)
        try:
            response = self.get_response(request)
        except BaseException:
            self._release(user, stored_key)
            raise
        if (response.status_code >= 400 or getattr(response, "streaming", False)
                or "no-store" in response.get("Cache-Control", "")):
            # Errors may be corrected and sent again; secrets (a new API token) are never stored.
            self._release(user, stored_key)
            return response
        IdempotencyKey.objects.filter(user=user, key=stored_key).update(
            status=response.status_code, body=response.content,
            headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)})
        return response

    def _claim(self, user, key, request, fingerprint):
        """None when this request claimed the key; else the row of the request that did."""
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    IdempotencyKey.objects.create(user=user, key=key, method=request.method,
                                                  path=request.path[:2000], fingerprint=fingerprint)
                # Answers older than a day are of no use any more: this user's go now (a short indexed delete).
                IdempotencyKey.objects.filter(user=user, created_at__lt=timezone.now() - LIFETIME).delete()
                return None
            except IntegrityError:
                entry = IdempotencyKey.objects.filter(user=user, key=key).first()
                if entry is None:  # released in between: try again
                    continue
                if entry.created_at < timezone.now() - LIFETIME:
                    IdempotencyKey.objects.filter(pk=entry.pk).delete()
                    continue
                return entry
        return IdempotencyKey.objects.filter(user=user, key=key).first()

    def _release(self, user, key) -> None:
        IdempotencyKey.objects.filter(user=user, key=key, status__isnull=True).delete()

    def _answer_from(self, request, entry, scope, fingerprint):
        if scope == "api" and entry.fingerprint != fingerprint:
            return _api_error(request, 422, _("This Idempotency-Key was already used for a different request."))
        deadline = time.monotonic() + WAIT_SECONDS
        delay = 0.02
        while entry is not None and entry.status is None and time.monotonic() < deadline:
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)
            entry = IdempotencyKey.objects.filter(pk=entry.pk).first()
        if entry is None:
            # The first request failed and let go of its key: this one may do the work.
            return self(request)
        if entry.status is None:
            return _api_error(request, 409, _("A request with this key is still being processed. Try again."))
        return _replay(entry)


def forget_expired() -> int:
    """Delete every answer older than a day."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - LIFETIME).delete()
    return deleted
