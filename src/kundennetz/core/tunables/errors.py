"""Pydantic's validation errors in the user's language: "where: what"."""

from django.utils.translation import gettext as _

from kundennetz.core import refusals
from kundennetz.domain.errors import DomainError

_PREFIX = "Value error, "


def _where(loc) -> str:
    parts = [str(p) for p in loc if not (isinstance(p, str) and p.startswith(("function-", "[")))]
    return ".".join(parts) or _("document")


def describe(error: dict) -> str:
    """One error of ``ValidationError.errors()`` as a translated line."""
    kind, ctx, where = error.get("type", ""), error.get("ctx") or {}, _where(error.get("loc", ()))
    texts = {
        "missing": _("is required"),
        "extra_forbidden": _("is not a known setting"),
        "greater_than": _("must be greater than %(gt)s"),
        "greater_than_equal": _("must be at least %(ge)s"),
        "less_than": _("must be less than %(lt)s"),
        "less_than_equal": _("must be at most %(le)s"),
        "int_parsing": _("must be a whole number"),
        "int_from_float": _("must be a whole number"),
        "int_type": _("must be a whole number"),
        "float_parsing": _("must be a number"),
        "float_type": _("must be a number"),
        "bool_parsing": _("must be true or false"),
        "bool_type": _("must be true or false"),
        "string_type": _("must be a text"),
        "string_too_short": _("must not be empty"),
        "string_too_long": _("is too long (at most %(max_length)s characters)"),
        "dict_type": _("must be an object with named entries"),
        "model_type": _("must be an object with named entries"),
        "model_attributes_type": _("must be an object with named entries"),
        "finite_number": _("must be a finite number"),
    }
    if kind == "value_error" and isinstance(ctx.get("error"), DomainError):
        # A rule of the domain's (the validators call its parsers): its code in words, never its English.
        message = refusals.describe(ctx["error"])
        return f"{where}: {message}" if error.get("loc") else message
    if kind == "value_error":
        message = str(ctx.get("error") or error.get("msg", ""))
        if message.startswith(_PREFIX):
            message = message[len(_PREFIX):]
        return f"{where}: {message}" if error.get("loc") else message
    text = texts.get(kind)
    if text is None:
        return f"{where}: {error.get('msg', '')}"
    try:
        text = text % {k: v for k, v in ctx.items()}
    except (KeyError, TypeError, ValueError):
        pass
    return f"{where}: {text}"
