"""Qualification checklists (ASCOTSMAN and kin): the catalogue model, answers, the go/no-go rule, suggestions.

A catalogue is data: categories, each with a headline question (its id is the category key) and detail
questions (ids ``<category key>.<name>``, e.g. ``aspiration.goal_known``). Only headline answers drive the
recommendation; detail answers feed the traffic lights, the contradiction warnings and the list of
points to clarify. Kept free of Django so the web app, the API and the command line share one rule.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from functools import cached_property

from .errors import DomainError, json_kind

YES, NO, OPEN = "yes", "no", "open"
FAVOURABLE, UNFAVOURABLE, ANSWERED = "favourable", "unfavourable", "answered"
OFFER, CLARIFY, NO_OFFER = "offer", "clarify", "no_offer"
GREEN, AMBER, RED = "green", "amber", "red"

# Higher is better; the property "a worse answer never improves the outcome" is stated in this order.
RECOMMENDATION_RANK = {NO_OFFER: 0, CLARIFY: 1, OFFER: 2}
DEFAULT_THRESHOLD = 3
DEFAULT_COMPANY = "Kundennetz AG"

YES_NO, CONTACTS, USER, COMPETITORS, AMOUNT, TEXT = "yes_no", "contacts", "user", "competitors", "amount", "text"
QUESTION_TYPES = (YES_NO, CONTACTS, USER, COMPETITORS, AMOUNT, TEXT)
DERIVATIONS = ("within_budget", "volume_in_range", "margin_target")
# Used when no catalogue is given, so callers holding only numbers still learn where a suggestion goes.
DEFAULT_DERIVED_IDS = {
    "within_budget": "money.within_budget",
    "volume_in_range": "time_scale.volume_in_range",
    "margin_target": "time_scale.margin_target",
}

_YES_NO_WORDS = {"yes": YES, "ja": YES, "no": NO, "nein": NO, "open": OPEN, "offen": OPEN}
# The usual spellings ("Ja", "NEIN"), found at once; any other case or spacing is folded first.
_YES_NO_SPELLINGS = {spelling: answer for word, answer in _YES_NO_WORDS.items()
                     for spelling in (word, word.capitalize(), word.upper())}
_KEY = re.compile(r"[a-z][a-z0-9_]*\Z")
_LANGUAGE = re.compile(r"[a-z]{2}\Z")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_PLACEHOLDERS = {"company"}


# --- catalogue -------------------------------------------------------------------------------------------


def localise(texts: Mapping[str, str], language: str, company: str = DEFAULT_COMPANY) -> str:
    """The text in `language` ('de', 'en', 'de-ch', …), falling back to English, with our company's name."""
    code = (language or "").replace("_", "-").split("-")[0].lower()
    text = texts.get(code) or texts.get("en") or next(iter(texts.values()))
    # replace(), not format(): a stray brace in an admin's wording must not break rendering.
    return text.replace("{company}", company)


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: Mapping[str, str]
    favourable: str | None = None  # YES, NO or None (informative); yes/no questions only
    knockout: bool = False
    derive: str | None = None  # one of DERIVATIONS: the answer can be suggested from data

    def localised(self, language: str, company: str = DEFAULT_COMPANY) -> str:
        return localise(self.text, language, company)


@dataclass(frozen=True)
class Category:
    key: str
    letter: str
    name: Mapping[str, str]
    headline: Question
    details: tuple[Question, ...] = ()

    @property
    def questions(self) -> tuple[Question, ...]:
        return (self.headline, *self.details)

    def localised_name(self, language: str, company: str = DEFAULT_COMPANY) -> str:
        return localise(self.name, language, company)


