"""Capacities, budgets, scenarios with their results, the applied plan per account, and managers'
estimates of how an account responds to effort.

The arithmetic lives in ``kundennetz.domain.capacity`` (available hours) and
``kundennetz.domain.allocation`` (the optimum); these records keep the inputs people give and the
results the services write. Results are written in bulk and never edited: a scenario is recomputed
as a whole.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kundennetz.accounts.models import Account
from kundennetz.core.models import Bookkeeping, TrackedModel
from kundennetz.core.permissions import VIEW, by_role, is_signed_in
from kundennetz.domain import capacity as domain_capacity

from .estimates import fit_estimate
from .permissions import can_plan, can_view_budgets, can_view_planning, visible_capacities
from .wording import fit_warnings


def default_hours_per_day() -> Decimal:
    """Hours per working day of a new capacity: the tunable ``PlanningFigures.hours_per_day``."""
    from kundennetz.core import tunables
    from kundennetz.core.tunables.schemas import PlanningFigures

    return Decimal(str(tunables.get(PlanningFigures).hours_per_day)).quantize(Decimal("0.01"))

ZERO = Decimal("0")
MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(ZERO)]}


class PeriodQuerySet(models.QuerySet):
    def in_order(self):
        return self.order_by("-start", "kind")


class Period(models.Model):
    """A planning period: a year or a quarter. Created on first use from its code."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """Everyone signed in names periods; those who plan make and change them."""
        return by_role(queryset, user, action, view=is_signed_in, change=can_plan)

    class Kind(models.TextChoices):
        YEAR = "year", _("Year")
        QUARTER = "quarter", _("Quarter")

    code = models.CharField(_("period"), max_length=7, unique=True, help_text=_("2026 or 2026-Q3"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("planning period")
        verbose_name_plural = _("planning periods")
        ordering = ["-start", "kind"]

    def __str__(self) -> str:
        return self.code

    @property
    def domain(self) -> domain_capacity.Period:
        return domain_capacity.parse_period(self.code)

    @property
    def share_of_year(self) -> float:
        return 1.0 if self.kind == self.Kind.YEAR else 0.25

    @property
    def working_days(self) -> int:
        return domain_capacity.working_days_between(self.start, self.end)

    @classmethod
    def _parse(cls, code: str):
        try:
            return domain_capacity.parse_period(code)
        except ValueError:
            raise ValidationError({"period": _("Enter a year (2026) or a quarter (2026-Q3).")}) from None

    @classmethod
    def get(cls, code: str) -> Period:
        """The period of ``code`` (2026, 2026-Q3), created when it is new. Raises ValidationError."""
        parsed = cls._parse(code)
        period, _created = cls.objects.get_or_create(code=parsed.code, defaults={
            "kind": parsed.kind, "year": parsed.year, "quarter": parsed.quarter, "start": parsed.start,
            "end": parsed.end})
        return period

    @classmethod
    def peek(cls, code: str) -> Period:
        """The period of ``code`` for reading: the stored one, else an unsaved one (a period nobody planned
        holds nothing, and reading never writes). Filter by ``period__code`` so both work. Raises
        ValidationError."""
        parsed = cls._parse(code)
        return cls.objects.filter(code=parsed.code).first() or cls(
            code=parsed.code, kind=parsed.kind, year=parsed.year, quarter=parsed.quarter, start=parsed.start,
            end=parsed.end)


class CapacityQuerySet(models.QuerySet):
    """Bulk writes and ``update`` keep the available hours following their figures, as ``save()`` does: each
    row's hours come from `Capacity.refresh_available_hours`, the one rule."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.refresh_available_hours()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if set(fields) & CAPACITY_SOURCES:
            for obj in objs:
                obj.refresh_available_hours()
            if "available_hours" not in fields:
                fields.append("available_hours")
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        if not set(kwargs) & (CAPACITY_SOURCES | {"available_hours"}):
            return super().update(**kwargs)
        # The new figures may be expressions (F("fte") * Decimal("0.5")): the rows are written first, read
        # back and their hours derived from what was stored, in one transaction. The rows are picked (and on
        # PostgreSQL locked) once, so that the hours are derived for exactly the rows written.
        rows = self.model._base_manager.using(self.db)
        with transaction.atomic(using=self.db, savepoint=False):
            ids = list(self.order_by().select_for_update(of=("self",)).values_list("pk", flat=True))
            done = models.QuerySet.update(rows.filter(pk__in=ids), **kwargs)
            written = list(rows.filter(pk__in=ids).only("pk", "available_hours", *CAPACITY_SOURCES))
            for row in written:
                row.refresh_available_hours()
            models.QuerySet.bulk_update(rows.all(), written, ["available_hours"], batch_size=500)
        return done


