"""The network panel of an account's page (stored analysis only, a fixed number of queries)."""

from django import template

from .. import services
from ..panel import warnings_for
from ..permissions import may_see_network

register = template.Library()


@register.inclusion_tag("network/_panel.html", takes_context=True)
def network_panel(context, account):
    request = context.get("request")
    user = getattr(request, "user", None)
    if account is None or user is None or not may_see_network(user, account):
        return {"show": False}
    stored = services.stored(account)
    return {"show": True, "account": account, "stored": stored, "warnings": warnings_for(account, stored)}


@register.inclusion_tag("network/_authority_hints.html", takes_context=True)
def network_authority(context, opportunity):
    """From the relationship map, for the Authority details of a checklist: who decides, who influences."""
    from ..panel import authority_hints

    return {"opportunity": opportunity, "can_change": context.get("can_change"), "request": context.get("request"),
            "csrf_token": context.get("csrf_token"), **authority_hints(opportunity)}


@register.inclusion_tag("network/_fragile_accounts.html")
def network_fragile_accounts():
    """For the management view: accounts with bus factor ≤ 1, by revenue."""
    from ..panel import fragile_accounts

    rows, total = fragile_accounts()
    return {"rows": rows, "total": total}


@register.inclusion_tag("network/_week.html")
def network_week(manager):
    """For My week: whom to meet to cover a decision maker."""
    from ..panel import week_suggestions

    return {"suggestions": week_suggestions(manager), "manager": manager}


@register.inclusion_tag("network/_threads.html")
def network_threads(opportunity):
    """For an opportunity's page: its threads (stored analysis, one query)."""
    from ..models import OpportunityNetwork

    found = OpportunityNetwork.objects.filter(opportunity=opportunity).values_list("threads", flat=True).first()
    threads = found or 0
    return {"opportunity": opportunity, "threads": threads, "single": threads <= 1}
