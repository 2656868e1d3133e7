"""The tunables: each one a pydantic model whose defaults are the shipped values.

A tunable is a named settings document (``NAME``) that an admin edits on the settings page; its
fields carry their own limits, so validation is the model's and nothing else's. Documents are read
with ``kundennetz.core.tunables.get(Model)``; plain values from them are handed to ``domain/``.

Adding a tunable: write a model here with ``NAME`` and ``LABEL`` and defaults for every field, add
it to ``ALL``, and add a data migration that calls ``seed_defaults`` (see core/migrations/0003).
"""

from __future__ import annotations

from typing import ClassVar

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, model_validator

# --------------------------------------------------------------------------------------------------
# Base
# --------------------------------------------------------------------------------------------------


class Tunable(BaseModel):
    """A settings document; subclasses set ``NAME`` (stored key) and ``LABEL`` (shown)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    NAME: ClassVar[str] = ""
    LABEL: ClassVar[object] = ""
    HELP: ClassVar[object] = ""


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Weight = Field(ge=0, le=1000)


# --------------------------------------------------------------------------------------------------
# Default care intensity per customer group (planning and consistency alike)
# --------------------------------------------------------------------------------------------------


class GroupIntensity(_Part):
    """Care intensity per year for an account whose strategy gives none."""

    name_de: str = Field(min_length=1, max_length=120)
    name_en: str = Field(min_length=1, max_length=120)
    contacts_per_year_min: float = Field(ge=0, le=1000)
    contacts_per_year_max: float = Field(ge=0, le=1000)
    min_contacts_per_quarter: float = Field(ge=0, le=250)
    hours_per_year: float = Field(ge=0, le=10000)
    sales_support_share: float = Field(ge=0, le=1)
    pr_share: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ranges(self):
        if self.contacts_per_year_max < self.contacts_per_year_min:
            raise ValueError(gettext("contacts per year (max) must not be below contacts per year (min)"))
        if self.min_contacts_per_quarter * 4 > max(self.contacts_per_year_max, self.contacts_per_year_min):
            raise ValueError(gettext("four times the minimum per quarter must not exceed the contacts per year"))
        return self


def _group(de, en, cmin, cmax, q, hours, support, pr) -> GroupIntensity:
    return GroupIntensity(name_de=de, name_en=en, contacts_per_year_min=cmin, contacts_per_year_max=cmax,
                          min_contacts_per_quarter=q, hours_per_year=hours, sales_support_share=support,
                          pr_share=pr)


class DefaultIntensities(Tunable):
    """One table: the care intensity of an account without a strategy, by its customer group's code
    ("" = accounts without a group). Planning budgets with it and consistency measures against it."""

    NAME: ClassVar[str] = "default_intensity"
    LABEL: ClassVar[object] = _("Default care intensity per customer group")
    HELP: ClassVar[object] = _("Used for an account while the portfolio gives it no strategy. Keys are customer "
                               "group codes; \"\" is for accounts without a group. Shares of each budget add up "
                               "to at most 1.")

    groups: dict[str, GroupIntensity] = Field(default_factory=lambda: {
        "key_accounts": _group("Grosskunden (Vorgabe)", "Key accounts (default)", 8, 16, 2, 60, 0.40, 0.30),
        "mid_market": _group("KMU (Vorgabe)", "Mid-market (default)", 4, 10, 1, 30, 0.30, 0.25),
        "public_sector": _group("Öffentliche Hand (Vorgabe)", "Public sector (default)", 4, 8, 1, 24, 0.15, 0.25),
        "small": _group("Kleinkunden (Vorgabe)", "Small customers (default)", 1, 4, 0, 8, 0.15, 0.20),
        "": _group("Ohne Kundengruppe (Vorgabe)", "No customer group (default)", 1, 4, 0, 8, 0.0, 0.0),
    })

    @model_validator(mode="after")
    def _table(self):
        if "" not in self.groups:
            raise ValueError(gettext('the table needs an entry "" for accounts without a customer group'))
        for share in ("sales_support_share", "pr_share"):
            total = sum(getattr(g, share) for g in self.groups.values())
            if total > 1.0 + 1e-9:
                raise ValueError(gettext("the %(share)s of all groups add up to %(total).2f, more than 1") % {"share": share, "total": total})
        return self

    def for_group(self, code: str | None) -> GroupIntensity:
        """The row of a customer group, else the row for accounts without a group."""
        return self.groups.get(code or "", self.groups[""])


# --------------------------------------------------------------------------------------------------
# Consistency score
# --------------------------------------------------------------------------------------------------


def _shipped_consistency() -> dict:
    """The shipped weights (interactions/consistency_weights.json, which the domain's tests read too),
    without comments and without its default intensity (the group table below is the one in force)."""
    import json

    from kundennetz.domain.consistency import DEFAULT_CONFIG_PATH

    raw = json.loads(DEFAULT_CONFIG_PATH.read_text("utf-8"))

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if not k.startswith("_")}
        return value

    raw = clean(raw)
    raw.pop("default_intensity", None)
    return raw


_SHIPPED = _shipped_consistency()


class _Component(_Part):
    weight: float = Weight
    measures: dict[str, float]


def _component(name: str) -> _Component:
    return _Component(**_SHIPPED["components"][name])


class ConsistencyComponents(_Part):
    continuity: _Component = _component("continuity")
    cadence: _Component = _component("cadence")
    messages: _Component = _component("messages")


_T = _SHIPPED["thresholds"]


class ConsistencyThresholds(_Part):
    gap_days: int = Field(_T["gap_days"], ge=1, le=3650)
    change_window_months: int = Field(_T["change_window_months"], ge=1, le=240)
    change_penalty: float = Field(_T["change_penalty"], ge=0, le=1)
    full_tenure_days: int = Field(_T["full_tenure_days"], ge=1, le=3650)
    presence_target: float = Field(_T["presence_target"], gt=0, le=1)
    message_share_target: float = Field(_T["message_share_target"], gt=0, le=1)
    steadiness_target: float = Field(_T["steadiness_target"], gt=0, le=1)


class ConsistencyBands(_Part):
    green: float = Field(_SHIPPED["bands"]["green"], ge=0, le=100)
    amber: float = Field(_SHIPPED["bands"]["amber"], ge=0, le=100)

    @model_validator(mode="after")
    def _order(self):
        if self.amber > self.green:
            raise ValueError(gettext("amber must not be above green"))
        return self


class ConsistencyWeights(Tunable):
    """Weights and thresholds of the consistency score (explained in docs/consistency.md)."""

    NAME: ClassVar[str] = "consistency"
    LABEL: ClassVar[object] = _("Consistency score: weights and thresholds")
    HELP: ClassVar[object] = _("Weights are relative within each level. Key people: buying-centre role → days "
                               "after which contact is due. Interaction types: how much one interaction counts "
                               "as a contact (0 = not a contact).")

    components: ConsistencyComponents = ConsistencyComponents()
    thresholds: ConsistencyThresholds = ConsistencyThresholds()
    key_people: dict[str, int] = Field(default_factory=lambda: dict(_SHIPPED["key_people"]))
    bands: ConsistencyBands = ConsistencyBands()
    interaction_types: dict[str, float] = Field(default_factory=lambda: dict(_SHIPPED["interaction_types"]))

    @model_validator(mode="after")
    def _domain_rules(self):
        # The domain's own parser holds the remaining rules (measure names, key-people roles, sums);
        # running it here gives the admin the same verdict the score would.
        from kundennetz.domain import consistency as dc

        for name, measures in dc.COMPONENT_MEASURES.items():
            component = getattr(self.components, name)
            if set(component.measures) != set(measures):
                raise ValueError(gettext("components.%(name)s.measures needs exactly: %(measures)s")
                                 % {"name": name, "measures": ", ".join(measures)})
            if any(not 0 <= w <= 1000 for w in component.measures.values()):
                raise ValueError(gettext("components.%(name)s: weights must be between 0 and 1000") % {"name": name})
        if sum(getattr(self.components, name).weight for name in dc.COMPONENT_MEASURES) == 0:
            raise ValueError(gettext("at least one component must weigh more than 0"))
        unknown = sorted(set(self.key_people) - set(dc.ROLES))
        if unknown:
            raise ValueError(gettext("key_people: unknown role(s) %(roles)s; known: %(known)s")
                             % {"roles": ", ".join(unknown), "known": ", ".join(dc.ROLES)})
        if any(days < 1 for days in self.key_people.values()):
            raise ValueError(gettext("key_people: days must be at least 1"))
        if "default" not in self.interaction_types:
            raise ValueError(gettext('interaction_types needs an entry "default"'))
        if any(not 0 <= w <= 1000 for w in self.interaction_types.values()):
            raise ValueError(gettext("interaction_types: weights must be between 0 and 1000"))
        dc.parse_config(self.as_domain_document(DefaultIntensities().for_group("")))
        return self

    def as_domain_document(self, default: GroupIntensity) -> dict:
        """The document ``domain.consistency.parse_config`` reads, with the default intensity given."""
        raw = self.model_dump(mode="json")
        raw["default_intensity"] = {"contacts_per_year_min": default.contacts_per_year_min,
                                    "contacts_per_year_max": default.contacts_per_year_max or None,
                                    "min_per_quarter": default.min_contacts_per_quarter}
        return raw


# --------------------------------------------------------------------------------------------------
# Relationship weights
# --------------------------------------------------------------------------------------------------


class RelationshipWeights(Tunable):
    """How much a person counts: level by buying-centre role (portfolio's contact points) and weight
    by influence (consistency's key people)."""

    NAME: ClassVar[str] = "relationship"
    LABEL: ClassVar[object] = _("Relationship levels and influence weights")
    HELP: ClassVar[object] = _("Role levels go from 1 (known by name) to 5 (trusted advocate) and stand in for a "
                               "person's relationship level; influence weights weigh key people.")

    role_levels: dict[str, int] = Field(default_factory=lambda: {
        "coach": 5, "decision_maker": 4, "influencer": 3, "technical_evaluator": 3, "user": 2, "gatekeeper": 2})
    unknown_role_level: int = Field(2, ge=1, le=5)
    influence_weights: dict[str, float] = Field(default_factory=lambda: {
        "high": 3.0, "medium": 2.0, "low": 1.0, "unknown": 2.0})

    @model_validator(mode="after")
    def _levels(self):
        for role, level in self.role_levels.items():
            if not 1 <= level <= 5:
                raise ValueError(gettext("role_levels.%(role)s must be between 1 and 5") % {"role": role})
        for word, weight in self.influence_weights.items():
            if not 0 <= weight <= 100:
                raise ValueError(gettext("influence_weights.%(word)s must be between 0 and 100") % {"word": word})
        if "unknown" not in self.influence_weights:
            raise ValueError(gettext('influence_weights needs an entry "unknown"'))
        return self

    def influence_weight(self, influence: str | None) -> float:
        return self.influence_weights.get(influence or "unknown", self.influence_weights["unknown"])


# --------------------------------------------------------------------------------------------------
# Reminders, planning, pursuit
# --------------------------------------------------------------------------------------------------


class ReminderWindow(Tunable):
    """How far ahead "due soon" looks: My week, the reminder mails and the due-contacts report."""

    NAME: ClassVar[str] = "reminders"
    LABEL: ClassVar[object] = _("Reminder window")
    HELP: ClassVar[object] = _("Contacts due within this many days are listed as due soon.")

    due_within_days: int = Field(7, ge=0, le=60)


class PlanningFigures(Tunable):
    """Figures planning needs besides the strategies."""

    NAME: ClassVar[str] = "planning"
    LABEL: ClassVar[object] = _("Planning figures")
    HELP: ClassVar[object] = _("Hours per working day of a new capacity; budget headroom: an account may get up "
                               "to this many times its strategy's typical money; hours per contact outside the "
                               "range are treated as typos; margin and position where an account lacks them.")

    hours_per_day: float = Field(8.4, gt=0, le=24)
    budget_headroom: float = Field(3.0, ge=1, le=100)
    contact_hours_min: float = Field(0.5, gt=0, le=100)
    contact_hours_max: float = Field(8.0, gt=0, le=100)
    default_margin_pct: float = Field(30, ge=0, le=100)
    default_position: float = Field(0.5, ge=0, le=1)

    @model_validator(mode="after")
    def _range(self):
        if self.contact_hours_max < self.contact_hours_min:
            raise ValueError(gettext("contact_hours_max must not be below contact_hours_min"))
        return self


class PursuitRules(Tunable):
    """Who may decide on pursuing an opportunity: never its owner (four eyes), unless self-decision
    is allowed here for opportunities up to an amount."""

    NAME: ClassVar[str] = "pursuit"
    LABEL: ClassVar[object] = _("Pursuit decision")
    HELP: ClassVar[object] = _("Four eyes: the owner of an opportunity may decide on pursuing it only when "
                               "self-decision is allowed and its volume is at most the amount given (CHF).")

    allow_self_decision: bool = False
    self_decision_max_volume: float = Field(0, ge=0, le=1e12)

    def owner_may_decide(self, volume) -> bool:
        return self.allow_self_decision and float(volume or 0) <= self.self_decision_max_volume


class NetworkStrength(Tunable):
    """How interactions make the strength of a "knows" relation, and from which strength a person is covered
    (see domain.network.strength_from_interactions)."""

    NAME: ClassVar[str] = "network_strength"
    LABEL: ClassVar[object] = _("Relationship strength")
    HELP: ClassVar[object] = _("A derived strength counts each interaction of the window with 0.5 to the power of "
                               "its age in half lives; the saturation is the weighted count that gives about "
                               "0.63. A decision maker counts as covered when one of our people knows them with "
                               "at least the minimum strength.")

    window_days: int = Field(365, ge=1, le=3650)
    half_life_days: float = Field(90, ge=1, le=3650)
    saturation: float = Field(3, ge=0.1, le=100)
    min_strength: float = Field(0.5, ge=0, le=1)


class ExchangeRates(Tunable):
    """Francs per unit of each other currency: lists sort amounts kept in different currencies by their
    value in francs (see domain.money)."""

    NAME: ClassVar[str] = "exchange_rates"
    LABEL: ClassVar[object] = _("Exchange rates")
    HELP: ClassVar[object] = _("Francs (CHF) per unit of each currency. The account list sorts revenue by its "
                               "value in francs; a new version converts every account again.")

    EUR: float = Field(0.94, gt=0, le=1000)
    USD: float = Field(0.80, gt=0, le=1000)
    GBP: float = Field(1.07, gt=0, le=1000)

    def rates(self) -> dict[str, float]:
        return {"EUR": self.EUR, "USD": self.USD, "GBP": self.GBP}


ALL: tuple[type[Tunable], ...] = (DefaultIntensities, ConsistencyWeights, RelationshipWeights, ReminderWindow,
                                  PlanningFigures, PursuitRules, NetworkStrength, ExchangeRates)
BY_NAME: dict[str, type[Tunable]] = {cls.NAME: cls for cls in ALL}