@dataclass(frozen=True)
class Catalogue:
    id: str
    version: int
    languages: tuple[str, ...]
    name: Mapping[str, str]
    categories: tuple[Category, ...]
    description: Mapping[str, str] | None = None

    # A catalogue is read once and then asked the same things for every checklist it evaluates (the
    # command line does so for each of thousands of files): what follows from its questions is worked out
    # once per catalogue, kept on the (frozen) instance.

    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.categories)

    def questions(self) -> Iterator[Question]:
        return iter(self._all_questions)

    @cached_property
    def _all_questions(self) -> tuple[Question, ...]:
        return tuple(question for category in self.categories for question in category.questions)

    @cached_property
    def _plan(self) -> _Plan:
        return _Plan(self)

    @cached_property
    def details_by_id(self) -> Mapping[str, Question]:
        """The detail questions (not the headlines) by id."""
        return {d.id: d for c in self.categories for d in c.details}

    def question(self, question_id: str) -> Question:
        try:
            return self._questions_by_id[question_id]
        except KeyError:
            raise KeyError(question_id) from None

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        """Asked for every row and every change a checklist shows: found by id, not by a walk of the list."""
        found: dict[str, Question] = {}
        for question in self.questions():
            found.setdefault(question.id, question)
        return found

    def category(self, key: str) -> Category:
        for category in self.categories:
            if category.key == key:
                return category
        raise KeyError(key)

    @classmethod
    def from_dict(cls, data: object) -> Catalogue:
        """Build and validate a catalogue; any flaw raises CatalogueError naming where it is."""
        d = _fields(data, "catalogue", required=("id", "version", "languages", "name", "categories"),
                    optional=("description",))
        _check(isinstance(d["id"], str) and bool(_KEY.match(d["id"])), "id", "bad_identifier",
               "must be lower-case letters, digits and underscores", value=d["id"])
        version = d["version"]
        _check(type(version) is int and version >= 1, "version", "bad_version", "must be an integer >= 1",
               value=version)
        languages = d["languages"]
        _check(isinstance(languages, list) and bool(languages), "languages", "empty_list", "must be a non-empty list")
        for i, code in enumerate(languages):
            _check(isinstance(code, str) and bool(_LANGUAGE.match(code)), f"languages[{i}]", "bad_language",
                   "must be a two-letter language code", value=code)
        _check(len(set(languages)) == len(languages), "languages", "repeated", "must not repeat a language")
        languages = tuple(languages)
        raw_categories = d["categories"]
        _check(isinstance(raw_categories, list) and bool(raw_categories), "categories", "empty_list",
               "must be a non-empty list")
        categories = tuple(_category(c, f"categories[{i}]", languages) for i, c in enumerate(raw_categories))

        seen: set[str] = set()
        derived: set[str] = set()
        for i, category in enumerate(categories):
            for question in category.questions:
                _check(question.id not in seen, f"categories[{i}]", "duplicate",
                       f"question id {question.id!r} is used twice", value=question.id)
                seen.add(question.id)
                if question.derive:
                    _check(question.derive not in derived, f"categories[{i}]", "duplicate",
                           f"derivation {question.derive!r} is used twice", value=question.derive)
                    derived.add(question.derive)
        description = d.get("description")
        return cls(
            id=d["id"], version=version, languages=languages, name=_texts(d["name"], "name", languages),
            categories=categories,
            description=None if description is None else _texts(description, "description", languages),
        )


class CatalogueError(DomainError):
    """A catalogue that cannot be used: ``path`` is the offending entry, ``code`` and ``params`` say what is
    wrong with it (worded by the qualification app)."""


def _check(condition: bool, path: str, code: str, message: str, **params: object) -> None:
    if not condition:
        raise CatalogueError(code, f"{path}: {message}", path=path, **params)


def _fields(data: object, path: str, *, required: Sequence[str], optional: Sequence[str] = ()) -> dict:
    _check(isinstance(data, Mapping), path, "not_an_object", f"must be an object, not {type(data).__name__}",
           kind=json_kind(data))
    unknown = sorted(set(data) - set(required) - set(optional))
    _check(not unknown, path, "unknown_keys", f"unknown field(s) {', '.join(map(repr, unknown))}", keys=unknown,
           allowed=sorted({*required, *optional}))
    missing = [name for name in required if name not in data]
    _check(not missing, path, "missing_keys", f"missing field(s) {', '.join(map(repr, missing))}", keys=missing)
    return dict(data)


def _texts(data: object, path: str, languages: tuple[str, ...]) -> dict[str, str]:
    texts = _fields(data, path, required=languages)
    for code, text in texts.items():
        _check(isinstance(text, str) and bool(text.strip()), f"{path}.{code}", "empty", "must be a non-empty text")
        bad = sorted(set(_PLACEHOLDER.findall(text)) - _PLACEHOLDERS)
        _check(not bad, f"{path}.{code}", "unknown_placeholders",
               f"unknown placeholder(s) {', '.join('{' + b + '}' for b in bad)}",
               placeholders=["{" + b + "}" for b in bad], allowed=["{" + p + "}" for p in sorted(_PLACEHOLDERS)])
    return texts


