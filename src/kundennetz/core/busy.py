"""A database busy with someone else's long write (SQLite: one writer at a time) is said as such.

Reads never wait on SQLite in WAL mode; a write waits up to the busy timeout (20 s, settings) and only
then fails. That failure becomes "busy, try again" (HTTP 503 with Retry-After) instead of a server
error, on pages (middleware) and in the API (api_errors).
"""

from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, OperationalError) and ("database is locked" in text or "database is busy" in text
                                                 or "lock timeout" in text or "could not obtain lock" in text)


def busy_message() -> str:
    return _("The database is busy with a long task; please try again in a moment. Nothing was saved.")


class BusyDatabaseMiddleware:
    """Turns a write refused by a busy database into a clear 503 page instead of a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not is_busy(exc):
            return None
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": busy_message()}, status=503)
        else:
            response = HttpResponse(render_to_string("core/busy.html", {"message": busy_message()}, request=request),
                                    status=503)
        response["Retry-After"] = "5"
        return response
