"""Forms of the portfolio pages: filters, override, manual ratings, the scoring model, value propositions.

The scoring model is edited as data: the forms only collect numbers and choices and hand a changed
definition to ``services.publish_model``; whether it is a usable model the domain decides.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from types import SimpleNamespace

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kundennetz.accounts.models import Contact, Segment
from kundennetz.core.capabilities import holders
from kundennetz.core.choosers import ChooserSelect
from kundennetz.core.forms import Conflict, VersionedFormMixin, VersionField, sign_shown, unsign_shown
from kundennetz.core.numberfields import NumberField, WholeNumberField
from kundennetz.domain import portfolio as rules

from .models import ValueProposition, current_language, parse_period, period_of

ABC_CHOICES = [("", _("all")), ("A", "A"), ("B", "B"), ("C", "C")]
RATING_CHOICES = [("", _("not rated")), *[(str(i), str(i)) for i in range(1, 6)]]
CHANNEL_CHOICES = [("personal", _("personal")), ("mixed", _("mixed")), ("digital", _("digital"))]


def role_choices():
    return list(Contact.BuyingRole.choices)


def strategy_choices(model: rules.ScoringModel, *, blank: str | None = None):
    lang = current_language()
    choices = [(key, s.name(lang)) for key, s in model.strategies.items()]
    return ([("", blank)] if blank is not None else []) + choices


def cell_choices(model: rules.ScoringModel, *, blank: str | None = None):
    lang = current_language()
    choices = [(c.key, c.name(lang)) for c in model.grid.cells]
    return ([("", blank)] if blank is not None else []) + choices


class PositionFilterForm(forms.Form):
    """Filters of the portfolio picture and table; every field may stay empty."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Account name")}))
    segment = forms.ModelChoiceField(label=_("Customer group"), queryset=Segment.objects.all(), required=False,
                                     to_field_name="code", empty_label=_("all"))
    # Searchable: the page never lists every account manager (ids typed in a link are still checked).
    owner = forms.ModelChoiceField(label=_("Account manager"), queryset=None, required=False, empty_label=_("all"),
                                   widget=ChooserSelect("accounts:owner_choices"))
    abc = forms.ChoiceField(label=_("ABC class"), choices=ABC_CHOICES, required=False)
    cell = forms.ChoiceField(label=_("Cell"), required=False)
    strategy = forms.ChoiceField(label=_("Strategy"), required=False)
    mine = forms.BooleanField(label=_("My accounts"), required=False)

    def __init__(self, *args, model: rules.ScoringModel, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = get_user_model().objects.filter(
            is_active=True, role__in=holders("create_records")).order_by(
            "last_name", "first_name", "username")
        self.fields["cell"].choices = cell_choices(model, blank=_("all"))
        self.fields["strategy"].choices = strategy_choices(model, blank=_("all"))

    def filters(self) -> dict:
        """The valid filters; an invalid one is dropped (a stale link should still show something)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in self.fields if name not in self.errors}


class OverrideForm(forms.Form):
    # The version of the override the page showed (0: none yet), so a stale save cannot replace a newer one.
    version = VersionField()
    strategy = forms.ChoiceField(label=_("Strategy"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             help_text=_("Why this account is treated differently from its cell."))

    def __init__(self, *args, model: rules.ScoringModel, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the strategies of the grid in use; a current override keeps its own so that it is not lost.
        in_grid = {cell.strategy for cell in model.grid.cells}
        current = self.initial.get("strategy")
        self.fields["strategy"].choices = [(key, name) for key, name in strategy_choices(model)
                                           if key in in_grid or key == current]


class RatingForm(forms.Form):
    """One rating 1–5 and a note per criterion that takes a manual rating.

    Like every record form it carries what it showed: per criterion the rating's version (0: none yet) and,
    signed, the value and note shown (``original``). `reconcile` decides against what is stored now."""

    original = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, model: rules.ScoringModel, ratings: dict, **kwargs):
        super().__init__(*args, **kwargs)
        lang = current_language()
        self.criteria = [c for c in model.criteria if c.takes_manual and c.weight > 0]
        self.conflicts: list[Conflict] = []
        self.conflict_record = None
        for c in self.criteria:
            current = ratings.get(c.key)
            name = c.name_de if lang == "de" else c.name_en
            self.fields[f"version_{c.key}"] = VersionField(initial=current.version if current else 0)
            self.fields[f"value_{c.key}"] = forms.TypedChoiceField(
                label=name, choices=RATING_CHOICES, required=False, coerce=int, empty_value=None,
                initial=str(current.value) if current else "",
                help_text=c.description_de if lang == "de" else c.description_en)
            self.fields[f"note_{c.key}"] = forms.CharField(
                label=_("Note on “%(criterion)s”") % {"criterion": name}, required=False, max_length=2000,
                initial=current.note if current else "", widget=forms.Textarea(attrs={"rows": 2}))
        self.fields["original"].initial = self._signed(ratings)

    def rows(self):
        return [(c, self[f"value_{c.key}"], self[f"note_{c.key}"], self[f"version_{c.key}"]) for c in self.criteria]

    def ratings(self) -> dict[str, tuple[int | None, str]]:
        return {c.key: (self.cleaned_data.get(f"value_{c.key}"), (self.cleaned_data.get(f"note_{c.key}") or "").strip())
                for c in self.criteria}

    def _signed(self, stored: dict) -> str:
        return sign_shown({c.key: _stored(stored.get(c.key)) for c in self.criteria})

    def reconcile(self, stored: dict) -> dict[str, tuple[int | None, str, int]] | None:
        """What to save against the ratings stored now (criterion → value, note, version it is based on).

        A criterion someone else rated, changed or removed since the page was shown: when the user's rating
        equals theirs nothing is to do; when only they changed it (the user sent back what the page showed)
        theirs stays; when only the user changed it, the user's is saved; when both did, it is a conflict.
        With any conflict nothing is to be saved: `conflicts` lists criterion, theirs and yours and the form
        is based on what is stored now, so that saving once more takes over. Returns None then."""
        shown = unsign_shown(self.cleaned_data.get("original")) or {}
        changes, conflicts, latest = {}, [], []
        submitted = self.ratings()
        for c in self.criteria:
            current = stored.get(c.key)
            seen, now = self.cleaned_data.get(f"version_{c.key}"), current.version if current else 0
            yours, theirs = submitted[c.key], _stored(current)
            if seen is None or seen == now:  # unchanged meanwhile (or a page without versions: no check)
                changes[c.key] = (*yours, now)
                continue
            before = tuple(shown[c.key]) if c.key in shown else None
            if yours == theirs or before == yours:
                continue  # the same as theirs, or only they changed it: theirs stands
            if before == theirs:
                changes[c.key] = (*yours, now)  # only the user changed it
                continue
            conflicts += self._conflict_rows(c, theirs, yours)
            if current is not None:
                latest.append(current)
        if not conflicts:
            return changes
        self.conflicts = conflicts
        self.conflict_record = (max(latest, key=lambda r: r.updated_at) if latest
                                else SimpleNamespace(updated_by=None, updated_at=None))
        self.data = self.data.copy()
        for c in self.criteria:
            self.data[f"version_{c.key}"] = str(stored[c.key].version if c.key in stored else 0)
        self.data["original"] = self._signed(stored)
        self.add_error(None, _("Someone else saved this record while you were editing it. Compare below: keep "
                               "theirs, or save yours again to replace theirs."))
        return None

    def _conflict_rows(self, criterion, theirs, yours) -> list[Conflict]:
        value, note = self[f"value_{criterion.key}"], self[f"note_{criterion.key}"]
        rows = []
        if theirs[0] != yours[0]:
            labels = dict(RATING_CHOICES)
            rows.append(Conflict(name=value.name, label=str(value.label),
                                 theirs=str(labels.get(str(theirs[0] or ""), theirs[0])),
                                 yours=str(labels.get(str(yours[0] or ""), yours[0]))))
        if theirs[1] != yours[1]:
            rows.append(Conflict(name=note.name, label=str(note.label), theirs=theirs[1] or "–", yours=yours[1] or "–"))
        return rows


def _stored(rating) -> tuple[int | None, str]:
    return (rating.value, rating.note) if rating is not None else (None, "")


def _percent(value: float) -> Decimal:
    """A share 0–1 as percent, without float noise or an exponent (80, not 80.00000001 or 8E+1)."""
    number = Decimal(str(round(value * 100, 4)))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


class ModelSettingsForm(forms.Form):
    """The parts of the model people adjust most: grid, weights, coverage, ABC lines."""

    grid = forms.ChoiceField(label=_("Portfolio grid"))
    min_coverage = NumberField(percent=True, label=_("Minimum coverage (%)"), min_value=0, max_value=100, decimal_places=2,
                                      help_text=_("An axis whose criteria with values carry less of its weight "
                                                  "gets no score."))
    weight_attractiveness = NumberField(label=_("Weight of attractiveness in the combined score"),
                                               min_value=0, max_value=1000, decimal_places=3)
    weight_position = NumberField(label=_("Weight of our position in the combined score"),
                                         min_value=0, max_value=1000, decimal_places=3)
    abc_a = NumberField(percent=True, label=_("Class A ends at (% of revenue)"), min_value=0, max_value=100,
                               decimal_places=2)
    abc_b = NumberField(percent=True, label=_("Class B ends at (% of revenue)"), min_value=0, max_value=100,
                               decimal_places=2)
    comment = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def __init__(self, *args, model: rules.ScoringModel, **kwargs):
        lang = current_language()
        initial = {
            "grid": model.grid_key, "min_coverage": _percent(model.min_coverage),
            "weight_attractiveness": model.combined_weights[0], "weight_position": model.combined_weights[1],
            "abc_a": _percent(model.abc.a), "abc_b": _percent(model.abc.b),
        }
        for c in model.criteria:
            initial[f"weight_{c.key}"] = c.weight
        super().__init__(*args, initial=initial, **kwargs)
        self.model = model
        self.fields["grid"].choices = [(key, g.name_de if lang == "de" else g.name_en) for key, g in model.grids.items()]
        self.axes = []
        for axis in model.axes:
            names = []
            for c in axis.criteria:
                self.fields[f"weight_{c.key}"] = NumberField(
                    label=c.name_de if lang == "de" else c.name_en, min_value=0, max_value=1000, decimal_places=3)
                names.append(f"weight_{c.key}")
            self.axes.append((axis.name_de if lang == "de" else axis.name_en, names))

    def weight_rows(self):
        return [(name, [self[field] for field in fields]) for name, fields in self.axes]

    def apply(self, definition: dict) -> dict:
        data = self.cleaned_data
        definition["grid"] = data["grid"]
        definition["min_coverage"] = float(data["min_coverage"]) / 100
        definition["combined_weights"] = {"attractiveness": float(data["weight_attractiveness"]),
                                          "position": float(data["weight_position"])}
        definition["abc"] = {"a": float(data["abc_a"]) / 100, "b": float(data["abc_b"]) / 100}
        for axis in definition["axes"].values():
            for criterion in axis["criteria"]:
                criterion["weight"] = float(data[f"weight_{criterion['key']}"])
        return definition


class CareForm(forms.Form):
    """A strategy's care intensity; saved numbers stop being marked as shipped defaults."""

    contacts_per_year_min = NumberField(label=_("Contacts per year, from"), min_value=0, max_value=1000,
                                               decimal_places=1)
    contacts_per_year_max = NumberField(label=_("to"), min_value=0, max_value=1000, decimal_places=1)
    min_contacts_per_quarter = NumberField(label=_("At least per quarter"), min_value=0, max_value=100,
                                                  decimal_places=1)
    hours_per_year = NumberField(label=_("Hours per year"), min_value=0, max_value=10000, decimal_places=1)
    sales_support_share = NumberField(percent=True, label=_("Sales-support budget (%)"), min_value=0, max_value=100,
                                             decimal_places=2)
    pr_share = NumberField(percent=True, label=_("PR budget (%)"), min_value=0, max_value=100, decimal_places=2)
    roles = forms.MultipleChoiceField(label=_("Whom to meet"), choices=role_choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNEL_CHOICES)
    time_limit_months = WholeNumberField(label=_("Time limit (months)"), min_value=1, max_value=120,
                                           required=False)

    def __init__(self, *args, strategy: rules.Strategy, **kwargs):
        care = strategy.care
        initial = {
            "contacts_per_year_min": care.contacts_per_year_min, "contacts_per_year_max": care.contacts_per_year_max,
            "min_contacts_per_quarter": care.min_contacts_per_quarter, "hours_per_year": care.hours_per_year,
            "sales_support_share": _percent(care.sales_support_share), "pr_share": _percent(care.pr_share),
            "roles": list(care.roles), "channel": care.channel, "time_limit_months": care.time_limit_months,
        }
        super().__init__(*args, initial=initial, prefix=strategy.key, **kwargs)
        self.strategy = strategy
        self.title = strategy.name(current_language())

    def clean(self):
        data = super().clean()
        low, high = data.get("contacts_per_year_min"), data.get("contacts_per_year_max")
        if low is not None and high is not None and high < low:
            self.add_error("contacts_per_year_max", _("Must not be below the lower number."))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "contacts_per_year_min": float(data["contacts_per_year_min"]),
            "contacts_per_year_max": float(data["contacts_per_year_max"]),
            "min_contacts_per_quarter": float(data["min_contacts_per_quarter"]),
            "hours_per_year": float(data["hours_per_year"]),
            "sales_support_share": float(data["sales_support_share"]) / 100,
            "pr_share": float(data["pr_share"]) / 100,
            "roles": list(data["roles"]),
            "channel": data["channel"],
            "time_limit_months": data["time_limit_months"],
        }

    def apply(self, definition: dict) -> None:
        for item in definition["strategies"]:
            if item["key"] != self.strategy.key:
                continue
            old = dict(item["care"])
            new = {**old, **self.values()}
            if any(old.get(k) != v for k, v in self.values().items()):
                new["is_default"] = False
            item["care"] = new