def _category(data: object, path: str, languages: tuple[str, ...]) -> Category:
    d = _fields(data, path, required=("key", "letter", "name", "headline"), optional=("details",))
    key = d["key"]
    _check(isinstance(key, str) and bool(_KEY.match(key)), f"{path}.key", "bad_identifier",
           "must be lower-case letters, digits and underscores", value=key)
    _check(isinstance(d["letter"], str) and bool(d["letter"].strip()), f"{path}.letter", "empty",
           "must be a non-empty text")
    headline = _question(d["headline"], f"{path}.headline", languages)
    _check(headline.id == key, f"{path}.headline.id", "headline_id", f"must equal the category key {key!r}", key=key)
    _check(headline.type == YES_NO and headline.favourable is not None, f"{path}.headline", "headline_polarity",
           "must be a yes/no question with a favourable answer")
    raw_details = d.get("details", [])
    _check(isinstance(raw_details, list), f"{path}.details", "not_a_list", "must be a list", kind=json_kind(raw_details))
    details = tuple(_question(q, f"{path}.details[{i}]", languages) for i, q in enumerate(raw_details))
    for i, detail in enumerate(details):
        _check(detail.id.startswith(key + ".") and bool(_KEY.match(detail.id[len(key) + 1:])),
               f"{path}.details[{i}].id", "detail_id", f"must be {key!r}, a dot and a lower-case name", key=key)
    return Category(key=key, letter=d["letter"], name=_texts(d["name"], f"{path}.name", languages),
                    headline=headline, details=details)


def _question(data: object, path: str, languages: tuple[str, ...]) -> Question:
    d = _fields(data, path, required=("id", "type", "text"), optional=("favourable", "knockout", "derive"))
    _check(isinstance(d["id"], str) and bool(d["id"]), f"{path}.id", "empty", "must be a non-empty text")
    kind = d["type"]
    _check(kind in QUESTION_TYPES, f"{path}.type", "not_one_of",
           f"must be one of {', '.join(QUESTION_TYPES)}, not {kind!r}", value=kind, allowed=list(QUESTION_TYPES))
    if kind == YES_NO:
        # Explicit even when null, so nobody gets a polarity by default: the wording decides it.
        _check("favourable" in d, path, "favourable_missing", "a yes/no question needs 'favourable' (yes, no or null)")
        _check(d["favourable"] in (YES, NO, None), f"{path}.favourable", "not_one_of",
               f"must be 'yes', 'no' or null, not {d['favourable']!r}", value=d["favourable"], allowed=[YES, NO, None])
    else:
        _check("favourable" not in d, f"{path}.favourable", "favourable_not_yes_no",
               "only yes/no questions have a favourable answer")
    knockout = d.get("knockout", False)
    _check(isinstance(knockout, bool), f"{path}.knockout", "not_true_or_false", "must be true or false", value=knockout)
    _check(not knockout or d.get("favourable") is not None, f"{path}.knockout", "knockout_polarity",
           "only a yes/no question with a favourable answer can be a knock-out")
    derive = d.get("derive")
    _check(derive is None or derive in DERIVATIONS, f"{path}.derive", "not_one_of",
           f"must be one of {', '.join(DERIVATIONS)}, not {derive!r}", value=derive, allowed=list(DERIVATIONS))
    _check(derive is None or kind == YES_NO, f"{path}.derive", "derive_not_yes_no",
           "only yes/no questions can be derived")
    return Question(id=d["id"], type=kind, text=_texts(d["text"], f"{path}.text", languages),
                    favourable=d.get("favourable"), knockout=knockout, derive=derive)


# --- answers ---------------------------------------------------------------------------------------------

Reference = str | int
Answer = str | Reference | Sequence[Reference] | Decimal | float | None


def parse_yes_no(value: object) -> str:
    """YES, NO or OPEN from yes/no/open or ja/nein/offen in any case; None is OPEN."""
    if value is None:
        return OPEN
    if isinstance(value, str):
        word = _YES_NO_SPELLINGS.get(value) or _YES_NO_WORDS.get(value.strip().casefold())
        if word is not None:
            return word
    raise ValueError(f"expected yes, no, open, ja, nein or offen, not {value!r}")


