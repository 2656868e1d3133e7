"""The one planned figure of an account (``kundennetz.planning.figures``) as every page shows it: the
contacts in the period, the hours and where the figure comes from."""

from django import template

from kundennetz.core.formatting import format_number

from ..figures import planned_for, source_label

register = template.Library()


@register.filter
def planned_number(value):
    """Planned contacts as every page shows them: whole numbers without decimals, else one decimal."""
    if value is None:
        return "–"
    value = round(float(value), 1)
    return format_number(value, 0 if value.is_integer() else 1)


@register.filter
def planned_count(value):
    """The number that chooses singular or plural of "contacts"."""
    return 1 if value is not None and round(float(value), 1) == 1 else 2


@register.inclusion_tag("planning/_planned_figure.html")
def planned_figure(figure):
    """The one planned figure of an account and where it comes from."""
    if figure is None:
        return {"figure": None}
    return {"figure": figure, "label": source_label(figure), "hours": format_number(figure.hours, 1)}


@register.simple_tag
def account_planned(account):
    """The account's planned figure, for the panels of other apps (the portfolio's)."""
    return planned_for(account)
