"""The network panel of an account's page (stored analysis only, a fixed number of queries)."""

from django import template

from kundennetz.core.permissions import VIEW, can

from .. import services
from ..panel import warnings_for

register = template.Library()


@register.inclusion_tag("network/_panel.html", takes_context=True)
def network_panel(context, account):
    request = context.get("request")
    user = getattr(request, "user", None)
    if account is None or user is None or not can(user, VIEW, account):
        return {"show": False}
    stored = services.stored(account)
    return {"show": True, "account": account, "stored": stored, "warnings": warnings_for(account, stored)}
