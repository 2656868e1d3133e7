"""How the JSON API reports errors: one shape for every refusal, messages in the caller's language.

Validation errors (422, and 400 for a body that is not JSON) look like django-ninja's own:
``{"detail": [{"loc": ["body", "closing_reason"], "msg": "…", "type": "…"}]}``, whether they come from
the request schema, from a reference that cannot be resolved, or from the model's ``full_clean``.
Everything else (401, 403, 404) is ``{"detail": "…"}``.
"""

import json
import re
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from .busy import busy_message, is_busy
from .models import StaleVersion

# The name every endpoint gives its request body, so that error locations can leave it out.
BODY_PARAM = "payload"


class ErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[ErrorItem]


class MessageOut(Schema):
    detail: str


# Responses every protected endpoint may give besides its own, for the OpenAPI document.
COMMON_ERRORS = {401: MessageOut, 422: ValidationErrorOut}
RECORD_ERRORS = {**COMMON_ERRORS, 403: MessageOut, 404: MessageOut, 412: MessageOut}
WRITE_ERRORS = {**RECORD_ERRORS, 400: ValidationErrorOut}


class InvalidInput(ValidationError):
    """Errors found by our own checks; their messages are final (already translated)."""


class FieldErrors:
    """Collects the problems of one request so that the caller learns about all of them at once."""

    def __init__(self, prefix: tuple = ("body",)):
        self.prefix = prefix
        self.items: list[dict] = []
        self.fields: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, loc: str | tuple, msg, kind: str = "invalid") -> None:
        loc = (loc,) if isinstance(loc, str) else tuple(loc)
        if loc:
            self.fields.add(str(loc[0]))
        self.items.append({"loc": [*self.prefix, *loc], "msg": str(msg), "type": kind})

    def skip(self, field: str) -> None:
        """Leave `field` unjudged: its value depends on another field that is already refused."""
        self.fields.add(field)

    def add_django(self, error: DjangoValidationError, loc: tuple = ()) -> None:
        """Take over a model's validation error, each message under its field's name."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                where = loc if field == NON_FIELD_ERRORS else (*loc, field)
                for message in messages:
                    self.add(where, message, "model_validation")
        else:
            for message in error.messages:
                self.add(loc, message, "model_validation")

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidInput(self.items)


class JsonParser(Parser):
    """Reads numbers as exact decimals (money never passes through a float) and refuses NaN and Infinity."""

    def parse_body(self, request):
        return json.loads(request.body, parse_float=Decimal, parse_constant=_refuse_constant)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


# Messages for the error types of the request schema. Most msgids are Django's own, so its catalogues
# already carry them in German; gettext_noop marks ours for the project's catalogue.
_MESSAGES = {
    "missing": "This field is required.",
    "int_type": "Enter a whole number.",
    "int_parsing": "Enter a whole number.",
    "int_from_float": "Enter a whole number.",
    "decimal_type": "Enter a number.",
    "decimal_parsing": "Enter a number.",
    "finite_number": "Enter a number.",
    "float_type": "Enter a number.",
    "float_parsing": "Enter a number.",
    "string_type": "Enter a valid value.",
    "list_type": "Enter a list of values.",
    "json_invalid": "Enter a valid JSON.",
    "null_characters": "Null characters are not allowed.",
    "model_type": gettext_noop("Expected an object."),
    "model_attributes_type": gettext_noop("Expected an object."),
    "dict_type": gettext_noop("Expected an object."),
    "extra_forbidden": gettext_noop("Unknown field: it cannot be set here."),
    "reference_type": gettext_noop("Enter an id (a number) or a code (a text)."),
}


def _message(error: dict) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind in _MESSAGES:
        return _(_MESSAGES[kind])
    if kind in ("literal_error", "enum"):
        message = _("Select a valid choice. That choice is not one of the available choices.")
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"{message} ({', '.join(allowed)})" if allowed else message
    if kind.startswith("datetime_"):
        return _("Enter a valid date/time.")
    if kind.startswith("date_"):
        return _("Enter a valid date.")
    if kind.startswith("bool_"):
        return _("Enter a valid value.")
    if kind == "greater_than_equal" and "ge" in ctx:
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": ctx["ge"]}
    if kind == "less_than_equal" and "le" in ctx:
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {"limit_value": ctx["le"]}
    return str(error.get("msg", ""))


def _location(loc) -> list:
    """Drop the body parameter's own name: clients know fields, not our Python signature."""
    loc = list(loc)
    if len(loc) >= 2 and loc[0] == "body" and loc[1] == BODY_PARAM:
        del loc[1]
    return loc


def install(api) -> None:
    """Register the handlers that turn every refusal into the shapes described above."""

    def respond(request, data, status, **headers):
        response = api.create_response(request, data, status=status)
        for name, value in headers.items():
            response[name] = value
        return response

    @api.exception_handler(OperationalError)
    def database_busy(request, exc):
        if not is_busy(exc):
            raise exc
        return respond(request, {"detail": busy_message()}, 503, **{"Retry-After": "5"})

    @api.exception_handler(InvalidInput)
    def invalid_input(request, exc):
        return respond(request, {"detail": exc.errors}, 422)

    @api.exception_handler(ValidationError)
    def schema_error(request, exc):
        items = [{"loc": _location(e.get("loc", ())), "msg": _message(e), "type": e.get("type", "invalid")}
                 for e in exc.errors]
        return respond(request, {"detail": items}, 422)

    @api.exception_handler(StaleVersion)
    def stale(request, exc):
        # Only reachable when a save raced past the row lock (see core.concurrency): ask to read again.
        return respond(request, {"detail": str(exc.message)}, 412 if "If-Match" in request.headers else 409)

    @api.exception_handler(DjangoValidationError)
    def model_error(request, exc):
        errors = FieldErrors()
        errors.add_django(exc)
        return respond(request, {"detail": errors.items}, 422)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        message = _("Authentication required: send a personal API token (Authorization: Bearer …) or log in.")
        return respond(request, {"detail": message}, 401, **{"WWW-Authenticate": "Bearer"})

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        # django-ninja reports a body it cannot parse with this fixed text and status.
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            item = {"loc": ["body"], "msg": _("Enter a valid JSON."), "type": "json_invalid"}
            return respond(request, {"detail": [item]}, 400)
        return respond(request, {"detail": str(exc)}, exc.status_code)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(request, {"detail": str(exc) or _("You are not allowed to do this.")}, 403)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, {"detail": str(exc) or _("Not found.")}, 404)
