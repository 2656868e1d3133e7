"""What the checklist page shows, gathered in a fixed number of queries however many answers there are.

The page, its HTMX partials and the bid/no-bid sheet all read from here, so a partial never shows
something the full page would show differently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kundennetz.accounts.models import Competitor, Contact, Opportunity
from kundennetz.core.formatting import format_money
from kundennetz.core.models import User
from kundennetz.core.permissions import can_on_seen
from kundennetz.domain import qualification as rules

from . import extensions, services
from .controls import Control, bound_control, stored_control
from .forms import YES_NO_CHOICES, AnswerForm, DecisionForm, QuickContactForm, dom_id
from .models import Answer
from .permissions import may_decide
from .wording import Suggested, contradictions

LIGHT_LABELS = {rules.GREEN: gettext_lazy("green"), rules.AMBER: gettext_lazy("amber"),
                rules.RED: gettext_lazy("red")}
LIGHT_TITLES = {
    rules.GREEN: gettext_lazy("Favourable, no open or unfavourable details"),
    rules.AMBER: gettext_lazy("Open, or details open or against the headline answer"),
    rules.RED: gettext_lazy("Headline question answered unfavourably"),
}
STATE_LABELS = {rules.FAVOURABLE: gettext_lazy("favourable"), rules.UNFAVOURABLE: gettext_lazy("unfavourable"),
                rules.OPEN: gettext_lazy("open"), rules.ANSWERED: gettext_lazy("answered")}
RECOMMENDATION_COLOURS = {rules.OFFER: rules.GREEN, rules.CLARIFY: rules.AMBER, rules.NO_OFFER: rules.RED}
HISTORY_LIMIT = 200


def language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def company() -> str:
    return settings.KUNDENNETZ_COMPANY_NAME


def checklist_opportunities():
    """Opportunities with what a checklist page shows of them; `get_for` restricts them to the user's."""
    return Opportunity.objects.select_related("account", "account__segment", "stage", "owner")


def unavailable(request, opportunity, exc):
    """No published catalogue yet: say so instead of failing."""
    return render(request, "qualification/unavailable.html",
                  {"opportunity": opportunity, "problems": exc.messages}, status=503)


@dataclass
class Names:
    """Display names for the ids that answers refer to."""

    contacts: dict[int, str] = field(default_factory=dict)
    users: dict[int, str] = field(default_factory=dict)
    competitors: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, catalogue: rules.Catalogue, values, known: Names | None = None) -> Names:
        """The names of the ids in `values`; only those not `known` already (the page's own lists) are read."""
        known = known or cls()
        wanted = {rules.CONTACTS: set(), rules.USER: set(), rules.COMPETITORS: set()}
        for question_id, value in values:
            try:
                question = catalogue.question(question_id)
            except KeyError:
                continue
            if question.type in wanted and value not in (None, "", []):
                wanted[question.type].update(value if isinstance(value, list) else [value])
        # The trash and inactive users included: history must still name who was picked back then.
        missing = {kind: ids - set(getattr(known, attr)) for kind, attr, ids in (
            (rules.CONTACTS, "contacts", wanted[rules.CONTACTS]), (rules.USER, "users", wanted[rules.USER]),
            (rules.COMPETITORS, "competitors", wanted[rules.COMPETITORS]))}
        return cls(
            contacts={**known.contacts, **{c.pk: str(c) for c in Contact.all_objects.filter(
                pk__in=missing[rules.CONTACTS])}},
            users={**known.users, **{u.pk: str(u) for u in User.objects.filter(pk__in=missing[rules.USER])}},
            competitors={**known.competitors, **{c.pk: c.name for c in Competitor.objects.filter(
                pk__in=missing[rules.COMPETITORS])}},
        )

    def show(self, question: rules.Question, value, currency: str = "CHF") -> str:
        """An answer as a person reads it."""
        if value in (None, "", []):
            return str(dict(YES_NO_CHOICES)[rules.OPEN]) if question.type == rules.YES_NO else "–"
        if question.type == rules.YES_NO:
            return str(dict(YES_NO_CHOICES).get(value, dict(YES_NO_CHOICES)[rules.OPEN]))
        if question.type == rules.AMOUNT:
            return format_money(Decimal(value), currency, 0 if Decimal(value) % 1 == 0 else 2)
        if question.type == rules.CONTACTS:
            return ", ".join(self.contacts.get(i, f"#{i}") for i in value)
        if question.type == rules.COMPETITORS:
            return ", ".join(self.competitors.get(i, f"#{i}") for i in value)
        if question.type == rules.USER:
            return self.users.get(value, f"#{value}")
        return str(value)