def _reference(value: object) -> Reference:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f"expected a name or an id, not {value!r}")


def _number(value: object, *, negative: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"expected a number, not {value!r}")
    if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
        raise ValueError(f"expected a finite number, not {value!r}")
    # Via str: 0.1 stays 0.1 instead of its binary expansion; a Decimal is itself already.
    number = value if type(value) is Decimal else Decimal(str(value))
    if number < 0 and not negative:
        raise ValueError(f"expected a number >= 0, not {value!r}")
    return number


def normalise_answer(question: Question, value: Answer) -> Answer:
    """The canonical form of an answer to `question`; ValueError if it does not fit the question's type.

    yes_no → YES/NO/OPEN; contacts/competitors → tuple of references; user → reference or None;
    amount → Decimal ≥ 0 or None; text → stripped text. None always means not answered.
    """
    if question.type == YES_NO:
        return parse_yes_no(value)
    if question.type in (CONTACTS, COMPETITORS):
        if value is None:
            return ()
        items = [value] if isinstance(value, str | int) else value
        # A list or tuple passes without the (slow) abstract-class checks every other value needs.
        if type(items) not in (list, tuple) and (isinstance(items, str | Mapping) or not isinstance(items, Sequence)):
            raise ValueError(f"expected a name, an id or a list of them, not {value!r}")
        return tuple(_reference(item) for item in items)
    if question.type == USER:
        return None if value is None or value == "" else _reference(value)
    if question.type == AMOUNT:
        return None if value is None else _number(value)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"expected a text, not {value!r}")
    return value.strip()


def answer_state(question: Question, value: Answer) -> str:
    """FAVOURABLE, UNFAVOURABLE, OPEN, or ANSWERED when the answer carries no polarity."""
    value = normalise_answer(question, value)
    if question.type == YES_NO:
        if value == OPEN:
            return OPEN
        if question.favourable is None:
            return ANSWERED
        return FAVOURABLE if value == question.favourable else UNFAVOURABLE
    return OPEN if value in (None, "", ()) else ANSWERED


def validate_threshold(threshold: object) -> int:
    # bool is an int in Python, but `true` as a threshold is a mistake, not 1.
    if type(threshold) is not int or threshold < 0:
        raise ValueError(f"threshold must be an integer >= 0, not {threshold!r}")
    return threshold


# --- evaluation ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClarifyPoint:
    question_id: str
    category: str
    text: str


@dataclass(frozen=True)
class Contradiction:
    """Detail answers at odds with their headline answer: worth a second look before deciding."""

    category: str
    code: str  # "favourable_headline_unfavourable_details" | "unfavourable_headline_favourable_details"
    question_ids: tuple[str, ...]  # the adapter words it (qualification.wording)


