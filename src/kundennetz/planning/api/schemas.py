"""The shapes planning's API reads and answers: capacities, budgets, plan, scenarios, estimates."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Optional

from ninja import Field, Schema

from kundennetz.core.api_types import CountedPage, Id, InputSchema, PageIn, Text


# The lists' limit and offset, the same as every other list of the API.
Page = PageIn


PeriodCode = Field(description="A year (\"2026\") or a quarter (\"2026-Q3\").")


# --- schemas ---------------------------------------------------------------------------------------


class CapacityIn(InputSchema):
    manager: Id
    period: Text = PeriodCode
    fte: Decimal = Field(Decimal("1"), description="Share of a full-time position, 0–1.")
    working_days: Decimal = Field(description="Working days of a full-time position in the period.")
    care_share_pct: Decimal = Field(Decimal("60"), description="Share of the time for customer care, 0–100.")
    absence_days: Decimal = Decimal("0")
    hours_per_day: Decimal | None = Field(None, description="Default: the setting “hours per day” (8.4).")
    note: Text = ""


class CapacityChange(InputSchema):
    fte: Decimal
    working_days: Decimal
    care_share_pct: Decimal
    absence_days: Decimal
    hours_per_day: Decimal
    note: Text


class CapacityOut(Schema):
    id: int
    version: int = Field(description="Raised by each change; the ETag (send it back in If-Match).")
    manager: int
    manager_name: str
    period: str
    fte: Decimal
    working_days: Decimal
    care_share_pct: Decimal
    absence_days: Decimal
    hours_per_day: Decimal
    available_hours: float = Field(description="FTE × (working days − absences) × hours per day × care share.")
    note: str
    updated_at: datetime


class CapacityPage(CountedPage):
    items: list[CapacityOut]


class BudgetIn(InputSchema):
    sales_support: Decimal = Field(description="CHF for sales support in the period.")
    pr: Decimal = Field(description="CHF for communication/PR in the period.")
    note: Text = ""


class BudgetOut(Schema):
    period: str
    sales_support: Decimal
    pr: Decimal
    note: str
    updated_at: datetime


class BudgetPage(CountedPage):
    items: list[BudgetOut]


class ManagerLoadOut(Schema):
    manager: int
    name: str
    accounts: int
    available_hours: float
    required_hours: float = Field(description="What the strategies of their accounts ask for.")
    minimum_hours: float
    contacts: float
    balance_hours: float = Field(description="Slack when positive, overload when negative.")
    capacity_entered: bool


class PlanOut(Schema):
    period: str
    managers: list[ManagerLoadOut]
    accounts: Optional[int] = None
    hours_available: Optional[float] = None
    hours_required: Optional[float] = None
    support_budget: Optional[float] = None
    support_required: Optional[float] = None
    pr_budget: Optional[float] = None
    pr_required: Optional[float] = None
    portfolio_snapshot: Optional[str] = Field(None, description="Snapshot the strategies come from, if any.")
    live: bool = Field(True, description="Counted from the accounts as they stand now (not a stored result).")


class ConflictOut(Schema):
    kind: Literal["manager", "budget", "account"]
    name: str
    required: float
    available: float
    message: str = Field(description="In your language, naming what conflicts.")


class ScenarioIn(InputSchema):
    name: Text
    period: Text = PeriodCode
    parameters: dict[str, Any] = Field(default_factory=dict, description=(
        "What-ifs, any combination: budget_factor {support, pr} (0.8 = 20 % less); extra_managers "
        "[{name, hours, accounts}] (no accounts: they relieve the busiest colleagues); removed_managers "
        "[{manager, to}] (to: who takes the accounts, null = the colleague with most hours to spare); "
        "segment_strategies [{segment, strategy}]; moved_accounts [{accounts, to} or {from, segment, to}]; "
        "visits \"continuous\" | \"whole\" | \"at_least_one\"; extra_manager_hours (hours of the additional "
        "manager whose value is reported)."))
    compute: bool = Field(True, description="Compute right away (the answer then carries the result).")


class ScenarioChange(InputSchema):
    name: Text
    parameters: dict[str, Any]


class ScenarioOut(Schema):
    id: int
    name: str
    period: str
    parameters: dict
    what_ifs: list[str] = Field(description="The what-ifs in words, in your language.")
    status: Literal["draft", "applied"]
    computed: bool
    computed_at: Optional[datetime]
    as_of: Optional[datetime] = Field(description="When the result was computed (stored, not live); null before.")
    out_of_date: bool = Field(description="True when accounts, strategies, capacities, the budget, the adopted "
                                          "plan, estimates or settings changed after it was computed.")
    seconds: Optional[float]
    method: str
    conflicts: list[ConflictOut]
    account_count: int
    hours_available: Optional[float]
    hours_required: Optional[float]
    hours_today: Optional[float]
    hours_recommended: Optional[float]
    contacts_today: Optional[float]
    contacts_recommended: Optional[float]
    support_budget: Optional[float]
    support_today: Optional[float]
    support_recommended: Optional[float]
    pr_budget: Optional[float]
    pr_today: Optional[float]
    pr_recommended: Optional[float]
    contribution_today: Optional[float] = Field(description="Expected contribution of today's plan.")
    contribution: Optional[float] = Field(description="Expected contribution of the recommendation.")
    gain: Optional[float]
    support_price: Optional[float] = Field(description="What one more franc of sales support would add.")
    pr_price: Optional[float] = Field(description="What one more franc of PR would add.")
    extra_manager_hours: Optional[float]
    extra_manager_value: Optional[float] = Field(description="What an additional account manager would add.")
    created_at: datetime
    created_by: Optional[int]
    applied_at: Optional[datetime]


class ScenarioPage(CountedPage):
    items: list[ScenarioOut]


class ScenarioManagerOut(Schema):
    manager: Optional[int] = Field(description="null for an additional manager of the scenario.")
    name: str
    accounts: int
    available_hours: float
    relief_hours: float = Field(description="Hours an additional manager takes over from them.")
    required_hours: float
    minimum_hours: float
    hours_today: float
    hours: float
    hour_price: float = Field(description="What one more of their hours would add (shadow price, CHF).")


class ScenarioAccountOut(Schema):
    account: int
    name: str
    manager: Optional[int]
    manager_name: str
    strategy: str
    hours_min: float
    hours_max: float
    contact_hours: float
    hours_today: float
    hours: float
    contacts_today: float
    contacts: float
    support_today: float
    support: float
    pr_today: float
    pr: float
    contribution_today: float
    contribution: float


class ScenarioAccountPage(CountedPage):
    items: list[ScenarioAccountOut]


class ComparisonRowOut(Schema):
    figure: str
    label: str
    values: list[Optional[float]]


class ComparisonOut(Schema):
    scenarios: list[int]
    rows: list[ComparisonRowOut]


class IntensityOut(Schema):
    key: str
    name: str
    source: Literal["portfolio", "default"]
    contacts_min: float
    contacts_max: float
    min_per_quarter: float
    hours: float


class AccountPlanOut(Schema):
    period: str
    scenario: Optional[int]
    contacts: int
    hours: float
    support: Decimal
    pr: Decimal
    expected_contribution: Optional[float]


class RecommendationOut(Schema):
    scenario: int
    scenario_name: str
    applied: bool
    contacts: float
    hours: float
    support: float
    pr: float
    contribution: float
    contribution_today: float


class EstimateIn(InputSchema):
    current_hours: Decimal
    at_zero: Decimal
    at_current: Decimal
    at_150: Decimal
    at_saturation: Decimal
    saturation_hours: Optional[Decimal] = None


class EstimateOut(Schema):
    period: str
    current_hours: Decimal
    at_zero: Decimal
    at_current: Decimal
    at_150: Decimal
    at_saturation: Decimal
    saturation_hours: Optional[Decimal]
    m: float
    b: float
    baseline: float
    rms_error: float
    warnings: list[str]


class PlannedOut(Schema):
    contacts: float = Field(description="Planned contacts in the period, rounded to one decimal.")
    hours: float
    period: str
    source: str = Field(description="adopted (the adopted allocation), strategy (implied by the portfolio "
                                    "strategy today) or default (implied by the customer group's default).")
    basis: str = Field(description="The adopted scenario's or the strategy's name.")
    label: str


class AccountPlanningOut(Schema):
    account: int
    period: Optional[str]
    planned: Optional[PlannedOut] = Field(None, description="The one planned figure every page shows.")
    plan: Optional[AccountPlanOut]
    recommendation: Optional[RecommendationOut]
    intensity: Optional[IntensityOut]
    estimate: Optional[EstimateOut]