class Capacity(TrackedModel):
    """An account manager's time for customer care in one period."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """Whoever sees planning sees every capacity, an account manager their own; those who plan
        enter, change and delete them."""
        if action == VIEW:
            return visible_capacities(queryset, user)
        return by_role(queryset, user, action, view=can_view_planning, change=can_plan)

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                on_delete=models.CASCADE, related_name="planning_capacities")
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="capacities")
    fte = models.DecimalField(_("FTE"), max_digits=4, decimal_places=2, default=Decimal("1.00"),
                              validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("1"))],
                              help_text=_("Share of a full-time position, 0–1 (0.8 = 80 %)."))
    working_days = models.DecimalField(_("working days"), max_digits=5, decimal_places=1,
                                       validators=[MinValueValidator(ZERO)],
                                       help_text=_("Working days of a full-time position in the period."))
    care_share_pct = models.DecimalField(_("share for customer care %"), max_digits=5, decimal_places=2,
                                         default=Decimal("60"),
                                         validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
                                         help_text=_("Share of the working time spent with and for customers."))
    absence_days = models.DecimalField(_("absence days"), max_digits=5, decimal_places=1, default=ZERO,
                                       validators=[MinValueValidator(ZERO)],
                                       help_text=_("Holidays, training and other full days away."))
    hours_per_day = models.DecimalField(_("hours per day"), max_digits=4, decimal_places=2,
                                        default=default_hours_per_day,
                                        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))])
    available_hours = models.FloatField(_("available hours"), default=0, editable=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = CapacityQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        verbose_name = _("capacity")
        verbose_name_plural = _("capacities")
        ordering = ["period", "manager__last_name", "manager__first_name"]
        constraints = [models.UniqueConstraint(fields=["manager", "period"], name="planning_one_capacity_per_period")]
        # The newest change, read by core.freshness by index.
        indexes = [models.Index(fields=["updated_at"], name="capacity_changed")]

    def __str__(self) -> str:
        return f"{self.manager} · {self.period}"

    def compute_hours(self) -> float:
        """Raises domain_capacity.CapacityError for figures that give no meaningful capacity."""
        return domain_capacity.available_hours(
            float(self.fte), float(self.working_days), float(self.care_share_pct) / 100.0,
            float(self.absence_days), float(self.hours_per_day))

    def clean(self):
        from .permissions import may_have_capacity

        errors = {}
        if self.manager_id is not None and not may_have_capacity(self.manager):
            errors["manager"] = _("Capacities are kept for active account managers and sales heads.")
        if self.period_id is not None and self.working_days is not None \
                and self.working_days > self.period.end.toordinal() - self.period.start.toordinal() + 1:
            errors["working_days"] = _("The period %(period)s has only %(days)s days.") % {
                "period": self.period.code, "days": self.period.end.toordinal() - self.period.start.toordinal() + 1}
        if None not in (self.fte, self.working_days, self.care_share_pct, self.absence_days, self.hours_per_day) \
                and "working_days" not in errors:
            try:
                self.available_hours = self.compute_hours()
            except domain_capacity.CapacityError as exc:
                errors[_FIELD.get(exc.field, exc.field)] = capacity_message(exc)
        if errors:
            raise ValidationError(errors)

    def refresh_available_hours(self) -> None:
        """The stored hours from the figures (`compute_hours`); figures that give no meaningful capacity
        leave them as they were (``clean()`` refuses those figures with a message)."""
        with contextlib.suppress(domain_capacity.CapacityError, TypeError, ValueError):
            self.available_hours = self.compute_hours()

    def save(self, *args, **kwargs):
        # Fixtures and scripts skip clean(); the stored hours must still follow the figures (the bulk paths
        # and update() too: CapacityQuerySet).
        self.refresh_available_hours()
        # update_or_create() and save(update_fields=…) write only the named fields: the derived one too.
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & CAPACITY_SOURCES:
            kwargs["update_fields"] = {*update_fields, "available_hours"}
        super().save(*args, **kwargs)


CAPACITY_SOURCES = frozenset({"fte", "working_days", "care_share_pct", "absence_days", "hours_per_day"})


_FIELD = {"care_share": "care_share_pct"}


def capacity_message(exc: domain_capacity.CapacityError) -> str:
    """The domain's refusal in the user's language."""
    if exc.code == "absences_exceed_working_days":
        return _("The absences (%(absences)s days) exceed the working days (%(working_days)s days).") % {
            "absences": f"{exc.params['absences']:g}", "working_days": f"{exc.params['working_days']:g}"}
    if exc.code == "fte_range":
        return _("Enter an FTE between 0 and 1 (0.8 = 80 %).")
    if exc.code == "share_range":
        return _("Enter a share between 0 and 100 %.")
    if exc.code == "hours_per_day_range":
        return _("Enter the hours of a working day (more than 0, at most 24).")
    if exc.code == "negative":
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": 0}
    return _("Enter a number.")


class Budget(TrackedModel):
    """The money of one period: sales support and communication/PR."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """Whoever sees planning sees the budgets; those who plan set them."""
        return by_role(queryset, user, action, view=can_view_budgets, change=can_plan)

    period = models.OneToOneField(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="budget")
    sales_support = models.DecimalField(_("sales-support budget"), default=ZERO, **MONEY)
    pr = models.DecimalField(_("communication/PR budget"), default=ZERO, **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-period__start"]
        # The newest change, read by core.freshness by index.
        indexes = [models.Index(fields=["updated_at"], name="budget_changed")]

    def __str__(self) -> str:
        return f"{self.period}"


class Scenario(TrackedModel):
    """A what-if over one period: parameters, and once computed the totals of its result.

    ``parameters`` (validated by ``services.clean_parameters``) may hold ``budget_factor``
    ({"support": 0.8, "pr": 0.8}), ``extra_managers`` ([{"name", "hours", "accounts"}]),
    ``removed_managers`` ([{"manager", "to"}]), ``segment_strategies`` ([{"segment", "strategy"}]),
    ``moved_accounts`` ([{"accounts", "to"}]) and ``visits`` ("continuous", "whole", "at_least_one").
    """

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """Whoever sees planning sees the scenarios; those who plan create, compute, apply and delete them."""
        return by_role(queryset, user, action, view=can_view_planning, change=can_plan)

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPLIED = "applied", _("Applied")

    name = models.CharField(_("name"), max_length=120, unique=True)
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="scenarios")
    parameters = models.JSONField(_("what-if parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True, editable=False)
    inputs = models.CharField(_("inputs fingerprint"), max_length=64, blank=True, editable=False,
                              help_text=_("What the result was computed from (core.freshness)."))
    seconds = models.FloatField(_("computing time (s)"), null=True, blank=True, editable=False)
    method = models.CharField(_("method"), max_length=20, blank=True, editable=False)
    conflicts = models.JSONField(_("conflicts"), default=list, blank=True, editable=False,
                                 help_text=_("Why the last computation found no plan that meets every minimum."))
    account_count = models.PositiveIntegerField(_("accounts"), default=0, editable=False)
    hours_available = models.FloatField(_("hours available"), null=True, editable=False)
    hours_required = models.FloatField(_("hours the strategies ask for"), null=True, editable=False)
    hours_today = models.FloatField(_("hours in today's plan"), null=True, editable=False)
    hours_recommended = models.FloatField(_("recommended hours"), null=True, editable=False)
    support_budget = models.FloatField(_("sales-support budget"), null=True, editable=False)
    support_today = models.FloatField(_("sales support in today's plan"), null=True, editable=False)
    support_recommended = models.FloatField(_("recommended sales support"), null=True, editable=False)
    pr_budget = models.FloatField(_("PR budget"), null=True, editable=False)
    pr_today = models.FloatField(_("PR in today's plan"), null=True, editable=False)
    pr_recommended = models.FloatField(_("recommended PR"), null=True, editable=False)
    contacts_today = models.FloatField(_("contacts in today's plan"), null=True, editable=False)
    contacts_recommended = models.FloatField(_("recommended contacts"), null=True, editable=False)
    contribution_today = models.FloatField(_("expected contribution of today's plan"), null=True, editable=False)
    contribution = models.FloatField(_("expected contribution of the recommendation"), null=True, editable=False)
    support_price = models.FloatField(_("shadow price of a sales-support franc"), null=True, editable=False)
    pr_price = models.FloatField(_("shadow price of a PR franc"), null=True, editable=False)
    extra_manager_hours = models.FloatField(_("hours of an additional account manager"), null=True, editable=False)
    extra_manager_value = models.FloatField(_("value of an additional account manager"), null=True, editable=False)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True, editable=False)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applied by"), null=True, blank=True,
                                   editable=False, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("planning:scenario", args=[self.pk])

    @property
    def is_computed(self) -> bool:
        return self.computed_at is not None and not self.conflicts

    @property
    def method_label(self) -> str:
        """How the contacts were counted, in words (the solver behind it is no concern of the reader)."""
        return str({"multipliers": _("hours as they come"), "greedy": _("whole contacts"),
                    "lp": _("at least one visit or none"), "milp": _("at least one visit or none")}.get(
            self.method, self.method))

    @property
    def gain(self) -> float | None:
        if self.contribution is None or self.contribution_today is None:
            return None
        return self.contribution - self.contribution_today

    @property
    def gain_pct(self) -> float | None:
        if self.gain is None or not self.contribution_today:
            return None
        return 100.0 * self.gain / self.contribution_today


class ScenarioAccount(models.Model):
    """One account in a computed scenario: today's plan next to the recommendation."""

    account_lookup = "account"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="account_results",
                                 verbose_name=_("scenario"))
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="planning_results",
                                verbose_name=_("account"))
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("account manager"))
    manager_label = models.CharField(_("account manager"), max_length=150, blank=True,
                                     help_text=_("Set when the scenario's manager is not a user (an additional one)."))
    strategy = models.CharField(_("strategy"), max_length=60, blank=True)
    contact_hours = models.FloatField(_("hours per contact"))
    hours_min = models.FloatField(_("minimum hours"))
    hours_max = models.FloatField(_("maximum hours"))
    hours_today = models.FloatField(_("hours today"))
    hours = models.FloatField(_("recommended hours"))
    contacts_today = models.FloatField(_("contacts today"))
    contacts = models.FloatField(_("recommended contacts"))
    support_today = models.FloatField(_("sales support today"))
    support = models.FloatField(_("recommended sales support"))
    pr_today = models.FloatField(_("PR today"))
    pr = models.FloatField(_("recommended PR"))
    contribution_today = models.FloatField(_("expected contribution today"))
    contribution = models.FloatField(_("expected contribution"))

    class Meta:
        verbose_name = _("scenario result per account")
        verbose_name_plural = _("scenario results per account")
        constraints = [models.UniqueConstraint(fields=["scenario", "account"], name="planning_one_result_per_account")]

    def __str__(self) -> str:
        return f"{self.scenario_id} · {self.account_id}"

    @property
    def gain(self) -> float:
        return self.contribution - self.contribution_today


