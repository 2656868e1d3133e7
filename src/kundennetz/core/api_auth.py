"""Who is calling the JSON API: a personal token (``Authorization: Bearer kn_…``) or the browser session.

Either way the caller becomes ``request.user``, so that record history names them and ``restrict()``
sees them, and their language is switched on, so that messages come in the language they chose.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from .models import ApiToken

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def act_as(request, user):
    """Make `user` the author of everything this request does, in their language."""
    request.user = user
    if user.language:
        # The language middleware ran before a token was read, so it could not know this user yet.
        translation.activate(user.language)
        request.LANGUAGE_CODE = translation.get_language()
    return user


class TokenAuth(HttpBearer):
    """A personal API token; only its SHA-256 is stored, see ``ApiToken``."""

    openapi_bearerFormat = "kn_…"

    def authenticate(self, request, token):
        user = ApiToken.authenticate(token.strip())
        return act_as(request, user) if user is not None else None


class SessionAuth(APIKeyCookie):
    """The browser session of a logged-in user; changes need the CSRF token like any form does."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        # A caller who sends credentials means them: a wrong token must not fall back to a cookie.
        if "Authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        # Checked only once the session is known, so that a caller without one gets 401, not a CSRF error.
        if request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise HttpError(403, _("CSRF verification failed. Request aborted."))
        return act_as(request, user)

    def authenticate(self, request, key):
        # Not reached: __call__ reads the session that Django's middleware already loaded.
        return None