def edited_definition(model: rules.ScoringModel) -> dict:
    """A fresh, mutable copy of the model's definition to change."""
    return copy.deepcopy(model.to_dict())


class ModelJsonForm(forms.Form):
    """The whole model as JSON, for changes the other forms do not offer (cells, names, scales, grids)."""

    definition = forms.CharField(label=_("Model definition (JSON)"), widget=forms.Textarea(attrs={"rows": 24,
                                                                                                 "spellcheck": "false"}))
    comment = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def clean_definition(self):
        try:
            data = json.loads(self.cleaned_data["definition"])
        except json.JSONDecodeError as exc:
            # Python's own description of the mistake is English: the place says where to look.
            raise ValidationError(_("Not valid JSON: look at line %(line)s, column %(column)s.")
                                  % {"line": exc.lineno, "column": exc.colno}) from None
        if not isinstance(data, dict):
            raise ValidationError(_("Expected a JSON object."))
        return data


class SnapshotForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=7,
                             help_text=_("A quarter (2026-Q4) or a year (2026). An existing snapshot of the "
                                         "same period is replaced."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, initial={"period": period_of(timezone.localdate())}, **kwargs)

    def clean_period(self):
        value = self.cleaned_data["period"].strip().upper()
        try:
            parse_period(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return value


class ValuePropositionForm(VersionedFormMixin, forms.ModelForm):
    roles = forms.MultipleChoiceField(label=_("Buying-centre roles"), choices=role_choices,
                                      widget=forms.CheckboxSelectMultiple)
    strategies = forms.MultipleChoiceField(label=_("Strategies"), required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text=_("None selected: every strategy."))

    class Meta:
        model = ValueProposition
        fields = ["title_de", "title_en", "text_de", "text_en", "roles", "segments", "strategies", "is_active",
                  "order"]
        field_classes = {"order": WholeNumberField}
        widgets = {
            "segments": forms.CheckboxSelectMultiple,
            "text_de": forms.Textarea(attrs={"rows": 4}),
            "text_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, model: rules.ScoringModel | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategies"].choices = strategy_choices(model) if model else []

