"""The fields an import can fill and an export writes, per kind, with their labels and rules.

Lengths, digits, ranges and choices are read from the models, so that an import accepts exactly what a
form would; what the models cannot say (which columns a file must have, how a record is found again)
is stated here. The same labels head the exported columns, so an export is recognised on re-import.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.apps import apps
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kundennetz.domain.importing import FieldSpec, normalise_key

from . import layouts


@dataclass(frozen=True)
class Target:
    """A field of an import: `type` as in `FieldSpec`; `model_field` when it is a field of the model."""

    name: str
    label: object
    type: str = "text"
    model_field: str | None = None
    max_length: int | None = None


def interactions_available() -> bool:
    """Interactions are imported once their app provides the model."""
    try:
        apps.get_model("interactions", "Interaction")
    except LookupError:
        return False
    return True


_ACCOUNT_REFS = [
    Target("account", _("Account"), "ref"),
    Target("account_city", _("Account city"), "text", max_length=100),
    Target("account_external_id", _("Account external ID"), "text", max_length=100),
]

TARGETS: dict[str, list[Target]] = {
    "accounts": [
        Target("external_id", _("External ID"), "text", "external_id"),
        Target("name", _("Name"), "text", "name"),
        Target("legal_form", _("Legal form"), "choice", "legal_form"),
        Target("industry", _("Industry"), "text", "industry"),
        Target("segment", _("Customer group"), "ref"),
        Target("street", _("Street"), "text", "street"),
        Target("postal_code", _("Postal code"), "text", "postal_code"),
        Target("city", _("City"), "text", "city"),
        Target("country", _("Country"), "country", "country"),
        Target("website", _("Website"), "url", "website"),
        Target("currency", _("Currency"), "choice", "currency"),
        Target("annual_revenue", _("Annual revenue with us"), "amount", "annual_revenue"),
        Target("turnover", _("Customer's annual turnover"), "amount", "turnover"),
        Target("potential", _("Estimated potential"), "amount", "potential"),
        Target("contribution_margin_pct", _("Contribution margin %"), "percent", "contribution_margin_pct"),
        Target("status", _("Status"), "choice", "status"),
        Target("owner", _("Account manager (user name)"), "ref"),
        Target("is_company", _("Is a company"), "bool"),
    ],
    "contacts": [
        Target("external_id", _("External ID"), "text", max_length=100),
        *_ACCOUNT_REFS,
        Target("full_name", _("Full name"), "text", max_length=201),
        Target("first_name", _("First name"), "text", "first_name"),
        Target("last_name", _("Last name"), "text", "last_name"),
        Target("function", _("Function"), "text", "function"),
        Target("department", _("Department"), "text", "department"),
        Target("email", _("E-mail"), "email", "email"),
        Target("phone", _("Phone"), "phone", "phone"),
        Target("language", _("Language"), "choice", "language"),
        Target("buying_role", _("Buying-centre role"), "choice", "buying_role"),
        Target("influence", _("Influence"), "choice", "influence"),
        Target("attitude", _("Attitude toward us"), "choice", "attitude"),
        Target("is_company", _("Is a company"), "bool"),
    ],
    "opportunities": [
        Target("external_id", _("External ID"), "text", max_length=100),
        *_ACCOUNT_REFS,
        Target("title", _("Title"), "text", "title"),
        Target("need", _("Need (in words)"), "longtext", "need"),
        Target("stage", _("Stage"), "ref"),
        Target("status", _("Won/lost"), "choice"),
        Target("expected_volume", _("Expected volume"), "amount", "expected_volume"),
        Target("expected_follow_up_volume", _("Expected follow-up volume"), "amount", "expected_follow_up_volume"),
        Target("offer_price", _("Offer price"), "amount", "offer_price"),
        Target("estimated_margin_pct", _("Estimated contribution margin %"), "percent", "estimated_margin_pct"),
        Target("expected_decision_date", _("Expected decision date"), "date", "expected_decision_date"),
        Target("owner", _("Owner (user name)"), "ref"),
        Target("closing_reason", _("Closing reason"), "ref"),
        Target("closed_on", _("Closed on"), "date", "closed_on"),
    ],
    "interactions": [
        Target("external_id", _("External ID"), "text", max_length=100),
        *_ACCOUNT_REFS,
        Target("type", _("Type"), "choice", "type"),
        Target("date", _("Date"), "date", "date"),
        Target("duration_minutes", _("Duration (minutes)"), "integer", "duration_minutes"),
        Target("topics", _("Topics"), "text", "topics"),
        Target("note", _("Note"), "longtext", "note"),
        Target("follow_up_date", _("Follow-up date"), "date", "follow_up_date"),
        Target("our_people", _("Our people (user names)"), "ref"),
    ],
}



# --------------------------------------------------------------------------------------------------
# Checklist answers: the eight headline answers of the current catalogue as columns of opportunities
# --------------------------------------------------------------------------------------------------

ANSWER_PREFIX = "answer_"


def _headline_catalogue():
    """The catalogue whose headline answers an import fills: the current published one, else the
    catalogue the application ships with."""
    from kundennetz.qualification.cli import default_catalogue

    try:
        from kundennetz.qualification.models import Catalogue

        current = Catalogue.current()
        if current is not None:
            return current.rules
    except Exception:  # no database yet (e.g. while the command line parses its arguments)
        pass
    return default_catalogue()


class _AnswerLabel:
    """"ASCOTSMAN: Competition" in the active language (a label evaluated when shown)."""

    def __init__(self, key: str):
        self.key = key

    def __str__(self) -> str:
        from kundennetz.qualification.cli import default_catalogue

        catalogue = default_catalogue()
        language = (translation.get_language() or "en").split("-")[0]
        try:
            name = catalogue.category(self.key).localised_name(language)
        except KeyError:
            name = self.key
        return f"{_('Checklist')}: {name}"


def answer_keys() -> tuple[str, ...]:
    """The headline keys an import accepts (aspiration, solution, competition, only_me, ...)."""
    from kundennetz.qualification.cli import default_catalogue

    return default_catalogue().keys


def answer_field(key: str) -> str:
    return ANSWER_PREFIX + key


def answer_columns() -> dict[str, str]:
    """Normalised header → answer field: the catalogue keys and the German and English headline texts
    (of the shipped catalogue and of the current one)."""
    from kundennetz.domain.importing import normalize_header
    from kundennetz.domain.qualification import localise
    from kundennetz.qualification.cli import company_name, default_catalogue

    company = company_name()
    table: dict[str, str] = {}
    for catalogue in (default_catalogue(), _headline_catalogue()):
        for category in catalogue.categories:
            if category.key not in answer_keys():
                continue
            target = answer_field(category.key)
            texts = [localise(category.headline.text, language, company) for language in category.headline.text]
            for text in (category.key, target, *texts):
                table.setdefault(normalize_header(text), target)
    return table


TARGETS["opportunities"].extend(Target(answer_field(key), _AnswerLabel(key), "answer") for key in answer_keys())


# A file must carry these (one field of each group), or the mapping must set a value for all rows.
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    "accounts": [("name",)],
    "contacts": [("last_name", "full_name"), ("account", "account_external_id")],
    "opportunities": [("title",), ("account", "account_external_id")],
    "interactions": [("date",), ("account", "account_external_id")],
}

# How a row finds the record it updates: the first key the mapping can fill is the default.
KEYS: dict[str, tuple[str, ...]] = {
    "accounts": ("external_id", "name_city"),
    "contacts": ("external_id", "email", "name_city"),
    "opportunities": ("external_id", "name_city"),
    "interactions": ("external_id", "name_city"),
}
KEY_LABELS = {
    "external_id": _("External ID"),
    "name_city": _("Name and city (contacts: name at the account; opportunities: title at the account)"),
    "email": _("E-mail"),
}
KEY_FIELDS = {
    ("accounts", "external_id"): ("external_id",), ("accounts", "name_city"): ("name", "city"),
    ("contacts", "external_id"): ("external_id",), ("contacts", "email"): ("email",),
    ("contacts", "name_city"): ("first_name", "last_name", "account"),
    ("opportunities", "external_id"): ("external_id",), ("opportunities", "name_city"): ("title", "account"),
    ("interactions", "external_id"): ("external_id",),
    ("interactions", "name_city"): ("account", "date", "type", "topics"),
}

MODELS = {"accounts": ("accounts", "Account"), "contacts": ("accounts", "Contact"),
          "opportunities": ("accounts", "Opportunity"), "interactions": ("interactions", "Interaction")}


def kinds() -> list[str]:
    return [kind for kind in TARGETS if kind != "interactions" or interactions_available()]


def model_for(kind: str):
    return apps.get_model(*MODELS[kind])


def targets(kind: str) -> list[Target]:
    return TARGETS[kind]


def field_names(kind: str) -> list[str]:
    return [target.name for target in TARGETS[kind]]


def labels(kind: str) -> dict[str, str]:
    """Field → label in the active language."""
    return {target.name: str(target.label) for target in TARGETS[kind]}


def default_key(kind: str, mapped: set[str]) -> str:
    for key in KEYS[kind]:
        needed = KEY_FIELDS[(kind, key)]
        if key == "name_city" or all(name in mapped for name in needed):
            return key
    return KEYS[kind][-1]


def _choice_table(kind: str, name: str, field) -> tuple[dict, tuple]:
    """Every accepted spelling of each choice: its value, its German and English label, synonyms."""
    table: dict[str, str] = {}
    shown = []
    for value, label in field.choices:
        table[normalise_key(value)] = value
        for language in ("de-ch", "en"):
            with translation.override(language):
                table.setdefault(normalise_key(str(label)), value)
        shown.append(str(value))
    for value, words in layouts.choice_synonyms().get(f"{kind}.{name}", {}).items():
        for word in words:
            table.setdefault(normalise_key(word), value)
    return table, tuple(shown)


def _limits(field) -> dict:
    limits = {}
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            limits["min_value"] = validator.limit_value
        elif isinstance(validator, MaxValueValidator):
            limits["max_value"] = validator.limit_value
    return limits


@lru_cache(maxsize=8)
def _specs(kind: str, language: str) -> dict[str, FieldSpec]:
    model = model_for(kind)
    specs = {}
    for target in TARGETS[kind]:
        options = {"type": target.type, "max_length": target.max_length}
        if target.model_field:
            field = model._meta.get_field(target.model_field)
            if isinstance(field, models.CharField) and target.max_length is None:
                options["max_length"] = field.max_length
            if isinstance(field, models.DecimalField):
                options.update(max_digits=field.max_digits, decimal_places=field.decimal_places, **_limits(field))
            if isinstance(field, (models.IntegerField,)):
                options.update(_limits(field))
            if target.type == "choice" and field.choices:
                table, shown = _choice_table(kind, target.name, field)
                options.update(choices=table, shown_choices=shown)
        elif target.type == "choice":
            table = {}
            for value, words in layouts.choice_synonyms().get(f"{kind}.{target.name}", {}).items():
                table[normalise_key(value)] = value
                for word in words:
                    table.setdefault(normalise_key(word), value)
            options.update(choices=table, shown_choices=tuple(sorted(set(table.values()))))
        if target.name in ("name", "title"):
            options["required"] = True
        if options.get("min_value") is not None and not isinstance(options["min_value"], Decimal):
            options["min_value"] = Decimal(options["min_value"])
        specs[target.name] = FieldSpec(target.name, **options)
    return specs


def specs(kind: str) -> dict[str, FieldSpec]:
    """The `FieldSpec` of every field of `kind` (cached; choices in both languages either way)."""
    return _specs(kind, "any")
