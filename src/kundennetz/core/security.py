"""Security details every request or installation shares: the client's address behind a trusted reverse
proxy (for the login lockout), headers beyond Django's own, a private SQLite file, and the API
documentation only for signed-in users where the settings say so."""

import ipaddress
import os
import stat
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.backends.signals import connection_created
from django.http import JsonResponse
from django.utils.translation import gettext as _


# --- the client's address ------------------------------------------------------------------------------


def _networks(values) -> list:
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str:
    """The address of whoever sent the request.

    `REMOTE_ADDR`, unless it is one of the reverse proxies named in ``KUNDENNETZ_TRUSTED_PROXIES``: then the
    ``X-Forwarded-For`` chain is read from the right, skipping trusted proxies, and the first address that
    is not one is the client. A client cannot forge this by sending its own header: entries left of the
    first untrusted address are never believed, and without a trusted proxy the header is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(getattr(settings, "KUNDENNETZ_TRUSTED_PROXIES", []))
    if not networks or not _trusted(remote, networks):
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(chain):
        if not _trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote
    return chain[0] if chain else remote


# --- headers ---------------------------------------------------------------------------------------------


class SecurityHeadersMiddleware:
    """Permissions-Policy and Cross-Origin-Resource-Policy (Django sets the others, django-csp the CSP)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        resource = getattr(settings, "CROSS_ORIGIN_RESOURCE_POLICY", "")
        if resource:
            response.headers.setdefault("Cross-Origin-Resource-Policy", resource)
        return response


# --- the API documentation ------------------------------------------------------------------------------


def docs_access(view):
    """/api/docs and /api/openapi.json: for signed-in users when ``KUNDENNETZ_API_DOCS_PUBLIC`` is off
    (the production settings); the document names every endpoint and field, which is for users only."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not getattr(settings, "KUNDENNETZ_API_DOCS_PUBLIC", True) and not request.user.is_authenticated:
            if request.path.endswith(".json"):
                return JsonResponse({"detail": _("Authentication required: log in to read the API description.")},
                                    status=401)
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded


# --- a private SQLite file ------------------------------------------------------------------------------


def private_directory(path: Path) -> None:
    """Create `path` readable by its owner only (0700), or narrow an existing one we own to that."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _narrow(path, 0o700)


def _narrow(path: Path, mode: int) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & ~mode:
        os.chmod(path, mode)


def _private_sqlite(sender, connection, **kwargs) -> None:
    """The SQLite file (and its WAL and shared-memory files) readable and writable by the owner only."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    database = Path(name)
    _narrow(database.parent, 0o700) if database.parent == Path(settings.DATA_DIR) else None
    for suffix in ("", "-wal", "-shm", "-journal"):
        _narrow(Path(name + suffix), 0o600)


connection_created.connect(_private_sqlite, dispatch_uid="kundennetz-private-sqlite")
