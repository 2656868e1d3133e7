"""The consistency reasons in words: the domain returns a code with numbers, dates and names
(``domain.consistency.Reason``), and this module words it through the translation catalogue, numbers and
days through ``core.formatting`` (one translation mechanism, one formatting module).

Each code has one function that picks its sentence; a reason stored by a newer version that this one
cannot word reads as its code. German has both genders for a role ("Entscheidungsträger/in") and needs
the dative ("seit 5 Tagen") or the accusative ("alle 5 Tage") of a span of days: the msgctxt says which.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import get_language, ngettext, npgettext, pgettext, pgettext_lazy

from kundennetz.core import refusals
from kundennetz.core.formatting import format_day, format_number
from kundennetz.domain import consistency as dc
from kundennetz.domain import reminders as domain_reminders

Params = Mapping[str, Any]

# A role as the reasons name it, both genders in German ("Entscheidungsträger/in").
_ROLES = {
    dc.DECISION_MAKER: pgettext_lazy("buying-centre role in a reason", "decision maker"),
    dc.INFLUENCER: pgettext_lazy("buying-centre role in a reason", "influencer"),
    dc.TECHNICAL_EVALUATOR: pgettext_lazy("buying-centre role in a reason", "technical evaluator"),
    dc.USER: pgettext_lazy("buying-centre role in a reason", "user"),
    dc.GATEKEEPER: pgettext_lazy("buying-centre role in a reason", "gatekeeper"),
    dc.COACH: pgettext_lazy("buying-centre role in a reason", "coach"),
}
# A person with their role after "with": "no contact with the decision maker Anna Meier" (German dative).
_WITH_ROLE = {
    dc.DECISION_MAKER: pgettext_lazy("after 'with' (German dative)", "the decision maker %(name)s"),
    dc.INFLUENCER: pgettext_lazy("after 'with' (German dative)", "the influencer %(name)s"),
    dc.TECHNICAL_EVALUATOR: pgettext_lazy("after 'with' (German dative)", "the technical evaluator %(name)s"),
    dc.USER: pgettext_lazy("after 'with' (German dative)", "the user %(name)s"),
    dc.GATEKEEPER: pgettext_lazy("after 'with' (German dative)", "the gatekeeper %(name)s"),
    dc.COACH: pgettext_lazy("after 'with' (German dative)", "the coach %(name)s"),
}
# "the third account manager" / "jetzt die dritte"; from the eleventh on in digits.
_ORDINALS = {
    2: pgettext_lazy("ordinal, the nth account manager", "second"),
    3: pgettext_lazy("ordinal, the nth account manager", "third"),
    4: pgettext_lazy("ordinal, the nth account manager", "fourth"),
    5: pgettext_lazy("ordinal, the nth account manager", "fifth"),
    6: pgettext_lazy("ordinal, the nth account manager", "sixth"),
    7: pgettext_lazy("ordinal, the nth account manager", "seventh"),
    8: pgettext_lazy("ordinal, the nth account manager", "eighth"),
    9: pgettext_lazy("ordinal, the nth account manager", "ninth"),
    10: pgettext_lazy("ordinal, the nth account manager", "tenth"),
}


# ---------------------------------------------------------------------------------------------
# Numbers, days and people
# ---------------------------------------------------------------------------------------------


def _num(value: float) -> str:
    """Whole numbers without decimals, others to one decimal, in the language's format."""
    return format_number(value, 0 if float(value).is_integer() else 1)


def _plural(value: float) -> int:
    """The number that picks singular or plural (a fraction reads as plural: '0.5 contacts')."""
    return int(value) if float(value).is_integer() else 2


def _day(iso: str) -> str:
    return format_day(date.fromisoformat(iso))


def _percent(share: float) -> str:
    return format_number(round(100 * share))


def days_text(n: int) -> str:
    """'5 days' as in 'for 5 days' (German dative: 'seit 5 Tagen')."""
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": _num(n)}


def _every_days(n: int) -> str:
    """'5 days' as in 'every 5 days' (German accusative: 'alle 5 Tage')."""
    return npgettext("a span after 'every' or before 'without' (German accusative)", "%(n)s day", "%(n)s days",
                     n) % {"n": _num(n)}


def span_text(days: int) -> str:
    """A long stretch of days as people say it: up to 8 weeks in days, then months, from two years on in
    years ('seit über 7 Jahren' rather than 'seit 2'559 Tagen'); German in the dative."""
    n, unit = domain_reminders.span(days)
    if unit == "days":
        return days_text(n)
    if unit == "months":
        return ngettext("%(n)s month", "%(n)s months", n) % {"n": n}
    return ngettext("over %(n)s year", "over %(n)s years", n) % {"n": n}


