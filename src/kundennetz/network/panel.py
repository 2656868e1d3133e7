"""The warnings of an account's network in words, for its page, its map and the checklist's Authority.

Read from the stored analysis in three queries whatever the size of the account.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kundennetz.accounts.models import Contact, Opportunity

from . import services
from .models import AccountNetwork, OpportunityNetwork


@dataclass(frozen=True)
class Warning:
    kind: str          # uncovered | bus_factor | weak_point | single_threaded
    text: str
    suggestion: str = ""
    url: str = ""


def warnings_for(account, stored: AccountNetwork | None = None, *, opportunity=None) -> list[Warning]:
    stored = stored or services.stored(account)
    data = stored.data or {}
    if not data:
        return []
    contact_ids = {*data.get("uncovered", []), *data.get("weak_contacts", []),
                   *(c for i in data.get("introductions", []) for c in i["via"])}
    user_ids = {*data.get("weak_users", []), *(i["user"] for i in data.get("introductions", [])),
                *(u for users in data.get("knowers", {}).values() for u in users)}
    contacts = Contact.objects.in_bulk(contact_ids) if contact_ids else {}
    users = services.users_by_id(user_ids) if user_ids else {}
    introductions = {i["decision_maker"]: i for i in data.get("introductions", [])}
    found: list[Warning] = []
    for pk in data.get("uncovered", []):
        person = contacts.get(pk)
        if person is None:
            continue
        suggestion = ""
        route = introductions.get(pk)
        if route:
            chain = " → ".join(str(contacts[c]) for c in route["via"] if c in contacts)
            suggestion = (_("%(user)s can reach them via %(chain)s.") % {"user": users.get(route["user"]), "chain": chain}
                          if chain else _("%(user)s can reach them.") % {"user": users.get(route["user"])})
        else:
            suggestion = _("Nobody of ours has a route to them yet.")
        found.append(Warning("uncovered", _("Decision maker %(name)s is not covered: none of our people knows "
                                            "them well enough.") % {"name": person}, suggestion,
                             person.get_absolute_url()))
    if data.get("bus_factor") == 1:
        covered_by = sorted({str(users[u]) for users_ in data.get("knowers", {}).values() if len(users_) == 1
                             for u in users_ if u in users})
        found.append(Warning("bus_factor", _("Bus factor 1: if %(people)s left, a decision maker would be "
                                             "uncovered.") % {"people": ", ".join(covered_by) or "–"}))
    for pk in data.get("weak_contacts", []):
        if pk in contacts:
            found.append(Warning("weak_point", _("Weak point: %(name)s is our only route to a decision maker.")
                                 % {"name": contacts[pk]}, url=contacts[pk].get_absolute_url()))
    for pk in data.get("weak_users", []):
        if pk in users:
            found.append(Warning("weak_point", _("Weak point: %(name)s holds our only route to a decision maker.")
                                 % {"name": users[pk]}))
    single = OpportunityNetwork.objects.filter(opportunity__account=account, single_threaded=True,
                                               opportunity__deleted_at__isnull=True,
                                               opportunity__stage__type="open")
    if opportunity is not None:
        single = single.filter(opportunity=opportunity)
    titles = list(single.values_list("opportunity__title", "threads")[:5])
    if titles:
        found.append(Warning("single_threaded", ngettext(
            "Single-threaded: %(titles)s hangs on one contact or none.",
            "Single-threaded: %(titles)s hang on one contact or none.", len(titles))
            % {"titles": ", ".join(f"“{t}”" for t, _n in titles)}))
    return found


def opportunity_is_single_threaded(opportunity: Opportunity) -> bool | None:
    found = OpportunityNetwork.objects.filter(opportunity=opportunity).values_list("single_threaded", flat=True).first()
    return found
