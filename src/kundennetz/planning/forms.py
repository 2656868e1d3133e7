"""Forms of the planning pages: capacity, budget, a what-if scenario and a manager's estimates.

Numbers are typed the Swiss way (1'250'000, 0.8) whatever the language; the scenario form turns its
plain fields into the parameters ``services.clean_parameters`` checks, and puts that check's findings
back on the fields they concern.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kundennetz.accounts.forms import AmountField, RecordForm
from kundennetz.accounts.models import Account, Segment
from kundennetz.core.capabilities import holders
from kundennetz.core.choosers import ChooserSelect
from kundennetz.core.models import User

from . import services
from .models import Budget, Capacity, Period, ResponseEstimate, Scenario


def planned_people(period: Period, *keep):
    """Everyone whose time a plan of the period can hold: active account managers and sales heads, the
    owners of accounts, and whoever already has a capacity in it."""
    # Whether a person owns an account: one look into the owner index per person, not a pass over every
    # account (which ``pk IN (owners)`` becomes as soon as someone is no longer an active manager).
    owns = Exists(Account.objects.filter(owner_id=OuterRef("pk")))
    return User.objects.filter(
        Q(is_active=True, role__in=holders("plan_own_time")) | owns
        | Q(planning_capacities__period__code=period.code) | Q(pk__in=[u.pk for u in keep if u is not None])
    ).distinct().order_by("last_name", "first_name", "username")


class CapacityForm(RecordForm):
    fieldsets = [(gettext_lazy("Capacity"), ["manager", "fte", "working_days", "absence_days", "care_share_pct",
                                      "hours_per_day", "note"])]

    class Meta(RecordForm.Meta):
        model = Capacity
        fields = ["manager", "fte", "working_days", "absence_days", "care_share_pct", "hours_per_day", "note"]

    def __init__(self, *args, period: Period, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period
        self.instance.period = period
        self.fields["manager"].queryset = User.objects.filter(is_active=True, role__in=holders("plan_own_time"))
        self.fields["manager"].label_from_instance = lambda user: user.get_full_name() or user.username
        if self.instance.pk:
            self.fields["manager"].disabled = True
        elif not self.is_bound:
            self.initial.setdefault("working_days", period.working_days)
        self.fields["working_days"].help_text = _(
            "Working days of a full-time position in %(period)s; Monday to Friday there are %(days)s.") % {
            "period": period.code, "days": period.working_days}

    def clean(self):
        data = super().clean()
        manager = self.instance.manager if self.instance.pk else data.get("manager")
        if manager is not None and not self.instance.pk and Capacity.objects.filter(
                manager=manager, period=self.period).exists():
            self.add_error("manager", _("%(manager)s already has a capacity in %(period)s; change that one.") % {
                "manager": manager, "period": self.period.code})
        return data


class BudgetForm(RecordForm):
    fieldsets = [(gettext_lazy("Budget"), ["sales_support", "pr", "note"])]

    class Meta(RecordForm.Meta):
        model = Budget
        fields = ["sales_support", "pr", "note"]


class EstimateForm(RecordForm):
    fieldsets = [(gettext_lazy("Estimates for the period"), ["current_hours", "at_zero", "at_current", "at_150",
                                                       "at_saturation", "saturation_hours"])]

    class Meta(RecordForm.Meta):
        model = ResponseEstimate
        fields = ["current_hours", "at_zero", "at_current", "at_150", "at_saturation", "saturation_hours"]


class ScenarioForm(forms.Form):
    """A what-if over the period: any combination of the changes below (blank = unchanged)."""

    required_css_class = "required"
    error_css_class = "has-error"

    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    budget_change_pct = AmountField(
        label=gettext_lazy("Budget change %"), required=False, localize=True, max_digits=5, decimal_places=1,
        min_value=Decimal("-100"), max_value=Decimal("900"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "-20"}),
        # xgettext:no-python-format
        help_text=gettext_lazy("Both budgets, e.g. −20 for 20 % less."))
    extra_manager_hours = AmountField(
        label=gettext_lazy("One more account manager with … hours"), required=False, localize=True, max_digits=6,
        decimal_places=1, min_value=Decimal("0.1"), max_value=Decimal("5000"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=gettext_lazy("They relieve the colleagues whose hours are worth most."))
    remove_manager = forms.TypedChoiceField(label=gettext_lazy("One account manager fewer"), required=False, coerce=int,
                                            empty_value=None)
    remove_to = forms.TypedChoiceField(label=gettext_lazy("… whose accounts go to"), required=False, coerce=int,
                                       empty_value=None, help_text=gettext_lazy("Empty: the colleague with most hours to spare."))
    segment = forms.ChoiceField(label=gettext_lazy("Customer group"), required=False)
    segment_strategy = forms.ChoiceField(label=gettext_lazy("… gets the strategy"), required=False)
    move_from = forms.TypedChoiceField(label=gettext_lazy("Move the accounts of"), required=False, coerce=int,
                                       empty_value=None)
    move_segment = forms.ChoiceField(label=gettext_lazy("… in the customer group"), required=False,
                                     help_text=gettext_lazy("Empty: all their accounts."))
    move_to = forms.TypedChoiceField(label=gettext_lazy("… to"), required=False, coerce=int, empty_value=None)
    visits = forms.ChoiceField(label=gettext_lazy("Contacts"), initial="continuous", choices=[
        ("continuous", gettext_lazy("hours as they come (fastest, exact)")),
        ("whole", gettext_lazy("whole contacts")),
        ("at_least_one", gettext_lazy("at least one visit or none (slower, exact)")),
    ])

    fieldsets = [
        (gettext_lazy("Scenario"), ["name", "visits"]),
        (gettext_lazy("Money"), ["budget_change_pct"]),
        (gettext_lazy("People"), ["extra_manager_hours", "remove_manager", "remove_to"]),
        (gettext_lazy("Strategy"), ["segment", "segment_strategy"]),
        (gettext_lazy("Move accounts"), ["move_from", "move_segment", "move_to"]),
    ]
    FIELD_OF = {"budget_factor": "budget_change_pct", "extra_managers": "extra_manager_hours",
                "removed_managers": "remove_manager", "segment_strategies": "segment_strategy",
                "moved_accounts": "move_to", "visits": "visits"}

    def __init__(self, *args, period: Period, strategies: services.Strategies | None = None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.period = period
        people = [("", "–")] + [(u.pk, u.get_full_name() or u.username) for u in planned_people(period)]
        for name in ("remove_manager", "remove_to", "move_from", "move_to"):
            # Searchable: the page does not list every account manager four times (a submitted id is still
            # checked against all of them).
            self.fields[name].widget = ChooserSelect("planning:people_choices", params=f"period={period.code}")
            self.fields[name].choices = people
        groups = [("", "–")] + [(s.code, s.name) for s in Segment.objects.order_by("name_de")]
        self.fields["segment"].choices = groups
        self.fields["move_segment"].choices = groups
        strategies = strategies or services.account_strategies({})
        self.fields["segment_strategy"].choices = [("", "–")] + strategies.choices()
        self.strategies = strategies

    def fieldset_list(self):
        for legend, names in self.fieldsets:
            yield legend, [self[name] for name in names]

    def parameters(self) -> dict:
        data = self.cleaned_data
        out: dict = {}
        change = data.get("budget_change_pct")
        if change not in (None, Decimal("0")):
            factor = float(1 + change / 100)
            out["budget_factor"] = {"support": factor, "pr": factor}
        if data.get("extra_manager_hours"):
            out["extra_managers"] = [{"name": _("Additional account manager"),
                                      "hours": float(data["extra_manager_hours"]), "accounts": []}]
        if data.get("remove_manager"):
            out["removed_managers"] = [{"manager": data["remove_manager"], "to": data.get("remove_to")}]
        if data.get("segment") or data.get("segment_strategy"):
            out["segment_strategies"] = [{"segment": data.get("segment"), "strategy": data.get("segment_strategy")}]
        if data.get("move_from") or data.get("move_to"):
            out["moved_accounts"] = [{"from": data.get("move_from"), "to": data.get("move_to"),
                                      "segment": data.get("move_segment") or None}]
        if data.get("visits") and data["visits"] != "continuous":
            out["visits"] = data["visits"]
        return out

    def clean(self):
        data = super().clean()
        name = (data.get("name") or "").strip()
        if name and Scenario.objects.filter(name=name).exists():
            self.add_error("name", _("A scenario with this name exists already."))
        if bool(data.get("segment")) != bool(data.get("segment_strategy")):
            self.add_error("segment_strategy" if data.get("segment") else "segment",
                           _("Choose both the customer group and its strategy."))
        if bool(data.get("move_from")) != bool(data.get("move_to")):
            self.add_error("move_to" if data.get("move_from") else "move_from",
                           _("Choose whose accounts move and who takes them."))
        if self.errors:
            return data
        try:
            self.cleaned_parameters = services.clean_parameters(self.parameters(), self.period, self.strategies)
        except services.InvalidParameters as exc:
            for loc, message in exc.items:
                field = self.FIELD_OF.get(loc[0]) if loc else None
                if loc and loc[0] == "removed_managers" and loc[-1] == "to":
                    field = "remove_to"
                if loc and loc[0] == "moved_accounts" and loc[-1] in ("from", "segment"):
                    field = "move_from" if loc[-1] == "from" else "move_segment"
                if loc and loc[0] == "segment_strategies" and loc[-1] == "segment":
                    field = "segment"
                self.add_error(field, message)
        return data


class PeriodChoiceForm(forms.Form):
    period = forms.CharField(label=gettext_lazy("Period"), max_length=8)

    def clean_period(self):
        try:
            return Period.get(self.cleaned_data["period"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["period"]) from None
