"""The warnings of an account's network in words, for its page, its map and the checklist's Authority.

Read from the stored analysis in three queries whatever the size of the account.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kundennetz.core.permissions import of_live_accounts, worked_on_by
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
            % {"titles": ", ".join(_("“%(title)s”") % {"title": t} for t, _n in titles)}))
    return found


def opportunity_is_single_threaded(opportunity: Opportunity) -> bool | None:
    found = OpportunityNetwork.objects.filter(opportunity=opportunity).values_list("single_threaded", flat=True).first()
    return found


# --- ASCOTSMAN Authority ----------------------------------------------------------------------------------

AUTHORITY = "authority"


def _stored_for(opportunity) -> AccountNetwork | None:
    """The stored analysis of the opportunity's account, read once per opportunity object: the checklist
    page asks for it twice (the Authority suggestion and the hints beside the details)."""
    if "_stored_network" not in opportunity.__dict__:
        opportunity.__dict__["_stored_network"] = AccountNetwork.objects.filter(
            account_id=opportunity.account_id).first()
    return opportunity.__dict__["_stored_network"]


def authority_suggestion(opportunity):
    """A suggested answer to the Authority headline ("Are the decision makers and decision paths known?")
    from the stored map: no while a decision maker is missing or uncovered, yes when all are covered."""
    from kundennetz.domain.qualification import NO, YES
    from kundennetz.qualification.wording import Suggested

    stored = _stored_for(opportunity)
    data = stored.data if stored else {}
    if not data.get("decision_makers"):
        return Suggested(AUTHORITY, "network", NO, _("The relationship map names no decision maker at this "
                                                      "account yet."))
    uncovered = data.get("uncovered", [])
    if uncovered:
        names = ", ".join(str(c) for c in Contact.objects.filter(pk__in=uncovered))
        return Suggested(AUTHORITY, "network", NO, ngettext(
            "Decision maker %(names)s is uncovered on the relationship map.",
            "Decision makers %(names)s are uncovered on the relationship map.", len(uncovered)) % {"names": names})
    reason = _("All %(count)s decision makers are covered by our people (bus factor %(bus)s).") % {
        "count": len(data["decision_makers"]), "bus": data.get("bus_factor")}
    if data.get("weak_contacts") or data.get("weak_users"):
        reason += " " + _("Mind the weak points on the map.")
    return Suggested(AUTHORITY, "network", YES, reason)


def checklist_suggestion(checklist):
    """The Authority suggestion for a checklist whose catalogue asks the Authority headline, else None."""
    if AUTHORITY not in checklist.catalogue.rules.keys:
        return None
    return authority_suggestion(checklist.opportunity)


def authority_hints(opportunity) -> dict:
    """Who decides and who influences them, from the map, as suggestions for the Authority details."""
    stored = _stored_for(opportunity)
    data = stored.data if stored else {}
    deciders = data.get("decision_makers", [])
    from .models import Relation

    influencers = list(Relation.objects.filter(account_id=opportunity.account_id, kind=Relation.Kind.INFLUENCES,
                                               other_id__in=deciders, contact__deleted_at__isnull=True)
                       .values_list("contact_id", flat=True).distinct())
    people = Contact.objects.in_bulk({*deciders, *influencers})
    return {
        "decision_makers": [people[c] for c in deciders if c in people],
        "influencers": [people[c] for c in influencers if c in people],
        "uncovered": [people[c] for c in data.get("uncovered", []) if c in people],
        "warnings": warnings_for(opportunity.account, stored, opportunity=opportunity) if stored else [],
    }


# --- management view and My week -------------------------------------------------------------------------

FRAGILE_LIMIT = 20


def fragile_accounts(limit: int = FRAGILE_LIMIT) -> tuple[list[AccountNetwork], int]:
    """Accounts whose whole tie to a decision maker hangs on at most one of our people, by revenue (largest
    first), and how many there are in all. Two queries, whatever the size of the network."""
    from django.db.models import F

    rows = of_live_accounts(AccountNetwork.objects.filter(bus_factor__lte=1))
    found = list(rows.select_related("account", "account__owner").order_by(
        F("account__annual_revenue").desc(nulls_last=True), "account__name", "account_id")[:limit])
    return found, rows.count()


def week_suggestions(manager, limit: int = 10) -> list[dict]:
    """Whom `manager` could meet to cover a decision maker: on their accounts, the shortest route that starts
    with them, largest accounts first. A fixed number of queries."""
    from django.db.models import F

    rows = list(of_live_accounts(AccountNetwork.objects.filter(uncovered__gt=0))
                .filter(account__in=worked_on_by(manager))
                .select_related("account").order_by(F("account__annual_revenue").desc(nulls_last=True),
                                                     "account_id")[:limit * 3])
    picks = []
    for row in rows:
        for route in row.data.get("introductions", []):
            if route["user"] == manager.pk:
                picks.append((row.account, route))
    picks = picks[:limit]
    people = Contact.objects.in_bulk({c for _a, r in picks for c in (r["decision_maker"], *r["via"])})
    return [{"account": account, "decision_maker": people.get(route["decision_maker"]),
             "via": [people[c] for c in route["via"] if c in people]}
            for account, route in picks if route["decision_maker"] in people]