@dataclass
class Row:
    question: rules.Question
    dom: str
    text: str
    control: Control
    state: str
    state_label: str
    answer: Answer | None
    suggestion: Suggested | None
    contact_form: QuickContactForm | None
    headline: bool = False
    byline: str = ""  # who answered last and when

    @property
    def suggestion_matches(self) -> bool:
        return bool(self.suggestion and self.answer and self.answer.value == self.suggestion.value)

    @property
    def polarity(self) -> str:
        """Which answer counts as favourable, for questions where that is not obvious."""
        if self.question.type != rules.YES_NO:
            return ""
        if self.question.favourable is None:
            return _("informative, does not count")
        return _("favourable: no") if self.question.favourable == rules.NO else ""


@dataclass
class Block:
    key: str
    letter: str
    name: str
    light: str
    headline: Row
    details: list[Row]

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]

    @property
    def light_title(self) -> str:
        return LIGHT_TITLES[self.light]


@dataclass
class Change:
    when: object
    who: str
    question: str
    old: str
    new: str
    note: str | None  # the new note, when the note changed
    order: int = 0  # breaks ties between changes saved within the same instant

    @property
    def shown_when(self) -> str:
        return short_datetime(self.when)


def short_datetime(value) -> str:
    """A moment as the templates' ``|date:"SHORT_DATETIME_FORMAT"`` shows it (in the local time zone)."""
    return formats.date_format(template_localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def byline(answer) -> str:
    """Who saved an answer last and when, beside the question (formatted here: forty rows of a template's
    translation block and date filter cost more than the rest of the row)."""
    if answer is None or answer.updated_by is None:
        return ""
    return _("%(who)s, %(when)s") % {"who": answer.updated_by, "when": short_datetime(answer.updated_at)}


def history(catalogue: rules.Catalogue, names: Names, records, currency: str) -> list[Change]:
    """Answer changes, newest first, each with the value before it (from one ordered pass, not a query each)."""
    changes: list[Change] = []
    previous: dict[int, object] = {}
    for record in records:
        try:
            question = catalogue.question(record.question_id)
        except KeyError:
            continue
        before = previous.get(record.id)
        note_changed = before is not None and before.note != record.note
        if before is not None and before.value == record.value and not note_changed:
            previous[record.id] = record
            continue
        text = f"{catalogue.category(question.id.split('.')[0]).letter} · {question.localised(language(), company())}"
        changes.append(Change(
            when=record.history_date, who=str(record.history_user) if record.history_user else "–",
            question=text, old="–" if before is None else names.show(question, before.value, currency),
            new=_("deleted") if record.history_type == "-" else names.show(question, record.value, currency),
            note=record.note if note_changed or (before is None and record.note) else None,
            order=record.history_id,
        ))
        previous[record.id] = record
    changes.sort(key=lambda c: (c.when, c.order), reverse=True)
    return changes


def history_records(checklist):
    # Only what the history shows: every column more is converted on each of possibly hundreds of rows.
    return list(Answer.history.filter(checklist_id=checklist.pk).select_related("history_user")
                .only("id", "question_id", "value", "note", "history_date", "history_id", "history_type",
                      "history_user__first_name", "history_user__last_name", "history_user__username")
                .order_by("id", "history_date", "history_id"))


def checklist_context(request, opportunity: Opportunity, *, bound: AnswerForm | None = None,
                      decision_form: DecisionForm | None = None,
                      contact_form: QuickContactForm | None = None) -> dict:
    """Everything the checklist page and its partials render; `bound` forms carry the user's input and errors."""
    user = request.user
    view = services.checklist_view(opportunity, user)
    checklist, evaluation = view.checklist, view.evaluation
    catalogue = checklist.catalogue.rules
    lang, our_company = language(), company()
    # The opportunity came through `get_for`: whether the user may change it (and its account) follows
    # from the rule that let them see it, mostly without asking the database again.
    can_change = can_on_seen(user, "change", opportunity)
    can_add_contact = can_change and can_on_seen(user, "change", opportunity.account)
    currency = opportunity.account.currency

    contacts = list(Contact.objects.filter(account_id=opportunity.account_id).only(
        "first_name", "last_name", "function"))
    users = list(User.objects.filter(is_active=True).only("first_name", "last_name", "username"))
    competitors = list(Competitor.objects.values_list("pk", "name"))
    choices = {
        "contacts": [(c.pk, str(c) + (f" – {c.function}" if c.function else "")) for c in contacts],
        "users": [(u.pk, str(u)) for u in users],
        "competitors": competitors,
    }
    suggestions = {s.question_id: s for s in view.suggestions}
    records = history_records(checklist)
    # Names of people and competitors picked come from the lists just read; only others (the trash,
    # inactive users) cost a query, so the page's queries do not grow with the answers.
    known = Names(contacts={c.pk: str(c) for c in contacts}, users={u.pk: str(u) for u in users},
                  competitors=dict(competitors))
    names = Names.load(catalogue, [(a.question_id, a.value) for a in view.answers.values()]
                       + [(r.question_id, r.value) for r in records], known)

    def row(question: rules.Question, headline: bool = False) -> Row:
        answer = view.answers.get(question.id)
        dom = dom_id(question.id)
        if bound is not None and bound.question.id == question.id:
            # Shown again with the version now stored: saving once more replaces a colleague's answer.
            control = bound_control(bound, dom, answer.version if answer else 0, choices)
        else:
            control = stored_control(question, dom, answer, choices)
        new_contact = None
        if question.type == rules.CONTACTS and can_add_contact:
            if contact_form is not None and contact_form.question_id == question.id:
                new_contact = contact_form
            else:
                new_contact = QuickContactForm(question_id=question.id)
        state = evaluation.states[question.id]
        return Row(question=question, dom=dom, text=question.localised(lang, our_company),
                   control=control, state=state, state_label=STATE_LABELS[state], answer=answer,
                   suggestion=suggestions.get(question.id), contact_form=new_contact, headline=headline,
                   byline=byline(answer))

    blocks = [Block(key=c.key, letter=c.letter, name=c.localised_name(lang, our_company),
                    light=evaluation.lights[c.key], headline=row(c.headline, True),
                    details=[row(q) for q in c.details])
              for c in catalogue.categories]
    decisions = view.decisions
    changes = history(catalogue, names, records, currency)
    return {
        "opportunity": opportunity,
        "answer_url": reverse("qualification:answer", args=[opportunity.pk]),
        "checklist": checklist,
        "catalogue": checklist.catalogue,
        "evaluation": evaluation,
        "contradictions": contradictions(catalogue, evaluation, lang, our_company),
        "blocks": blocks,
        "derived_rows": [r for b in blocks for r in (b.headline, *b.details) if r.question.derive],
        "contact_rows": [r for b in blocks for r in (b.headline, *b.details) if r.question.type == rules.CONTACTS],
        "catalogue_name": rules.localise(catalogue.name, lang, our_company),
        "clarify": [{"dom": dom_id(p.question_id), "letter": catalogue.category(p.category).letter,
                     "text": p.text, "headline": p.question_id == p.category} for p in evaluation.clarify],
        "unfavourable_names": [f"{b.letter} · {b.name}" for b in blocks if b.key in evaluation.unfavourable],
        "open_names": [f"{b.letter} · {b.name}" for b in blocks if b.key in evaluation.open],
        "knockout_texts": [catalogue.question(i).localised(lang, our_company) for i in evaluation.knockouts],
        "recommendation_label": checklist.get_recommendation_display(),
        "recommendation_colour": RECOMMENDATION_COLOURS[evaluation.recommendation],
        "total": len(catalogue.categories),
        "can_change": can_change,
        "can_add_contact": can_add_contact,
        "may_decide": may_decide(user, checklist, seen=True),
        "decisions": decisions,
        "latest_decision": decisions[0] if decisions else None,
        "decision_form": decision_form or DecisionForm(),
        "changes": changes[:HISTORY_LIMIT],
        "changes_hidden": max(0, len(changes) - HISTORY_LIMIT),
        "currency": currency,
        "win": _win(opportunity, user),
        # Named for every render: a name the context lacks costs the template an exception per lookup.
        "oob": False, "created": None, "created_for": None, "recorded": None,
    }


def _win(opportunity, user):
    """The win probability panel (learned from won and lost deals); its own app fills it."""
    return extensions.panel("win", opportunity, user)