def role_text(role: str) -> str:
    """A buying-centre role in words ('decision maker' / 'Entscheidungsträger/in'); a role this version
    does not know (stored by a later one) as it is."""
    return str(_ROLES[role]) if role in _ROLES else role


def _with_role(role: str, name: str) -> str:
    if role in _WITH_ROLE:
        return str(_WITH_ROLE[role]) % {"name": name}
    return f"{name} ({role})"


def _person(p: Params) -> str:
    return f"{p['name']} ({role_text(p['role'])})"


def _ordinal(n: int) -> str:
    if n in _ORDINALS:
        return str(_ORDINALS[n])
    if 10 <= n % 100 <= 20 or n % 10 not in (1, 2, 3):
        return pgettext("ordinal number: 11th, 25th", "%(n)sth") % {"n": n}
    if n % 10 == 1:
        return pgettext("ordinal number: 21st", "%(n)sst") % {"n": n}
    if n % 10 == 2:
        return pgettext("ordinal number: 22nd", "%(n)snd") % {"n": n}
    return pgettext("ordinal number: 23rd", "%(n)srd") % {"n": n}


# ---------------------------------------------------------------------------------------------
# One function per reason code
# ---------------------------------------------------------------------------------------------


def _manager_changes(p: Params) -> str:
    return ngettext("%(ordinal)s account manager in %(months)s (%(changes)s change)",
                    "%(ordinal)s account manager in %(months)s (%(changes)s changes)", _plural(p["changes"])) % {
        "ordinal": _ordinal(p["managers"]), "changes": _num(p["changes"]),
        "months": ngettext("%(n)s month", "%(n)s months", _plural(p["months"])) % {"n": _num(p["months"])}}


def _short_tenure(p: Params) -> str:
    if p["days"] == 0:
        return _("the current account manager has only just taken over")
    return _("the current account manager took over only %(days)s ago") % {"days": days_text(p["days"])}


def _no_account_manager(p: Params) -> str:
    return _("no responsible account manager assigned")


def _manager_rarely_present(p: Params) -> str:
    return _("the responsible account manager took part in only %(count)s of %(total)s contacts") % {
        "count": _num(p["count"]), "total": _num(p["total"])}


def _below_plan(p: Params) -> str:
    return _("only %(held)s of %(planned)s planned contacts held") % {
        "held": _num(p["held"]), "planned": _num(p["planned"])}


def _longest_gap(p: Params) -> str:
    return _("%(days)s without contact between %(start)s and %(end)s (red flag from %(threshold)s)") % {
        "days": _every_days(p["days"]), "start": _day(p["from"]), "end": _day(p["to"]),
        "threshold": days_text(p["threshold"])}


def _no_contact_since(p: Params) -> str:
    return _("no contact for %(days)s") % {"days": days_text(p["days"])}


def _no_contact_in_period(p: Params) -> str:
    if p["days"] == 1:
        return pgettext("one day observed", "no contact at all in the 1 day observed")
    return _("no contact at all in the %(days)s observed") % {"days": days_text(p["days"])}


def _no_contact_with(role: str | None) -> Callable[[Params], str]:
    def word(p: Params) -> str:
        return _("no contact with %(person)s for %(days)s") % {
            "person": _with_role(role or p["role"], p["name"]), "days": days_text(p["days"])}

    return word


def _never_met(role: str | None) -> Callable[[Params], str]:
    def word(p: Params) -> str:
        return _("no contact ever recorded with %(person)s") % {"person": _with_role(role or p["role"], p["name"])}

    return word


def _quarters_below_minimum(p: Params) -> str:
    return ngettext("%(count)s of %(judged)s quarters below the minimum of %(minimum)s contact",
                    "%(count)s of %(judged)s quarters below the minimum of %(minimum)s contacts",
                    _plural(p["minimum"])) % {
        "count": _num(p["count"]), "judged": _num(p["judged"]), "minimum": _num(p["minimum"])}


def _low_message_share(p: Params) -> str:
    return _("only %(count)s of %(total)s interactions carried a current core message") % {
        "count": _num(p["count"]), "total": _num(p["total"])}


def _outside_messages(p: Params) -> str:
    labels = (
        ("retired", pgettext_lazy("core messages of an interaction", "%(count)s no longer valid")),
        ("not_yet_valid", pgettext_lazy("core messages of an interaction", "%(count)s not yet valid")),
        ("unknown", pgettext_lazy("core messages of an interaction", "%(count)s unknown")),
    )
    details = ", ".join(str(label) % {"count": _num(p[key])} for key, label in labels if p.get(key))
    return ngettext("%(count)s interaction carried messages outside the current core messages (%(details)s)",
                    "%(count)s interactions carried messages outside the current core messages (%(details)s)",
                    _plural(p["interactions"])) % {"count": _num(p["interactions"]), "details": details}


