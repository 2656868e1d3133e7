"""Template filters for numbers and money in the user's format."""

from django import template
from django.utils.translation import gettext as _

from kundennetz.core.formatting import format_money, format_number, format_percent

register = template.Library()


@register.filter
def number(value, decimals=0):
    return format_number(value, int(decimals))


@register.filter
def counted(value):
    """A `core.paging.Counted`: the number, or "more than 10,000" when the count stopped at its cap."""
    if value.capped:
        return _("more than %(count)s") % {"count": format_number(value.value, 0)}
    return format_number(value.value, 0)


@register.filter
def money(value, currency="CHF"):
    return format_money(value, currency or "CHF")


@register.filter
def percent(value, decimals=1):
    return format_percent(value, int(decimals))


@register.inclusion_tag("core/_as_of.html", takes_context=True)
def as_of(context, status, url="", can_recompute=False, **fields):
    """Live, or as of when and whether out of date (``core.freshness.AsOf``), with a one-click recompute
    (a POST of ``fields`` to ``url``) for those who may."""
    return {"status": status, "url": url if can_recompute else "", "fields": fields,
            "csrf_token": context.get("csrf_token")}