@dataclass(frozen=True)
class Evaluation:
    recommendation: str
    threshold: int
    favourable: tuple[str, ...]
    unfavourable: tuple[str, ...]
    open: tuple[str, ...]
    knockouts: tuple[str, ...]  # knock-out questions answered unfavourably
    states: Mapping[str, str]  # every question id → its answer state
    lights: Mapping[str, str]  # category key → GREEN/AMBER/RED, in catalogue order
    clarify: tuple[ClarifyPoint, ...]
    warnings: tuple[Contradiction, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {FAVOURABLE: len(self.favourable), UNFAVOURABLE: len(self.unfavourable), OPEN: len(self.open)}

    def to_dict(self) -> dict:
        """A JSON-ready summary (the command line's and the API's shape)."""
        return {
            "recommendation": self.recommendation,
            "unfavourable": list(self.unfavourable),
            "open": list(self.open),
            "threshold": self.threshold,
            "favourable": list(self.favourable),
            "counts": self.counts,
            "knockouts": list(self.knockouts),
            "lights": dict(self.lights),
            "clarify": [point.question_id for point in self.clarify],
            "warnings": [{"category": w.category, "code": w.code, "questions": list(w.question_ids)}
                         for w in self.warnings],
        }


def evaluate(catalogue: Catalogue, answers: Mapping[str, Answer], threshold: int = DEFAULT_THRESHOLD, *,
             language: str = "en", company: str = DEFAULT_COMPANY) -> Evaluation:
    """Apply the rule: more than `threshold` unfavourable headlines or an unfavourable knock-out → no offer;
    else any open headline → clarify; else offer. Missing answers are open. The points to clarify are the
    catalogue's questions in `language`; contradictions are codes, worded by the adapter."""
    threshold = validate_threshold(threshold)
    plan = catalogue._plan
    if not plan.known.issuperset(answers):
        unknown = [key for key in answers if key not in plan.known]
        raise ValueError(f"unknown question id(s): {', '.join(map(repr, unknown))}")
    states: dict[str, str] = {}
    open_at: list[int] = []  # places in plan.questions of the questions left open
    get = answers.get
    for index, (question_id, table, question, _category) in enumerate(plan.questions):
        value = get(question_id)
        # No answer and texts are looked up: the usual spellings of a yes/no answer are in the table from
        # the start, other texts once they were seen. Anything else takes the long way, which also says what
        # is wrong with it.
        if value is None:
            state = table[None]
        elif type(value) is not str or (state := table.get(value)) is None:
            try:
                state = answer_state(question, value)
            except ValueError as exc:
                raise ValueError(f"{question_id}: {exc}") from None
            if type(value) is str and len(table) < _TABLE_SIZE:
                table[value] = state
        states[question_id] = state
        if state == OPEN:
            open_at.append(index)

    favourable: list[str] = []
    unfavourable: list[str] = []
    open_: list[str] = []
    by_state = {FAVOURABLE: favourable, UNFAVOURABLE: unfavourable, OPEN: open_}
    for key in plan.keys:
        found = by_state.get(states[key])
        if found is not None:
            found.append(key)
    knockouts = tuple(i for i in plan.knockouts if states[i] == UNFAVOURABLE) if plan.knockouts else ()
    if len(unfavourable) > threshold or knockouts:
        recommendation = NO_OFFER
    elif open_:
        recommendation = CLARIFY
    else:
        recommendation = OFFER

    lights: dict[str, str] = {}
    warnings: list[Contradiction] = []
    for key, detail_ids, polar in plan.categories:
        head = states[key]
        against: list[str] = []
        any_open = False
        for i in detail_ids:
            state = states[i]
            if state == UNFAVOURABLE:
                against.append(i)
            elif state == OPEN:
                any_open = True
        if head == UNFAVOURABLE:
            lights[key] = RED
            if polar and all(states[i] == FAVOURABLE for i in polar):
                warnings.append(Contradiction(category=key, code="unfavourable_headline_favourable_details",
                                              question_ids=polar))
        elif head == OPEN or against or any_open:
            lights[key] = AMBER
            if head == FAVOURABLE and against:
                warnings.append(Contradiction(category=key, code="favourable_headline_unfavourable_details",
                                              question_ids=tuple(against)))
        else:
            lights[key] = GREEN

    # Each point is worded once per catalogue and language, when first needed, and shared afterwards.
    points = plan.clarify_points(language, company)
    if not plan.unique:  # a question id used twice (no catalogue read by from_dict): the last answer counts
        open_at = [i for i, entry in enumerate(plan.questions) if states[entry[0]] == OPEN]
    clarify = []
    for index in open_at:
        point = points[index]
        if point is None:
            question_id, _table, question, category = plan.questions[index]
            point = points[index] = ClarifyPoint(question_id=question_id, category=category,
                                                 text=question.localised(language, company))
        clarify.append(point)
    return Evaluation(
        recommendation=recommendation, threshold=threshold, favourable=tuple(favourable),
        unfavourable=tuple(unfavourable), open=tuple(open_), knockouts=knockouts, states=states, lights=lights,
        clarify=tuple(clarify), warnings=tuple(warnings),
    )


_TABLE_SIZE = 256  # texts whose answer state a question keeps, at most (free texts rarely repeat)


def _state_table(question: Question) -> dict[str | None, str]:
    """The answer state of a question left unanswered (None) and, for a yes/no question, of each written
    form of its answer: looked up instead of worked out for every checklist."""
    table = {None: answer_state(question, None)}
    if question.type == YES_NO:
        for spelling in _YES_NO_SPELLINGS:
            table[spelling] = answer_state(question, spelling)
    return table


class _Plan:
    """What evaluating a checklist needs of its catalogue, worked out once (``Catalogue._plan``)."""

    __slots__ = ("known", "questions", "unique", "keys", "knockouts", "categories", "_points")
    _LANGUAGES_KEPT = 16  # (language, company) pairs whose worded points are kept

    def __init__(self, catalogue: Catalogue):
        self.known = frozenset(q.id for q in catalogue.questions())
        # Per question in catalogue order: its id, its state table, itself, its category.
        self.questions = tuple((q.id, _state_table(q), q, c.key) for c in catalogue.categories for q in c.questions)
        self.unique = len(self.known) == len(self.questions)
        self.keys = catalogue.keys
        self.knockouts = tuple(q.id for q in catalogue.questions() if q.knockout)
        self.categories = tuple(
            (c.key, tuple(dict.fromkeys(d.id for d in c.details)),
             tuple(d.id for d in c.details if d.type == YES_NO and d.favourable is not None))
            for c in catalogue.categories)
        self._points: dict[tuple[str, str], list[ClarifyPoint | None]] = {}

    def clarify_points(self, language: str, company: str) -> list[ClarifyPoint | None]:
        """The worded point of each question (by its place in ``questions``), None until first needed."""
        key = (language, company)
        points = self._points.get(key)
        if points is None:
            if len(self._points) >= self._LANGUAGES_KEPT:
                self._points.clear()
            points = self._points[key] = [None] * len(self.questions)
        return points


# --- suggestions derived from data ----------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """Plain numbers known about an opportunity; None where unknown. Percentages as 0–100."""

    offer_price: Decimal | float | None = None
    budget: Decimal | float | None = None
    expected_volume: Decimal | float | None = None
    group_volume_min: Decimal | float | None = None
    group_volume_max: Decimal | float | None = None
    margin_pct: Decimal | float | None = None
    group_margin_target_pct: Decimal | float | None = None


@dataclass(frozen=True)
class Suggestion:
    """A proposed answer the user confirms or overrides; never applied on its own. ``params``: the figures
    it rests on (within_budget: price, budget; volume_in_range: volume, low, high — either bound may be
    None; margin_target: margin, target in %), worded by the adapter (qualification.wording)."""

    question_id: str
    derive: str
    value: str  # YES or NO, as the question is worded
    params: Mapping[str, Decimal | None] = field(default_factory=dict, hash=False)


def suggest_answers(facts: Facts | Mapping[str, object], *, catalogue: Catalogue | None = None) -> list[Suggestion]:
    """Suggested answers for the derivable yes/no details; a derivation lacking its inputs is skipped.

    A volume range may be open at one end (only a minimum or only a maximum).
    """
    if isinstance(facts, Mapping):
        names = {f.name for f in fields(Facts)}
        unknown = sorted(set(facts) - names)
        if unknown:
            raise ValueError(f"unknown fact(s): {', '.join(map(repr, unknown))}")
        facts = Facts(**facts)
    n = {}
    for f in fields(Facts):
        raw = getattr(facts, f.name)
        try:
            n[f.name] = None if raw is None else _number(raw, negative=f.name.endswith("_pct"))
        except ValueError as exc:
            raise ValueError(f"{f.name}: {exc}") from None
    low, high = n["group_volume_min"], n["group_volume_max"]
    if low is not None and high is not None and low > high:
        raise ValueError(f"group_volume_min {low} is above group_volume_max {high}")

    found: list[tuple[str, bool, dict[str, Decimal | None]]] = []
    if n["offer_price"] is not None and n["budget"] is not None:
        found.append(("within_budget", n["offer_price"] <= n["budget"],
                      {"price": n["offer_price"], "budget": n["budget"]}))
    volume = n["expected_volume"]
    if volume is not None and (low is not None or high is not None):
        inside = (low is None or volume >= low) and (high is None or volume <= high)
        found.append(("volume_in_range", inside, {"volume": volume, "low": low, "high": high}))
    if n["margin_pct"] is not None and n["group_margin_target_pct"] is not None:
        found.append(("margin_target", n["margin_pct"] >= n["group_margin_target_pct"],
                      {"margin": n["margin_pct"], "target": n["group_margin_target_pct"]}))

    targets = (DEFAULT_DERIVED_IDS if catalogue is None
               else {q.derive: q.id for q in catalogue.questions() if q.derive})
    suggestions = []
    for derive, holds, params in found:
        if derive in targets:
            value = YES if holds else NO
            suggestions.append(Suggestion(question_id=targets[derive], derive=derive, value=value, params=params))
    return suggestions