class ScenarioManager(models.Model):
    """One account manager in a computed scenario: hours available, asked for, planned, recommended,
    and what one more of their hours would add (the shadow price)."""

    account_lookup = None

    @classmethod
    def restrict_records(cls, queryset, user, action):
        """A manager's row of a scenario goes with the scenario."""
        return queryset.filter(scenario__in=Scenario.restrict_records(Scenario.objects.all(), user, action))

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="manager_results",
                                 verbose_name=_("scenario"))
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("account manager"))
    label = models.CharField(_("name"), max_length=150)
    order = models.PositiveIntegerField(_("order"), default=0)
    account_count = models.PositiveIntegerField(_("accounts"), default=0)
    available_hours = models.FloatField(_("available hours"))
    required_hours = models.FloatField(_("hours the strategies ask for"))
    minimum_hours = models.FloatField(_("minimum hours"))
    hours_today = models.FloatField(_("hours in today's plan"))
    hours = models.FloatField(_("recommended hours"))
    relief_hours = models.FloatField(_("hours taken over by an additional manager"), default=0)
    hour_price = models.FloatField(_("shadow price of an hour"))

    class Meta:
        verbose_name = _("scenario result per account manager")
        verbose_name_plural = _("scenario results per account manager")
        ordering = ["scenario", "order"]

    def __str__(self) -> str:
        return f"{self.scenario_id} · {self.label}"

    @property
    def slack(self) -> float:
        return self.available_hours + self.relief_hours - self.hours