def _unsteady_messages(p: Params) -> str:
    if p["bucket"] == "quarter":
        text = _("the core messages changed from quarter to quarter (similarity %(percent)s%%)")
    else:
        text = _("the core messages changed between the first and the second half of the period "
                 "(similarity %(percent)s%%)")
    return text % {"percent": _percent(p["similarity"])}


def _period_not_started(p: Params) -> str:
    return _("the period starts on %(start)s; nothing to measure yet") % {"start": _day(p["start"])}


def _take_along(p: Params) -> str:
    return _("no contacts are planned for this account (take-along); cadence is not assessed")


def _messages_not_assessed(p: Params) -> str:
    return _("no interactions in the period; core messages are not assessed")


def _account_contact_overdue(p: Params) -> str:
    return _("contact overdue by %(span)s (planned every %(interval)s)") % {
        "span": span_text(p["days"]), "interval": _every_days(p["interval"])}


def _account_contact_due(p: Params) -> str:
    if p["days"] == 0:
        return _("contact due today")
    return _("contact due in %(days)s") % {"days": days_text(p["days"])}


def _person_contact_overdue(p: Params) -> str:
    return _("contact with %(person)s overdue by %(span)s") % {"person": _person(p), "span": span_text(p["days"])}


def _person_contact_due(p: Params) -> str:
    if p["days"] == 0:
        return _("contact with %(person)s due today") % {"person": _person(p)}
    return _("contact with %(person)s due in %(days)s") % {"person": _person(p), "days": days_text(p["days"])}


def _account_never_contacted(p: Params) -> str:
    if p.get("since"):
        return _("no contact recorded yet (in our care since %(since)s)") % {"since": _day(p["since"])}
    return _("no contact recorded yet")


def _person_never_met(p: Params) -> str:
    return _("%(person)s not met yet") % {"person": _person(p)}


_WORDING: Mapping[str, Callable[[Params], str]] = {
    "manager_changes": _manager_changes,
    "short_tenure": _short_tenure,
    "no_account_manager": _no_account_manager,
    "manager_rarely_present": _manager_rarely_present,
    "below_plan": _below_plan,
    "longest_gap": _longest_gap,
    "no_contact_since": _no_contact_since,
    "no_contact_in_period": _no_contact_in_period,
    "no_contact_decision_maker": _no_contact_with(dc.DECISION_MAKER),
    "decision_maker_never_met": _never_met(dc.DECISION_MAKER),
    "no_contact_influencer": _no_contact_with(dc.INFLUENCER),
    "influencer_never_met": _never_met(dc.INFLUENCER),
    "no_contact_key_person": _no_contact_with(None),
    "key_person_never_met": _never_met(None),
    "quarters_below_minimum": _quarters_below_minimum,
    "low_message_share": _low_message_share,
    "outside_messages": _outside_messages,
    "unsteady_messages": _unsteady_messages,
    "period_not_started": _period_not_started,
    "take_along": _take_along,
    "messages_not_assessed": _messages_not_assessed,
    "account_contact_overdue": _account_contact_overdue,
    "account_contact_due": _account_contact_due,
    "person_contact_overdue": _person_contact_overdue,
    "person_contact_due": _person_contact_due,
    "account_never_contacted": _account_never_contacted,
    "person_never_met": _person_never_met,
}


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def reason_language() -> str:
    """The active language as the reasons are worded in ('de-ch' or 'en')."""
    language = (get_language() or "de-ch").lower()
    if language.startswith("en"):
        return "en"
    return "de-ch" if language.startswith("de") else "en"


def _word(reason: dc.Reason) -> str:
    wording = _WORDING.get(reason.code)
    if wording is None:
        return reason.code  # stored by a newer version that this one cannot word
    return wording(reason.params)


def reason_text(reason: dc.Reason | dict, lang: str | None = None) -> str:
    """The reason in words, in ``lang`` ('de-ch', 'de', 'en', …) or else the active language; a stored
    reason (a dict with code and params) reads the same."""
    if isinstance(reason, dict):
        reason = dc.Reason(reason["code"], reason.get("params", {}), reason.get("impact", 0.0))
    tag = None if lang is None else lang.strip().replace("_", "-").lower()
    if tag is None or tag == (translation.get_language() or "").lower():
        return _word(reason)
    with translation.override(tag):
        return _word(reason)


def consistency_refusal(error: dc.ConsistencyError) -> str:
    """Why consistency cannot be measured with these inputs or weights, in the active language."""
    texts = {"message_dates": pgettext_lazy(
        "a core message's validity", "a core message (#%(message)s) is valid from %(valid_from)s, after it ends "
        "(%(valid_to)s)")}
    return refusals.describe(error, texts)
