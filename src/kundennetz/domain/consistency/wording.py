"""Reasons rendered as sentences in German and English."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from .arithmetic import _clean
from .model import COACH, DECISION_MAKER, GATEKEEPER, INFLUENCER, TECHNICAL_EVALUATOR, USER

if TYPE_CHECKING:  # a reason is only read here; results imports this module to word its reasons
    from .results import Reason


# ---------------------------------------------------------------------------------------------
# Rendering reasons in German and English
# ---------------------------------------------------------------------------------------------

LANGUAGES = ("de", "de-ch", "en")

_ROLE_EN = {
    DECISION_MAKER: "decision maker", INFLUENCER: "influencer", TECHNICAL_EVALUATOR: "technical evaluator",
    USER: "user", GATEKEEPER: "gatekeeper", COACH: "coach",
}
# Both grammatical genders, so the text fits whoever holds the role.
_ROLE_DE = {
    DECISION_MAKER: "Entscheidungsträger/in", INFLUENCER: "Beeinflusser/in", TECHNICAL_EVALUATOR: "technische/r Prüfer/in",
    USER: "Anwender/in", GATEKEEPER: "Wächter/in", COACH: "Coach",
}
_ROLE_DE_DATIVE = {
    DECISION_MAKER: "der Entscheidungsträgerin/dem Entscheidungsträger",
    INFLUENCER: "der Beeinflusserin/dem Beeinflusser",
    TECHNICAL_EVALUATOR: "der technischen Prüferin/dem technischen Prüfer",
    USER: "der Anwenderin/dem Anwender",
    GATEKEEPER: "der Wächterin/dem Wächter",
    COACH: "dem Coach",
}
_ORDINAL_EN = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth", 9: "ninth", 10: "tenth"}
_ORDINAL_DE = {2: "zweite", 3: "dritte", 4: "vierte", 5: "fünfte", 6: "sechste", 7: "siebte", 8: "achte", 9: "neunte", 10: "zehnte"}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class _Fmt:
    def __init__(self, lang: str):
        self.lang = lang
        self.de = lang.startswith("de")

    def num(self, value: float) -> str:
        value = _clean(value)
        if isinstance(value, int):
            text = f"{value:,}"
        else:
            text = f"{value:,.1f}"
        if self.lang == "de":
            return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        if self.lang == "de-ch":
            return text.replace(",", "’")
        return text

    def pct(self, share: float) -> str:
        return f"{round(100 * share)} %" if self.de else f"{round(100 * share)}%"

    def date(self, iso: str) -> str:
        day = date.fromisoformat(iso)
        if self.de:
            return f"{day.day:02d}.{day.month:02d}.{day.year}"
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"

    def span(self, n: int, case: str = "dative") -> str:
        """A long stretch of days as people say it: up to 8 weeks in days, then months, from two years
        on in years ('seit über 7 Jahren' rather than 'seit 2’559 Tagen')."""
        if n < 60:
            return self.days(n, case)
        if n < 730:
            months = n // 30
            if not self.de:
                return f"{months} months"
            return f"{months} Monaten" if case == "dative" else f"{months} Monate"
        years = n // 365
        if not self.de:
            return f"over {years} years"
        return f"über {years} Jahren" if case == "dative" else f"über {years} Jahre"

    def days(self, n: int, case: str = "dative") -> str:
        """'5 days'; German plural differs by case: 'seit 5 Tagen' (dative), 'alle 5 Tage' (accusative)."""
        if not self.de:
            return f"{self.num(n)} day" if n == 1 else f"{self.num(n)} days"
        if n == 1:
            return "1 Tag"
        return f"{self.num(n)} Tagen" if case == "dative" else f"{self.num(n)} Tage"

    def count(self, n: float, en: tuple[str, str], de: tuple[str, str]) -> str:
        singular, plural = de if self.de else en
        return f"{self.num(n)} {singular if n == 1 else plural}"

    def role(self, role: str) -> str:
        return (_ROLE_DE if self.de else _ROLE_EN).get(role, role)


def _ordinal_en(n: int) -> str:
    if n in _ORDINAL_EN:
        return _ORDINAL_EN[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _r_manager_changes(p, f):
    n, months = p["managers"], p["months"]
    if f.de:
        which = _ORDINAL_DE.get(n, f"{n}.")
        return f"{p['changes']} Wechsel der verantwortlichen Person in {f.count(months, ('', ''), ('Monat', 'Monaten'))} (jetzt die {which})"
    changes = f.count(p["changes"], ("change", "changes"), ("", ""))
    return f"{_ordinal_en(n)} account manager in {f.count(months, ('month', 'months'), ('', ''))} ({changes})"


def _r_short_tenure(p, f):
    if p["days"] == 0:
        return "die verantwortliche Person ist eben erst zuständig geworden" if f.de else "the current account manager has only just taken over"
    if f.de:
        return f"die verantwortliche Person ist erst seit {f.days(p['days'])} zuständig"
    return f"the current account manager took over only {f.days(p['days'])} ago"


def _r_no_account_manager(p, f):
    return "keine verantwortliche Person für den Kunden zugewiesen" if f.de else "no responsible account manager assigned"


def _r_manager_rarely_present(p, f):
    if f.de:
        return f"die verantwortliche Person war nur bei {p['count']} von {p['total']} Kontakten dabei"
    return f"the responsible account manager took part in only {p['count']} of {p['total']} contacts"


def _r_below_plan(p, f):
    if f.de:
        return f"nur {f.num(p['held'])} von {f.num(p['planned'])} geplanten Kontakten erfolgt"
    return f"only {f.num(p['held'])} of {f.num(p['planned'])} planned contacts held"


def _r_longest_gap(p, f):
    if f.de:
        return (
            f"{f.days(p['days'], 'accusative')} ohne Kontakt zwischen {f.date(p['from'])} und {f.date(p['to'])} "
            f"(Warnsignal ab {f.days(p['threshold'])})"
        )
    return f"{f.days(p['days'])} without contact between {f.date(p['from'])} and {f.date(p['to'])} (red flag from {f.days(p['threshold'])})"


def _r_no_contact_since(p, f):
    return f"seit {f.days(p['days'])} kein Kontakt" if f.de else f"no contact for {f.days(p['days'])}"


def _r_no_contact_in_period(p, f):
    if f.de:
        return f"kein Kontakt in den beobachteten {f.days(p['days'])}" if p["days"] != 1 else "kein Kontakt am beobachteten Tag"
    return f"no contact at all in the {f.days(p['days'])} observed"


def _with_role(role: str, name: str, f: _Fmt) -> str:
    """'der Entscheidungsträgerin/dem Entscheidungsträger Anna Meier' / 'the decision maker Anna Meier';
    a role this code does not know (stored by a later version) is shown as it is."""
    if f.de:
        return f"{_ROLE_DE_DATIVE[role]} {name}" if role in _ROLE_DE_DATIVE else f"{name} ({role})"
    return f"the {_ROLE_EN[role]} {name}" if role in _ROLE_EN else f"{name} ({role})"


def _r_no_contact_role(role):
    def render_(p, f):
        if f.de:
            return f"seit {f.days(p['days'])} kein Kontakt mit {_with_role(role, p['name'], f)}"
        return f"no contact with {_with_role(role, p['name'], f)} for {f.days(p['days'])}"

    return render_


def _r_never_met_role(role):
    def render_(p, f):
        if f.de:
            return f"noch kein Kontakt mit {_with_role(role, p['name'], f)} erfasst"
        return f"no contact ever recorded with {_with_role(role, p['name'], f)}"

    return render_


def _r_no_contact_key_person(p, f):
    return _r_no_contact_role(p["role"])(p, f)


def _r_key_person_never_met(p, f):
    return _r_never_met_role(p["role"])(p, f)


def _r_quarters_below_minimum(p, f):
    if f.de:
        minimum = f.count(p["minimum"], ("", ""), ("Kontakt", "Kontakten"))
        return f"{p['count']} von {p['judged']} Quartalen unter dem Minimum von {minimum}"
    minimum = f.count(p["minimum"], ("contact", "contacts"), ("", ""))
    return f"{p['count']} of {p['judged']} quarters below the minimum of {minimum}"


def _r_low_message_share(p, f):
    if f.de:
        return f"nur {p['count']} von {p['total']} Interaktionen mit einer aktuellen Kernbotschaft"
    return f"only {p['count']} of {p['total']} interactions carried a current core message"


def _r_outside_messages(p, f):
    labels = (
        ("retired", ("no longer valid", "nicht mehr gültig")),
        ("not_yet_valid", ("not yet valid", "noch nicht gültig")),
        ("unknown", ("unknown", "unbekannt")),
    )
    details = ", ".join(f"{p[key]} {de if f.de else en}" for key, (en, de) in labels if p.get(key))
    if f.de:
        who = f.count(p["interactions"], ("", ""), ("Interaktion", "Interaktionen"))
        return f"{who} mit Botschaften, die nicht zu den aktuellen Kernbotschaften gehören ({details})"
    who = f.count(p["interactions"], ("interaction", "interactions"), ("", ""))
    return f"{who} carried messages outside the current core messages ({details})"


def _r_unsteady_messages(p, f):
    quarter = p["bucket"] == "quarter"
    if f.de:
        when = "von Quartal zu Quartal" if quarter else "zwischen erster und zweiter Hälfte des Zeitraums"
        return f"die Kernbotschaften wechselten {when} (Ähnlichkeit {f.pct(p['similarity'])})"
    when = "from quarter to quarter" if quarter else "between the first and the second half of the period"
    return f"the core messages changed {when} (similarity {f.pct(p['similarity'])})"


def _r_period_not_started(p, f):
    if f.de:
        return f"der Zeitraum beginnt am {f.date(p['start'])}; noch nichts zu messen"
    return f"the period starts on {f.date(p['start'])}; nothing to measure yet"


def _r_take_along(p, f):
    if f.de:
        return "für diesen Kunden sind keine Kontakte geplant (Mitnahmekunde); der Kontaktrhythmus wird nicht bewertet"
    return "no contacts are planned for this account (take-along); cadence is not assessed"


def _r_messages_not_assessed(p, f):
    if f.de:
        return "keine Interaktionen im Zeitraum; die Kernbotschaften werden nicht bewertet"
    return "no interactions in the period; core messages are not assessed"


def _r_account_contact_overdue(p, f):
    if f.de:
        return f"Kontakt seit {f.span(p['days'])} überfällig (geplant alle {f.days(p['interval'], 'accusative')})"
    return f"contact overdue by {f.span(p['days'])} (planned every {f.days(p['interval'])})"


def _r_account_never_contacted(p, f):
    if p.get("since"):
        if f.de:
            return f"noch kein Kontakt erfasst (betreut seit {f.date(p['since'])})"
        return f"no contact recorded yet (in our care since {f.date(p['since'])})"
    return "noch kein Kontakt erfasst" if f.de else "no contact recorded yet"


def _r_person_never_met(p, f):
    who = f"{p['name']} ({f.role(p['role'])})"
    return f"{who} noch nie getroffen" if f.de else f"{who} not met yet"


def _r_account_contact_due(p, f):
    if p["days"] == 0:
        return "Kontakt heute fällig" if f.de else "contact due today"
    return f"Kontakt in {f.days(p['days'])} fällig" if f.de else f"contact due in {f.days(p['days'])}"


def _r_person_contact_overdue(p, f):
    if f.de:
        return f"Kontakt mit {p['name']} ({f.role(p['role'])}) seit {f.span(p['days'])} überfällig"
    return f"contact with {p['name']} ({f.role(p['role'])}) overdue by {f.span(p['days'])}"


def _r_person_contact_due(p, f):
    who = f"{p['name']} ({f.role(p['role'])})"
    if p["days"] == 0:
        return f"Kontakt mit {who} heute fällig" if f.de else f"contact with {who} due today"
    return f"Kontakt mit {who} in {f.days(p['days'])} fällig" if f.de else f"contact with {who} due in {f.days(p['days'])}"


_RENDERERS: Mapping[str, Callable[[Mapping[str, Any], _Fmt], str]] = {
    "manager_changes": _r_manager_changes,
    "short_tenure": _r_short_tenure,
    "no_account_manager": _r_no_account_manager,
    "manager_rarely_present": _r_manager_rarely_present,
    "below_plan": _r_below_plan,
    "longest_gap": _r_longest_gap,
    "no_contact_since": _r_no_contact_since,
    "no_contact_in_period": _r_no_contact_in_period,
    "no_contact_decision_maker": _r_no_contact_role(DECISION_MAKER),
    "decision_maker_never_met": _r_never_met_role(DECISION_MAKER),
    "no_contact_influencer": _r_no_contact_role(INFLUENCER),
    "influencer_never_met": _r_never_met_role(INFLUENCER),
    "no_contact_key_person": _r_no_contact_key_person,
    "key_person_never_met": _r_key_person_never_met,
    "quarters_below_minimum": _r_quarters_below_minimum,
    "low_message_share": _r_low_message_share,
    "outside_messages": _r_outside_messages,
    "unsteady_messages": _r_unsteady_messages,
    "period_not_started": _r_period_not_started,
    "take_along": _r_take_along,
    "messages_not_assessed": _r_messages_not_assessed,
    "account_contact_overdue": _r_account_contact_overdue,
    "account_contact_due": _r_account_contact_due,
    "person_contact_overdue": _r_person_contact_overdue,
    "person_contact_due": _r_person_contact_due,
    "account_never_contacted": _r_account_never_contacted,
    "person_never_met": _r_person_never_met,
}
REASON_CODES = tuple(_RENDERERS)


def render_role(role: str, lang: str = "de") -> str:
    """A buying-centre role in words ('decision maker' / 'Entscheider'), as the reasons name it."""
    return _Fmt(lang.strip().lower().replace("_", "-")).role(role)


def render(reason: Reason, lang: str = "de") -> str:
    """The reason in words: 'de' (German, 1.234,5), 'de-ch' (Swiss, 1’234.5) or 'en'; 'de_CH' and
    'en-GB' style tags are accepted."""
    if not isinstance(lang, str):
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGUAGES)}")
    tag = lang.strip().lower().replace("_", "-")
    if tag not in LANGUAGES:
        tag = tag.split("-")[0]
    if tag not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGUAGES)}")
    renderer = _RENDERERS.get(reason.code)
    if renderer is None:
        raise ValueError(f"unknown reason code {reason.code!r}")
    return renderer(reason.params, _Fmt(tag))