class AccountPlan(TrackedModel):
    """The applied plan of one account in one period: what "my week" and the account page show."""

    account_lookup = "account"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="planning_plans",
                                verbose_name=_("account"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="account_plans",
                               verbose_name=_("period"))
    scenario = models.ForeignKey(Scenario, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans",
                                 verbose_name=_("from scenario"))
    strategy = models.CharField(_("strategy"), max_length=60, blank=True)
    contacts = models.PositiveIntegerField(_("planned contacts"))
    hours = models.FloatField(_("planned hours"))
    contact_hours = models.FloatField(_("hours per contact"))
    support = models.DecimalField(_("planned sales support"), **MONEY)
    pr = models.DecimalField(_("planned PR"), **MONEY)
    expected_contribution = models.FloatField(_("expected contribution"), null=True)

    class Meta:
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        ordering = ["period", "account"]
        constraints = [models.UniqueConstraint(fields=["account", "period"], name="planning_one_plan_per_period")]
        # The newest change, read by core.freshness by index.
        indexes = [models.Index(fields=["updated_at"], name="accountplan_changed")]

    def __str__(self) -> str:
        return f"{self.account} · {self.period}"


class ResponseEstimate(TrackedModel):
    """An account manager's CALLPLAN estimates for one account and period (Lodish 1971): the expected
    contribution with no effort, today's effort, 150 % of it and at saturation. The fitted curve
    replaces the one derived from plain figures when the scenario is computed."""

    account_lookup = "account"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="planning_estimates",
                                verbose_name=_("account"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="estimates", verbose_name=_("period"))
    current_hours = models.DecimalField(_("today's effort (hours)"), max_digits=7, decimal_places=1,
                                        validators=[MinValueValidator(Decimal("0.1"))])
    at_zero = models.DecimalField(_("contribution with no effort"), **MONEY)
    at_current = models.DecimalField(_("contribution with today's effort"), **MONEY)
    at_150 = models.DecimalField(_("contribution with 150 % effort"), **MONEY)
    at_saturation = models.DecimalField(_("contribution at saturation"), **MONEY)
    saturation_hours = models.DecimalField(_("effort at saturation (hours)"), max_digits=7, decimal_places=1,
                                           null=True, blank=True,
                                           help_text=_("Leave empty for “as much effort as could possibly help”."))
    m = models.FloatField(_("saturation level m"), editable=False, default=0)
    b = models.FloatField(_("speed of response b"), editable=False, default=0)
    baseline = models.FloatField(_("baseline"), editable=False, default=0)
    rms_error = models.FloatField(_("average deviation"), editable=False, default=0)
    warnings = models.JSONField(_("warnings"), default=list, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        verbose_name = _("response estimate")
        verbose_name_plural = _("response estimates")
        constraints = [models.UniqueConstraint(fields=["account", "period"], name="planning_one_estimate_per_period")]
        # The newest change, read by core.freshness by index.
        indexes = [models.Index(fields=["updated_at"], name="estimate_changed")]

    def __str__(self) -> str:
        return f"{self.account} · {self.period}"

    def clean(self):
        fit_estimate(self)

    @property
    def warning_texts(self) -> list[str]:
        """What the fitted curve warns of, in the reader's language."""
        return fit_warnings(self.warnings)



class AccountCount(Bookkeeping, models.Model):
    """How many accounts (not in the trash) an account manager has per customer group and stored strategy
    (``Account.strategy``): the planning page adds up these few rows instead of every account. Kept by the
    database in the transaction that changes an account, whatever writes it (``planning.counts``)."""

    owner_id = models.BigIntegerField()
    segment_id = models.BigIntegerField()  # 0: no customer group
    strategy = models.CharField(max_length=60, blank=True)
    accounts = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner_id", "segment_id", "strategy"],
                                               name="planning_count_per_group")]


class AccountCountChange(Bookkeeping, models.Model):
    """PostgreSQL: a change of the counts above (+/- accounts of one group) not yet added to them. Writers
    only append here, so that two transactions changing accounts of the same group never wait for each
    other; ``planning.counts.compact`` adds the changes to the counts."""

    owner_id = models.BigIntegerField()
    segment_id = models.BigIntegerField()
    strategy = models.CharField(max_length=60, blank=True)
    accounts = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["owner_id"], name="planning_count_change_owner")]
