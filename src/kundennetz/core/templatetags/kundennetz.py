"""Template filters for numbers and money in the user's format."""

from django import template

from kundennetz.core.formatting import format_money, format_number, format_percent

register = template.Library()


@register.filter
def number(value, decimals=0):
    return format_number(value, int(decimals))


@register.filter
def money(value, currency="CHF"):
    return format_money(value, currency or "CHF")


@register.filter
def percent(value, decimals=1):
    return format_percent(value, int(decimals))



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


@register.inclusion_tag("core/_planned_figure.html")
def planned_figure(figure):
    """The one planned figure of an account (``kundennetz.planning.figures``) and where it comes from."""
    if figure is None:
        return {"figure": None}
    from kundennetz.planning.figures import source_label

    return {"figure": figure, "label": source_label(figure), "hours": format_number(figure.hours, 1)}


@register.inclusion_tag("core/_as_of.html", takes_context=True)
def as_of(context, status, url="", can_recompute=False, **fields):
    """Live, or as of when and whether out of date (``core.freshness.AsOf``), with a one-click recompute
    (a POST of ``fields`` to ``url``) for those who may."""
    return {"status": status, "url": url if can_recompute else "", "fields": fields,
            "csrf_token": context.get("csrf_token")}
