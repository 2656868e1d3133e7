"""Template tags of the consistency panel: the panel itself (for the account page) and small formatters."""

from django import template

from kundennetz.core.formatting import format_number

from ..charts import band_label
from ..panel import panel_context

register = template.Library()


@register.inclusion_tag("interactions/_panel.html", takes_context=True)
def consistency_panel(context, account):
    """The whole panel for `account`; the page that includes it has already checked that the user sees it."""
    return panel_context(context["request"], account)


@register.filter
def score(value):
    """A score as shown everywhere: rounded half up, '–' when there is none."""
    if value is None:
        return "–"
    import math

    return str(math.floor(value + 0.5))


@register.filter
def signed(value, decimals=0):
    """A change with its sign: +4, −2, ±0."""
    if value is None:
        return "–"
    rounded = round(float(value), int(decimals))
    if rounded == 0:
        return "±0"
    text = format_number(abs(rounded), int(decimals))
    return f"+{text}" if rounded > 0 else f"−{text}"


@register.filter
def bandname(value):
    return band_label(value) if value else "–"


@register.filter
def percent_of(value, decimals=0):
    """A share 0..1 as a percentage in the user's format."""
    if value is None:
        return "–"
    return f"{format_number(100 * value, int(decimals))} %"


@register.filter
def points(value):
    """A change of a share (0..1) in percentage points: +3 pp."""
    if value is None:
        return "–"
    return f"{signed(100 * value)} pp"


@register.inclusion_tag("interactions/_tabs.html", takes_context=True)
def interaction_tabs(context, current):
    """The app's own pages under its one entry in the main navigation."""
    from ..permissions import may_see_management

    return {"current": current, "management": may_see_management(context["request"].user)}


@register.filter
def buying_role(value):
    """A buying-centre role key as its label ('decision_maker' → 'Decision maker')."""
    from kundennetz.accounts.models import Contact

    return dict(Contact.BuyingRole.choices).get(value, value)
