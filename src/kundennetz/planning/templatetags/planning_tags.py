"""Template tags of planning: the account panel's figures, hours, signed amounts and shadow prices."""

from django import template

from kundennetz.core.formatting import format_money, format_number

from .. import services
from ..permissions import can_estimate, can_view_planning, is_account_manager

register = template.Library()


@register.simple_tag(takes_context=True)
def account_planning(context, account):
    """What the account page shows of the plan, or None when there is nothing to show or see."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    # Recommendations of scenarios that are not the plan are the sales head's working material.
    view = services.account_plan(account, drafts=can_view_planning(user))
    view.can_estimate = can_estimate(user, account)
    from ..figures import planned_for

    view.figure = planned_for(account)
    view.can_open = can_view_planning(user) or is_account_manager(user)
    return view


@register.filter
def chf(value):
    """Money rounded to the franc."""
    return format_money(value)


@register.filter
def num(value, decimals=0):
    return format_number(value, int(decimals))


@register.filter
def hours(value, decimals=0):
    if value is None:
        return "–"
    return f"{format_number(value, int(decimals))} h"


@register.filter
def signed_money(value):
    if value is None:
        return "–"
    sign = "+" if value > 0.5 else "−" if value < -0.5 else "±"
    return f"{sign}{format_money(abs(value))}"


@register.filter
def signed_number(value, decimals=0):
    if value is None:
        return "–"
    value = round(value, int(decimals))
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{format_number(abs(value), int(decimals))}"


@register.filter
def franc_price(value):
    """A shadow price per franc: what one more franc adds, to the centime."""
    if value is None:
        return "–"
    return format_money(value, decimals=2)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None

